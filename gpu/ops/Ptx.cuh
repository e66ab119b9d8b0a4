// Ptx.cuh — the warp-level instructions the decode attention uses directly, for what WMMA does
// not expose: fragments in registers laid out as the PTX ISA documents them ("Matrix Fragments
// for mma.m16n8k16"), so that a score tile becomes the next product's A operand without a trip
// through shared memory, and copies from global to shared memory that bypass the registers.
#pragma once

#include <cuda_bf16.h>

#include <cstdint>

namespace mx::gpu::ptx {

__device__ inline uint32_t sharedAddress(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

/// 16 bytes from `src` to shared `dst`, asynchronously; when `valid` is false nothing is read
/// and the 16 bytes are zeros (a key past the end must not bring NaN into the product).
__device__ inline void copyAsync16(uint32_t dst, const void* src, bool valid) {
  const int bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(bytes) : "memory");
}
__device__ inline void commitCopies() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
/// Waits until at most `Pending` of this thread's committed groups are still in flight.
template <int Pending>
__device__ inline void waitCopies() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending) : "memory");
}

/// Four 8×8 bf16 matrices from shared memory: lanes 8i..8i+7 give the row addresses of matrix i;
/// lane t receives row t/4, columns 2(t%4) and 2(t%4)+1 of each (transposed: column t/4, rows
/// 2(t%4) and 2(t%4)+1).
__device__ inline void loadMatrices(uint32_t (&r)[4], uint32_t address) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address)
               : "memory");
}
__device__ inline void loadMatricesTransposed(uint32_t (&r)[4], uint32_t address) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address)
               : "memory");
}

/// d += a · b on one 16×8×16 tile, bf16 operands and fp32 accumulators. Lane t holds
/// a: rows t/4 and t/4+8, columns 2(t%4)+{0,1} and +8; b: rows 2(t%4)+{0,1} and +8, column t/4;
/// d: rows t/4 (d[0], d[1]) and t/4+8 (d[2], d[3]), columns 2(t%4)+{0,1}.
__device__ inline void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

/// Two floats as the bf16 pair of one fragment register (`lo` in the lower half: the lower column).
__device__ inline uint32_t packBf16(float lo, float hi) {
  const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&v);
}

}  // namespace mx::gpu::ptx
