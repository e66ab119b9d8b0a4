# env.sh — sourced by the gpu/dev scripts on the GPU machine: DIST (the carried build-gpu/dist)
# and LD_LIBRARY_PATH with the host's CUDA 13 runtime and cuBLAS (system paths or the pip wheels
# torch uses) behind the libraries carried in $DIST/lib.
DIST=${DIST:-build-gpu/dist}
for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 $(python3 -c 'import nvidia,os;p=os.path.dirname(nvidia.__path__[0]+"/");import glob;print(" ".join(glob.glob(p+"/nvidia/*/lib")))' 2>/dev/null); do
  [ -d "$d" ] && LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}:$d"
done
export LD_LIBRARY_PATH="$DIST/lib:${LD_LIBRARY_PATH:-}"
export PATH="$PATH:$(ls -d /opt/nvidia/nsight-compute/*/ 2>/dev/null | tail -1)"
