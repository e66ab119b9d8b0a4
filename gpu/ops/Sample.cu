// Sample.cu — one thread block per row: a coalesced argmax pass, then (sampling only) the
// filters' support (SampleFilters.cuh, on the row's weights written in place), per-thread sums of
// the kept weights over contiguous id ranges, a block scan of those sums, and a walk of the one
// range where the draw lands. Contiguous ranges keep the cumulative sum in id order, as the
// host's is.
#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include <climits>
#include <cmath>

#include "../CudaCheck.h"
#include "DependentLaunch.cuh"
#include "Sample.cuh"
#include "SampleFilters.cuh"

namespace mx::gpu {
namespace {

constexpr int kThreads = 512;

struct Best {
  float value;
  int id;
};

// The better of two candidates: higher logit, then lower id (ties go to the lowest id).
struct BetterOf {
  __device__ Best operator()(const Best& a, const Best& b) const {
    if (a.value != b.value) return a.value > b.value ? a : b;
    return a.id < b.id ? a : b;
  }
};

struct MaxOf {
  __device__ int operator()(int a, int b) const { return a > b ? a : b; }
};

__global__ void __launch_bounds__(kThreads)
sampleKernel(float* logits, int vocab, const RowSample* specs, int32_t* tokens) {
  using Reduce = cub::BlockReduce<Best, kThreads>;
  using ReduceInt = cub::BlockReduce<int, kThreads>;
  using Scan = cub::BlockScan<double, kThreads>;
  __shared__ union {
    typename Reduce::TempStorage reduce;
    typename ReduceInt::TempStorage reduceInt;
    typename Scan::TempStorage scan;
  } temp;
  __shared__ Best best;
  __shared__ int owner;
  __shared__ FilterStorage<kThreads> filter;

  allowDependents();
  waitForPrerequisites();
  float* row = logits + size_t(blockIdx.x) * size_t(vocab);
  const RowSample spec = specs[blockIdx.x];
  const int tid = threadIdx.x;

  // Pass 1: argmax. Each thread's ids rise, so a strict > keeps its first of equal maxima; NaN
  // never compares greater, so it is never picked.
  Best mine{-INFINITY, INT_MAX};
  auto consider = [&](float x, int v) {
    if (x > mine.value || (mine.id == INT_MAX && x == -INFINITY)) mine = {x, v};
  };
  // Eight 16-byte loads in flight per thread: one block reads a 128k vocabulary in a few memory
  // latencies rather than one per 512 logits.
  filters::forEachToken<kThreads, 8>(row, vocab, [&](int v, float x) { consider(x, v); });
  const Best reduced = Reduce(temp.reduce).Reduce(mine, BetterOf());
  if (tid == 0) best = reduced;
  __syncthreads();
  if (spec.temperature <= 0.0f) {
    if (tid == 0) tokens[blockIdx.x] = best.id == INT_MAX ? 0 : best.id;
    return;
  }

  // The weights: the division matches the host's (logit / T, then minus the largest scaled
  // logit), so they do too, to expf's ulps. With a filter they are written over the row once
  // (the selections read them several times), and w outside the support counts as 0.
  const float t = spec.temperature, top = best.value / t;
  const bool filtered = (spec.topK > 0 && spec.topK < vocab) || spec.topP < 1.0f || spec.minP > 0.0f;
  if (filtered) {
    filters::forEachToken<kThreads>(row, vocab, [&](int v, float logit) {
      const float w = expf(logit / t - top);
      row[v] = w > 0.0f ? w : 0.0f;  // NaN: never drawn
    });
    if (tid == 0) filter.support = Support::all(best.id, spec.minP);
    __syncthreads();
    if (spec.topK > 0 && spec.topK < vocab) filters::selectTopK(row, vocab, spec.topK, filter);
    if (spec.topP < 1.0f) filters::selectTopP(row, vocab, spec.topP, filter);
  }
  const Support support = filtered ? filter.support : Support::all(best.id, 0.0f);
  auto weight = [&](int v) {
    if (!filtered) return expf(row[v] / t - top);
    return support.keeps(v, row[v]) ? row[v] : 0.0f;
  };

  // Pass 2: this thread's share of Σ w over ids [begin, end).
  const int chunk = (vocab + kThreads - 1) / kThreads;
  const int begin = min(vocab, tid * chunk), end = min(vocab, begin + chunk);
  double sum = 0;
  for (int v = begin; v < end; ++v) sum += double(weight(v));
  double prefix = 0, total = 0;
  __syncthreads();  // temp is reused
  Scan(temp.scan).ExclusiveSum(sum, prefix, total);
  const double target = spec.uniform * total;

  // The range the draw lands in: the last one with weight that starts at or below the target.
  // Exactly one thread owns it whatever the scan's rounding (the argmax's range starts at or
  // below any target ≥ 0 and has weight 1), so the walk below always writes a token.
  __syncthreads();
  const int candidate = (sum > 0 && prefix <= target) ? tid : -1;
  const int chosen = ReduceInt(temp.reduceInt).Reduce(candidate, MaxOf());
  if (tid == 0) owner = chosen;
  __syncthreads();
  if (owner < 0) {  // only NaN logits get here (a NaN total): fall back to the argmax
    if (tid == 0) tokens[blockIdx.x] = best.id == INT_MAX ? 0 : best.id;
    return;
  }
  if (tid != owner) return;
  double cumulative = prefix;
  int last = -1;
  for (int v = begin; v < end; ++v) {
    const float w = weight(v);
    if (!(w > 0.0f)) continue;  // zero (underflow, filtered) or NaN weights are never drawn
    last = v;
    cumulative += double(w);
    if (target < cumulative) break;
  }
  // Ran off the end: the target is at or past this range's rounded sum. Its last token with
  // weight is then the answer (the host Sampler's "rounding left the sum a hair under 1").
  tokens[blockIdx.x] = last;
}

// One block per row: mark each context id in the row's bitmap, penalise the first to mark it,
// then clear what was marked for the next step.
__global__ void penalizeKernel(float* logits, int vocab, const int32_t* offsets, const int32_t* ids,
                               const RowSample* specs, uint32_t* seen) {
  const int64_t r = blockIdx.x;
  const float penalty = specs[r].repetitionPenalty;
  const int begin = offsets[r], end = offsets[r + 1];
  float* row = logits + r * int64_t(vocab);
  uint32_t* bits = seen + r * int64_t((vocab + 31) / 32);
  for (int i = begin + int(threadIdx.x); i < end; i += int(blockDim.x)) {
    const int id = ids[i];
    if (id < 0 || id >= vocab) continue;
    const uint32_t bit = 1u << (id % 32);
    if (atomicOr(&bits[id / 32], bit) & bit) continue;  // counted already
    const float l = row[id];
    row[id] = l > 0 ? l / penalty : l * penalty;
  }
  __syncthreads();
  for (int i = begin + int(threadIdx.x); i < end; i += int(blockDim.x)) {
    const int id = ids[i];
    if (id >= 0 && id < vocab) bits[id / 32] = 0;
  }
}

}  // namespace

void penalizeRows(float* logits, int64_t rows, int vocab, const int32_t* offsets, const int32_t* ids,
                  const RowSample* specs, uint32_t* seen, cudaStream_t stream) {
  if (rows == 0) return;
  penalizeKernel<<<unsigned(rows), 256, 0, stream>>>(logits, vocab, offsets, ids, specs, seen);
  MX_CUDA_CHECK_LAUNCH();
}

void sampleRows(float* logits, int64_t rows, int vocab, const RowSample* specs, int32_t* tokens,
                cudaStream_t stream) {
  if (rows == 0) return;
  launchDependent(sampleKernel, dim3(unsigned(rows)), dim3(kThreads), 0, stream, logits, vocab, specs, tokens);
}

}  // namespace mx::gpu
