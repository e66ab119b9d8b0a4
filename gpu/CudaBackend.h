// CudaBackend.h (gpu/) — the CUDA backend (mx/engine/CudaBackend.h) as a class, for tests.
//
// The forward pass of a step over T tokens (x: [T, hidden] fp32, the residual stream):
//   x = embed(tokens); the rotary angles of every token (once a step, shared by the layers)
//   per layer: h = rmsnorm(x) (bf16); qkv = h·Wqkvᵀ (fp32); ropeAndStore(qkv → cache);
//              a = attention(q, cache) (bf16; one-token tiles through decodeAttention);
//              x += a·Woᵀ (GEMM with beta 1);
//              h = rmsnorm(x); gu = h·Wgateupᵀ (bf16); x += swiglu(gu)·Wdownᵀ
//   logits = rmsnorm(x[rows asked for])·Wlmᵀ (fp32), copied to the host — or, in forwardSample,
//   reduced to one token per row on the device (ops/Sample.cuh) and only the ids copied back
// All on one stream; the host syncs once per step, for the logits or the tokens — and with
// launchSample/collectSample only after it queued the next step. Decode-only steps of
// forwardSample replay a CUDA graph of their padded batch size (DecodeGraphs.h).
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "CudaWeights.h"
#include "DeviceBuffer.h"
#include "CublasGemm.h"
#include "DecodeGraphs.h"
#include "PinnedBuffer.h"
#include "mx/engine/Backend.h"
#include "ops/Attention.cuh"
#include "ops/Sample.cuh"

namespace mx::gpu {

class CudaBackend final : public engine::Backend {
 public:
  /// Takes weights already on `device` (the current device).
  CudaBackend(engine::ModelConfig config, CudaWeights weights, int device);
  ~CudaBackend() override;

  const engine::ModelConfig& config() const override { return config_; }
  std::string name() const override { return "cuda"; }
  void allocateCache(int32_t numBlocks, int32_t blockSize) override;
  void copyBlock(int32_t from, int32_t to) override;
  int32_t cacheBlockLimit(int32_t blockSize, int32_t maxBatchTokens) const override;
  /// Throws std::invalid_argument for a slice the cache cannot hold, before any GPU work.
  void forward(std::span<const engine::SeqSlice> batch, std::vector<float>& logits) override;
  /// Greedy and plain temperature sampling on the device; false (nothing done) when a slice asks
  /// for allLogits. Throws like forward().
  bool forwardSample(std::span<const engine::SeqSlice> batch,
                     std::span<const engine::SampleSpec> specs,
                     std::vector<int32_t>& tokens) override;
  /// forwardSample's halves: the step is queued on the stream and its draws copied into one of
  /// two pinned buffers; a pending token is read from the previous step's draws on the device.
  bool overlapsSteps() const override { return true; }
  bool launchSample(std::span<const engine::SeqSlice> batch,
                    std::span<const engine::SampleSpec> specs) override;
  void collectSample(std::vector<int32_t>& tokens) override;

  /// Decode steps through CUDA graphs: on unless MX_CUDA_GRAPHS=0 in the environment.
  void setGraphs(bool on) { useGraphs_ = on; }
  int64_t graphLaunches() const { return graphs_.launches(); }
  int graphCaptures() const { return graphs_.captures(); }
  /// The decode attention's split count of the last step (for tests).
  int decodeSplits() const { return decodeSplits_; }
  const KvLayout& kvLayout() const { return kv_; }
  bf16* cacheData() const { return cache_.get(); }

