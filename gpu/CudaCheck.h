// CudaCheck.h — the check macros every CUDA runtime and cuBLAS call goes through.
//
// A failed call throws std::runtime_error "file:line: EXPR: error string" rather than aborting:
// a driver mismatch or an out-of-memory must reach the user as an error message, not a crash.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace mx::gpu {

[[noreturn]] inline void throwCudaError(const char* expr, const char* file, int line,
                                        const std::string& what) {
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + expr + ": " +
                           what);
}

inline void checkCuda(cudaError_t e, const char* expr, const char* file, int line) {
  if (e == cudaSuccess) return;
  // Reported once: left pending, the next step's first launch check would throw it again.
  (void)cudaGetLastError();
  throwCudaError(expr, file, line, std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e));
}

inline void checkCublas(cublasStatus_t s, const char* expr, const char* file, int line) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throwCudaError(expr, file, line, std::string(cublasGetStatusName(s)) + ": " + cublasGetStatusString(s));
}

}  // namespace mx::gpu

#define MX_CUDA_CHECK(expr) ::mx::gpu::checkCuda((expr), #expr, __FILE__, __LINE__)
#define MX_CUBLAS_CHECK(expr) ::mx::gpu::checkCublas((expr), #expr, __FILE__, __LINE__)
// After a kernel launch: a bad launch configuration shows up here, not at the next sync.
#define MX_CUDA_CHECK_LAUNCH() MX_CUDA_CHECK(cudaGetLastError())
