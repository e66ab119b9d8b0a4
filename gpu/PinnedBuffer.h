// PinnedBuffer.h — page-locked host memory (cudaMallocHost): the only kind the copy engines read
// and write at full PCIe speed and asynchronously with respect to the host.
#pragma once

#include <cstddef>
#include <utility>

#include "CudaCheck.h"

namespace mx::gpu {

template <class T>
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  ~PinnedBuffer() { release(); }
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;

  /// Grows to at least `count` elements (contents dropped when it grows).
  void reserve(size_t count) {
    if (count <= count_) return;
    release();
    void* p = nullptr;
    MX_CUDA_CHECK(cudaMallocHost(&p, count * sizeof(T)));
    ptr_ = static_cast<T*>(p);
    count_ = count;
  }
  void release() {
    if (ptr_) cudaFreeHost(ptr_);
    ptr_ = nullptr;
    count_ = 0;
  }
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
  size_t count_ = 0;
};

}  // namespace mx::gpu