 private:
  void validate(std::span<const engine::SeqSlice> batch) const;
  void uploadStep(std::span<const engine::SeqSlice> batch);
  void ensureWorkspace(int64_t tokens, int64_t rows);
  void runLayer(int layer);
  /// Uploads the offsets and context ids of the rows with a repetition penalty (none: false).
  bool uploadPenaltyContexts(std::span<const engine::SampleSpec> specs, size_t rows);
  /// y = RMSNorm(x_) · wᵀ over the step's tokens: one GEMV launch when fuseIntoGemv() (the norm
  /// done as the GEMV stages its input, ops/Gemv.cuh), else the norm into normed_ and a GEMM.
  void normedLinear(const float* normWeight, const bf16* w, int64_t n, void* y, cudaDataType_t yType);
  /// Norms and SwiGLU go into the GEMVs' staging of x at one token a step only: an H200 gained
  /// ~3 % at batch 1 and lost 5-17 % at 2-4 rows (every block normalises every row).
  bool fuseIntoGemv() const { return fuseIntoGemv_ && tokens_ == 1; }
  /// Uploads the step's indices and sizes the activations for it.
  void prepareStep(std::span<const engine::SeqSlice> batch);
  /// Everything up to the logits in logits_ ([rows_, vocab] on the device), queued on stream_.
  void queueLogits();
  /// Every buffer (and index array) a captured step touches: a graph is valid while these stay
  /// where they are.
  std::vector<const void*> bufferAddresses() const;

  engine::ModelConfig config_;
  CudaWeights weights_;
  int device_;
  cudaStream_t stream_ = nullptr;
  int multiprocessors_ = 1;
  std::unique_ptr<Gemm> gemm_;
  DeviceBuffer<float> invFreq_;
  KvLayout kv_;
  int32_t numBlocks_ = 0;
  int32_t scratchBlock_ = 0;  // the cache's extra block, past numBlocks_: padding rows' keys
  static constexpr int32_t kPadToken = 0;
  DecodeGraphs graphs_;
  bool useGraphs_ = true;
  bool fuseIntoGemv_ = true;  // MX_CUDA_FUSE=0: norms and SwiGLU as their own kernels, to compare
  DeviceBuffer<bf16> cache_;

  // The step's shape, and its index arrays (host: pinned, one upload; device: one buffer).
  int64_t tokens_ = 0, rows_ = 0;
  // Tiles of several tokens go to attention(); single-token tiles to decodeAttention().
  int numTiles_ = 0, numDecodeTiles_ = 0, decodeSplits_ = 1;
  size_t offTokens_ = 0, offPositions_ = 0, offSlots_ = 0, offRows_ = 0, offTiles_ = 0,
         offDecodeTiles_ = 0, offTableOffsets_ = 0, offTables_ = 0;
  std::vector<int32_t> hostMeta_;
  PinnedBuffer<int32_t> pinnedMeta_;
  DeviceBuffer<int32_t> meta_;

  // Per-step activations, grown to the largest step seen.
  DeviceBuffer<float> x_, qkv_, logits_, partials_;
  DeviceBuffer<float2> ropeAngles_;  // [tokens, headDim / 2]: (cos, sin), once a step
  DeviceBuffer<int32_t> splitCounters_;  // decodeAttention's, per (tile, kv head); kept at zero
  DeviceBuffer<bf16> normed_, attn_, gateUp_, act_, selected_;
  PinnedBuffer<float> pinnedLogits_;
  // forwardSample's per-row rules and chosen tokens.
  PinnedBuffer<RowSample> pinnedSpecs_;
  DeviceBuffer<RowSample> specs_;
  // Repetition penalties: the penalised rows' context ids (ops/Sample.cuh penalizeRows).
  std::vector<int32_t> hostContexts_;
  PinnedBuffer<int32_t> pinnedContexts_;
  DeviceBuffer<int32_t> contexts_;
  DeviceBuffer<uint32_t> seenIds_;  // a bitmap of the vocabulary per row, kept at zero
  DeviceBuffer<int32_t> tokensOut_;  // the last launched step's draws
  // Launched steps not collected yet (two at most): each copies its draws into its own pinned
  // buffer and records its event. The step's uploads record uploaded_: the next launch refills
  // the pinned upload buffers only after it.
  struct Launch {
    int slot;
    size_t count;  // draws (slices): the next launch's previousRow indexes them
  };
  std::deque<Launch> launches_;
  int nextSlot_ = 0;
  PinnedBuffer<int32_t> pinnedTokens_[2];
  cudaEvent_t drawn_[2] = {nullptr, nullptr};
  cudaEvent_t uploaded_ = nullptr;
  int numPending_ = 0;  // tokens of this step filled in from the previous step's draws
  size_t offPending_ = 0;
};

}  // namespace mx::gpu
