#!/bin/bash
# package.sh — copies mx, mx_gpu_tests and the shared libraries the GPU machine lacks (ours are
# Debian's; it has only the CUDA 13 runtime and cuBLAS) into build-gpu/dist/{bin,lib}.
set -eu
cd "$(dirname "$0")/../.."
rm -rf build-gpu/dist && mkdir -p build-gpu/dist/bin build-gpu/dist/lib
cp build-gpu/bin/mx build-gpu/bin/mx_gpu_tests build-gpu/dist/bin/
strip build-gpu/dist/bin/*
ldd build-gpu/bin/mx build-gpu/bin/mx_gpu_tests | awk '/=>/ {print $3}' | sort -u |
  grep -Ev '/(libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\+\+|ld-linux)[.-]|/usr/local/cuda' |
  xargs -I{} cp -L {} build-gpu/dist/lib/
du -sh build-gpu/dist
