// DeviceBuffer.h — an owned, typed GPU allocation (cudaMalloc/cudaFree), movable, not copyable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "CudaCheck.h"

namespace mx::gpu {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /// Allocates `count` elements; throws naming `what` and the bytes asked for when memory is short.
  explicit DeviceBuffer(size_t count, const char* what = "buffer") { allocate(count, what); }
  ~DeviceBuffer() { release(); }
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), count_(std::exchange(o.count_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ptr_ = std::exchange(o.ptr_, nullptr);
      count_ = std::exchange(o.count_, 0);
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void allocate(size_t count, const char* what = "buffer") {
    // Work queued before (an overlapped step) may still read the old allocation.
    if (ptr_) MX_CUDA_CHECK(cudaDeviceSynchronize());
    release();
    if (count == 0) return;
    void* p = nullptr;
    cudaError_t e = cudaMalloc(&p, count * sizeof(T));
    if (e == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();  // clear the sticky-free error so later calls still work
      size_t freeBytes = 0, totalBytes = 0;
      cudaMemGetInfo(&freeBytes, &totalBytes);
      throw std::runtime_error("cuda backend: out of GPU memory allocating " + std::string(what) +
                               ": " + std::to_string(count * sizeof(T)) + " bytes needed, " +
                               std::to_string(freeBytes) + " of " + std::to_string(totalBytes) +
                               " bytes free");
    }
    MX_CUDA_CHECK(e);
    ptr_ = static_cast<T*>(p);
    count_ = count;
  }
  /// Grows to at least `count` elements (contents dropped when it grows).
  void reserve(size_t count, const char* what = "buffer") {
    if (count > count_) allocate(count, what);
  }
  void release() {
    if (ptr_) cudaFree(ptr_);  // no check: destructors must not throw
    ptr_ = nullptr;
    count_ = 0;
  }

  T* get() const { return ptr_; }
  size_t size() const { return count_; }
  size_t bytes() const { return count_ * sizeof(T); }

 private:
  T* ptr_ = nullptr;
  size_t count_ = 0;
};

}  // namespace mx::gpu
