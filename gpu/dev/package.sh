#!/bin/bash
# package.sh — copies mx, mx_gpu_tests, libmx_cuda.so (the CUDA backend mx opens on first use)
# and the shared libraries the GPU machine lacks (ours are Debian's; it has only the CUDA 13
# runtime and cuBLAS) into build-gpu/dist/{bin,lib}.
set -eu
cd "$(dirname "$0")/../.."
rm -rf build-gpu/dist && mkdir -p build-gpu/dist/bin build-gpu/dist/lib
cp build-gpu/bin/mx build-gpu/bin/mx_gpu_tests build-gpu/dist/bin/
cp build-gpu/lib/libmx_cuda.so build-gpu/dist/lib/
strip build-gpu/dist/bin/* build-gpu/dist/lib/libmx_cuda.so
ldd build-gpu/bin/mx build-gpu/bin/mx_gpu_tests build-gpu/lib/libmx_cuda.so | awk '/=>/ {print $3}' | sort -u |
  grep -Ev '/(libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\+\+|ld-linux)[.-]|/usr/local/cuda' |
  xargs -I{} cp -L {} build-gpu/dist/lib/
du -sh build-gpu/dist
