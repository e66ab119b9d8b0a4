// CudaBackend.cpp — the Llama-family forward pass over a batch of slices on one GPU.
#include "CudaBackend.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "CudaCheck.h"
#include "Rope.h"  // the CPU reference's frequencies (runtime/lib/engine/model)
#include "ops/DecodeAttention.cuh"
#include "ops/DependentLaunch.cuh"
#include "ops/Embedding.cuh"
#include "ops/Gemv.cuh"
#include "ops/RmsNorm.cuh"
#include "ops/Rope.cuh"
#include "ops/SwiGlu.cuh"

namespace mx::gpu {

using engine::SeqSlice;

namespace {

/// A step that throws half-way may leave copies and kernels queued that read the pinned and
/// device buffers the next step refills: wait for them before the exception leaves.
class StepGuard {
 public:
  explicit StepGuard(cudaStream_t stream) : stream_(stream), exceptions_(std::uncaught_exceptions()) {}
  ~StepGuard() {
    if (std::uncaught_exceptions() > exceptions_) {
      cudaStreamSynchronize(stream_);
      (void)cudaGetLastError();
    }
  }
  StepGuard(const StepGuard&) = delete;
  StepGuard& operator=(const StepGuard&) = delete;

 private:
  cudaStream_t stream_;
  int exceptions_;
};

}  // namespace

CudaBackend::CudaBackend(engine::ModelConfig config, CudaWeights weights, int device)
    : config_(std::move(config)), weights_(std::move(weights)), device_(device) {
  checkAttentionShape(config_.headDim, config_.numHeads / std::max(config_.numKvHeads, 1));
  if (config_.intermediateSize % 4 != 0)
    throw std::invalid_argument("cuda backend: intermediate_size " + std::to_string(config_.intermediateSize) +
                                " is not a multiple of 4");
  if (config_.numHeads % config_.numKvHeads != 0)
    throw std::invalid_argument("cuda backend: num_attention_heads is not a multiple of num_key_value_heads");
  MX_CUDA_CHECK(cudaSetDevice(device_));
  MX_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  MX_CUDA_CHECK(cudaDeviceGetAttribute(&multiprocessors_, cudaDevAttrMultiProcessorCount, device_));
  gemm_ = std::make_unique<Gemm>(stream_);
  const char* graphs = std::getenv("MX_CUDA_GRAPHS");
  useGraphs_ = !(graphs && std::string(graphs) == "0");
  const char* fuse = std::getenv("MX_CUDA_FUSE");
  fuseIntoGemv_ = !(fuse && std::string(fuse) == "0");
  const std::vector<float> freq = engine::cpu::Rope(config_).inverseFrequencies();
  invFreq_.allocate(freq.size(), "rope frequencies");
  MX_CUDA_CHECK(cudaMemcpy(invFreq_.get(), freq.data(), freq.size() * sizeof(float), cudaMemcpyHostToDevice));
  kv_ = {config_.numLayers, config_.numKvHeads, config_.headDim, 0};
  for (cudaEvent_t& e : drawn_) MX_CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  MX_CUDA_CHECK(cudaEventCreateWithFlags(&uploaded_, cudaEventDisableTiming));
}

CudaBackend::~CudaBackend() {
  // Replicas are destroyed from whatever thread owns the engine: free on this backend's device,
  // after its queued work (no checks: destructors must not throw).
  cudaSetDevice(device_);
  if (stream_) cudaStreamSynchronize(stream_);
  for (cudaEvent_t e : drawn_)
    if (e) cudaEventDestroy(e);
  if (uploaded_) cudaEventDestroy(uploaded_);
  gemm_.reset();
  if (stream_) cudaStreamDestroy(stream_);
}

void CudaBackend::allocateCache(int32_t numBlocks, int32_t blockSize) {
  if (numBlocks < 1 || blockSize < 1) throw std::invalid_argument("cuda backend: empty cache");
  MX_CUDA_CHECK(cudaSetDevice(device_));
  MX_CUDA_CHECK(cudaStreamSynchronize(stream_));
  cache_.release();
  graphs_.clear();  // they bake in the cache's layout, which may change at the same address
  numBlocks_ = 0;  // unusable until the new cache exists
  kv_.blockSize = blockSize;
  // One block more than asked: the scratch block that a graph's padding rows write into.
  kv_.numBlocks = numBlocks + 1;
  const int64_t bytes = kv_.numBlocks * int64_t(kv_.blockElements()) * int64_t(sizeof(bf16));
  requireFreeMemory(bytes, ("a KV cache of " + std::to_string(numBlocks) + " blocks").c_str());
  cache_.allocate(size_t(bytes) / sizeof(bf16), "the KV cache");
  // Zeroed: stale bits must never be NaN, and tests compare whole blocks.
  MX_CUDA_CHECK(cudaMemsetAsync(cache_.get(), 0, size_t(bytes), stream_));
  numBlocks_ = numBlocks;
  scratchBlock_ = numBlocks;
}

int32_t CudaBackend::cacheBlockLimit(int32_t blockSize, int32_t maxBatchTokens) const {
  MX_CUDA_CHECK(cudaSetDevice(device_));
  size_t freeBytes = 0, totalBytes = 0;
  MX_CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
  const engine::ModelConfig& c = config_;
  // Activations per token (fp32 residual and qkv, bf16 the rest) with the logits of one row
  // each, plus a fixed margin for cuBLAS workspaces, graphs and the CUDA context's growth.
  const int64_t perToken = 4 * int64_t(c.hiddenSize) + 4 * int64_t(c.numHeads + 2 * c.numKvHeads) * c.headDim +
                           2 * (2 * int64_t(c.hiddenSize) + int64_t(c.numHeads) * c.headDim +
                                3 * int64_t(c.intermediateSize)) +
                           4 * int64_t(c.vocabSize);
  const int64_t headroom = perToken * std::max(maxBatchTokens, 1) + (int64_t(1) << 30);
  const int64_t usable = int64_t(freeBytes) - headroom;
  KvLayout layout = kv_;
  layout.blockSize = blockSize;
  const int64_t blockBytes = int64_t(layout.blockElements()) * int64_t(sizeof(bf16));
  if (usable <= 0 || blockBytes <= 0) return 1;
  // The current cache, if any, is freed before a new one is made: count it as free.
  const int64_t current = int64_t(numBlocks_ + 1) * int64_t(kv_.blockElements()) * int64_t(sizeof(bf16));
  return int32_t(std::min<int64_t>((usable + current) * 9 / 10 / blockBytes - 1, INT32_MAX - 1));
}

void CudaBackend::copyBlock(int32_t from, int32_t to) {
  if (from < 0 || to < 0 || from >= numBlocks_ || to >= numBlocks_)
    throw std::out_of_range("cuda backend: copyBlock " + std::to_string(from) + " → " +
                            std::to_string(to) + " outside the cache's " +
                            std::to_string(numBlocks_) + " blocks");
  MX_CUDA_CHECK(cudaSetDevice(device_));
  // The block's slab in every layer, one copy each: a single 2-D copy would have a layer's whole
  // share of the cache as its pitch, over cudaMemcpy2D's 2 GiB limit on large caches.
  const size_t bytes = kv_.layerBlockElements() * sizeof(bf16);
  for (int layer = 0; layer < kv_.layers; ++layer)
    MX_CUDA_CHECK(cudaMemcpyAsync(cache_.get() + kv_.offset(to, layer, 0, 0),
                                  cache_.get() + kv_.offset(from, layer, 0, 0), bytes,
                                  cudaMemcpyDeviceToDevice, stream_));
}

void CudaBackend::validate(std::span<const SeqSlice> batch) const {
  checkSlices(batch, config_, numBlocks_, kv_.blockSize, "cuda");
}

// Packs the step's index arrays into one host vector, then one pinned buffer and one upload:
// tokens, positions, slots [T]; logit rows [R]; attention tiles [4 · tiles]; per-sequence
// offsets into the concatenated block tables.
void CudaBackend::uploadStep(std::span<const SeqSlice> batch) {
  const int32_t bs = kv_.blockSize;
  const int group = config_.numHeads / config_.numKvHeads;
  const int tileTokens = attentionTileTokens(group);
  const bool decodeKernel = decodeAttentionSupports(config_.headDim, group);
  std::vector<int32_t> tokens, positions, slots, rows, tiles, decodeTiles, tableOffsets, tables, pending;
  numTiles_ = 0;
  int32_t longestDecode = 0;  // positions a decode tile attends to
  for (size_t s = 0; s < batch.size(); ++s) {
    const SeqSlice& slice = batch[s];
    const int32_t first = int32_t(tokens.size()), n = int32_t(slice.tokens.size());
    if (slice.previousRow >= 0) pending.insert(pending.end(), {first + n - 1, slice.previousRow});
    for (int32_t i = 0; i < n; ++i) {
      const int32_t pos = slice.startPos + i;
      if (slice.allLogits || i + 1 == n) rows.push_back(int32_t(tokens.size()));
      tokens.push_back(slice.tokens[size_t(i)]);
      positions.push_back(pos);
      slots.push_back(slice.blocks[size_t(pos / bs)] * bs + pos % bs);
    }
    for (int32_t i = 0; i < n; i += tileTokens) {
      const int32_t count = std::min(tileTokens, n - i);
      if (count == 1 && decodeKernel) {
        decodeTiles.insert(decodeTiles.end(), {int32_t(s), first + i, 1, slice.startPos + i});
        longestDecode = std::max(longestDecode, slice.startPos + i + 1);
        continue;
      }
      tiles.insert(tiles.end(), {int32_t(s), first + i, count, slice.startPos + i});
      ++numTiles_;
    }
    tableOffsets.push_back(int32_t(tables.size()));
    const int64_t used = (int64_t(slice.startPos) + n + bs - 1) / bs;
    tables.insert(tables.end(), slice.blocks.begin(), slice.blocks.begin() + used);
  }
  tokens_ = int64_t(tokens.size());
  rows_ = int64_t(rows.size());
  hostMeta_.clear();
  auto append = [&](const std::vector<int32_t>& v) {
    // 16-byte aligned starts: the tiles are read as int4-sized structs.
    while (hostMeta_.size() % 4) hostMeta_.push_back(0);
    const size_t at = hostMeta_.size();
    hostMeta_.insert(hostMeta_.end(), v.begin(), v.end());
    return at;
  };
  offTokens_ = append(tokens);
  offPositions_ = append(positions);
  offSlots_ = append(slots);
  offRows_ = append(rows);
  offTiles_ = append(tiles);
  offDecodeTiles_ = append(decodeTiles);
  numDecodeTiles_ = int(decodeTiles.size() / 4);
  decodeSplits_ =
      decodeAttentionSplits(numDecodeTiles_, config_.numKvHeads, multiprocessors_, longestDecode, config_.headDim);
  offTableOffsets_ = append(tableOffsets);
  offTables_ = append(tables);
  // Last: a decode graph bakes in the offsets it reads, fixed for its bucket only while every
  // array before them has the bucket's length. The pending pairs are read outside the graph.
  offPending_ = append(pending);
  numPending_ = int(pending.size() / 2);
  pinnedMeta_.reserve(hostMeta_.size());
  meta_.reserve(hostMeta_.size() * 2, "step indices");  // headroom: fewer regrowths
  std::memcpy(pinnedMeta_.get(), hostMeta_.data(), hostMeta_.size() * sizeof(int32_t));
  MX_CUDA_CHECK(cudaMemcpyAsync(meta_.get(), pinnedMeta_.get(), hostMeta_.size() * sizeof(int32_t),
                                cudaMemcpyHostToDevice, stream_));
}

void CudaBackend::ensureWorkspace(int64_t tokens, int64_t rows) {
  const engine::ModelConfig& c = config_;
  const size_t t = size_t(tokens), hidden = size_t(c.hiddenSize),
               qkvWidth = size_t(c.numHeads + 2 * c.numKvHeads) * c.headDim,
               qWidth = size_t(c.numHeads) * c.headDim, inter = size_t(c.intermediateSize);
  x_.reserve(t * hidden, "activations");
  ropeAngles_.reserve(t * size_t(c.headDim / 2), "activations");
  normed_.reserve(t * hidden, "activations");
  qkv_.reserve(t * qkvWidth, "activations");
  attn_.reserve(t * qWidth, "activations");
  gateUp_.reserve(t * 2 * inter, "activations");
  act_.reserve(t * inter, "activations");
  selected_.reserve(size_t(rows) * hidden, "activations");
  logits_.reserve(size_t(rows) * c.vocabSize, "logits");
  if (decodeSplits_ > 1) {
    partials_.reserve(size_t(decodeSplits_) * numDecodeTiles_ * c.numHeads * (c.headDim + 2), "attention partials");
    const size_t counters = size_t(numDecodeTiles_) * c.numKvHeads;
    if (splitCounters_.size() < counters) {  // zeroed once: the kernel leaves them at zero
      splitCounters_.allocate(counters, "attention split counters");
      MX_CUDA_CHECK(cudaMemsetAsync(splitCounters_.get(), 0, splitCounters_.bytes(), stream_));
    }
  }
  pinnedLogits_.reserve(size_t(rows) * c.vocabSize);
}

void CudaBackend::forward(std::span<const SeqSlice> batch, std::vector<float>& logits) {
  StepGuard guard(stream_);
  if (!launches_.empty()) throw std::logic_error("cuda backend: forward() while launched steps are uncollected");
  validate(batch);
  logits.clear();
  if (batch.empty()) return;
  MX_CUDA_CHECK(cudaSetDevice(device_));
  prepareStep(batch);
  queueLogits();
  const int64_t vocab = config_.vocabSize;
  const size_t count = size_t(rows_ * vocab);
  MX_CUDA_CHECK(cudaMemcpyAsync(pinnedLogits_.get(), logits_.get(), count * sizeof(float),
                                cudaMemcpyDeviceToHost, stream_));
  MX_CUDA_CHECK(cudaStreamSynchronize(stream_));
  logits.resize(count);
  // Large batches bring back rows × 128k floats; one thread's memcpy would be the step's tail.
  constexpr size_t kChunk = size_t(1) << 20;
  tbb::parallel_for(size_t(0), (count + kChunk - 1) / kChunk, [&](size_t i) {
    const size_t begin = i * kChunk, n = std::min(kChunk, count - begin);
    std::memcpy(logits.data() + begin, pinnedLogits_.get() + begin, n * sizeof(float));
  });
}

bool CudaBackend::forwardSample(std::span<const SeqSlice> batch,
                                std::span<const engine::SampleSpec> specs,
                                std::vector<int32_t>& tokens) {
  if (!launches_.empty())
    throw std::logic_error("cuda backend: forwardSample() while launched steps are uncollected");
  if (!launchSample(batch, specs)) return false;
  collectSample(tokens);
  return true;
}

bool CudaBackend::launchSample(std::span<const SeqSlice> batch, std::span<const engine::SampleSpec> specs) {
  StepGuard guard(stream_);
  if (specs.size() != batch.size())
    throw std::invalid_argument("cuda backend: launchSample needs one spec per slice");
  for (const SeqSlice& slice : batch)
    if (slice.allLogits) return false;  // rows ≠ slices: leave it to forward()
  validate(batch);
  if (launches_.size() >= 2) throw std::logic_error("cuda backend: a third step launched before the first was collected");
  for (size_t s = 0; s < batch.size(); ++s) {
    const int32_t row = batch[s].previousRow;
    if (row >= 0 && (launches_.empty() || size_t(row) >= launches_.back().count))
      throw std::invalid_argument("cuda backend: slice " + std::to_string(s) + " takes row " + std::to_string(row) +
                                  " of a previous step that has no such row");
  }
  MX_CUDA_CHECK(cudaSetDevice(device_));
  // The previous launch's uploads read the pinned buffers refilled below.
  MX_CUDA_CHECK(cudaEventSynchronize(uploaded_));

  // A decode-only step replays a graph of its padded size; padding rows decode token 0 at
  // position 0 into the scratch block and are dropped.
  bool decodeOnly = true;
  for (const SeqSlice& slice : batch) decodeOnly = decodeOnly && slice.tokens.size() == 1;
  const int32_t bucket = decodeOnly && useGraphs_ ? DecodeGraphs::bucket(int64_t(batch.size())) : 0;
  std::vector<SeqSlice> padded;
  if (bucket > 0) {
    padded.assign(batch.begin(), batch.end());
    SeqSlice pad;
    pad.tokens = std::span<const int32_t>(&kPadToken, 1);
    pad.blocks = std::span<const int32_t>(&scratchBlock_, 1);
    padded.resize(size_t(bucket), pad);
    batch = padded;
  }
  prepareStep(batch);  // one row per slice: no slice asks for allLogits
  // Before tokensOut_ takes this step's draws (or grows: that waits for the device first).
  fillPendingTokens(meta_.get() + offTokens_, meta_.get() + offPending_, numPending_, tokensOut_.get(), stream_);
  const size_t rows = size_t(rows_);
  pinnedSpecs_.reserve(rows);
  specs_.reserve(rows, "sampling specs");
  tokensOut_.reserve(rows, "sampled tokens");
  for (size_t r = 0; r < rows; ++r) {
    const engine::SampleSpec spec = r < specs.size() ? specs[r] : engine::SampleSpec{};
    pinnedSpecs_.get()[r] = {spec.temperature, spec.uniform, spec.topK, spec.topP, spec.minP, spec.repetitionPenalty};
  }
  MX_CUDA_CHECK(cudaMemcpyAsync(specs_.get(), pinnedSpecs_.get(), rows * sizeof(RowSample),
                                cudaMemcpyHostToDevice, stream_));
  const bool penalized = uploadPenaltyContexts(specs, rows);
  MX_CUDA_CHECK(cudaEventRecord(uploaded_, stream_));
  auto queue = [&] {
    queueLogits();
    const int vocab = config_.vocabSize;
    if (penalized)  // the offsets [rows + 1], then the ids
      penalizeRows(logits_.get(), rows_, vocab, contexts_.get(), contexts_.get() + rows + 1, specs_.get(),
                   seenIds_.get(), stream_);
    DependentLaunchScope overlap(tokens_ == 1);
    sampleRows(logits_.get(), rows_, vocab, specs_.get(), tokensOut_.get(), stream_);
  };
  // A graph per bucket, decode split count (it follows the context, not the batch) and whether
  // the penalty kernel runs.
  if (bucket > 0) graphs_.launch(bucket, decodeSplits_ * 2 + int32_t(penalized), bufferAddresses(), stream_, queue);
  else queue();
  // This slot's last draws were collected before: at most two launches are outstanding.
  const int slot = nextSlot_;
  pinnedTokens_[slot].reserve(rows);
  MX_CUDA_CHECK(cudaMemcpyAsync(pinnedTokens_[slot].get(), tokensOut_.get(), rows * sizeof(int32_t),
                                cudaMemcpyDeviceToHost, stream_));
  MX_CUDA_CHECK(cudaEventRecord(drawn_[slot], stream_));
  launches_.push_back({slot, specs.size()});
  nextSlot_ ^= 1;
  return true;
}

void CudaBackend::collectSample(std::vector<int32_t>& tokens) {
  if (launches_.empty()) throw std::logic_error("cuda backend: collectSample with no step launched");
  const Launch launch = launches_.front();
  launches_.pop_front();
  MX_CUDA_CHECK(cudaEventSynchronize(drawn_[launch.slot]));
  tokens.assign(pinnedTokens_[launch.slot].get(), pinnedTokens_[launch.slot].get() + launch.count);
}

bool CudaBackend::uploadPenaltyContexts(std::span<const engine::SampleSpec> specs, size_t rows) {
  bool any = false;
  hostContexts_.assign(rows + 1, 0);  // offsets, then the penalised rows' ids
  for (size_t r = 0; r < rows; ++r) {
    const bool penalized = r < specs.size() && specs[r].penalized();
    hostContexts_[r + 1] = hostContexts_[r] + (penalized ? int32_t(specs[r].context.size()) : 0);
    if (penalized) {
      hostContexts_.insert(hostContexts_.end(), specs[r].context.begin(), specs[r].context.end());
      any = true;
    }
  }
  if (!any) return false;
  pinnedContexts_.reserve(hostContexts_.size());
  contexts_.reserve(hostContexts_.size() * 2, "penalty contexts");  // headroom: fewer regrowths
  std::memcpy(pinnedContexts_.get(), hostContexts_.data(), hostContexts_.size() * sizeof(int32_t));
  MX_CUDA_CHECK(cudaMemcpyAsync(contexts_.get(), pinnedContexts_.get(), hostContexts_.size() * sizeof(int32_t),
                                cudaMemcpyHostToDevice, stream_));
  const size_t words = rows * size_t((config_.vocabSize + 31) / 32);
  if (seenIds_.size() < words) {  // zeroed once: the kernel leaves them at zero
    seenIds_.allocate(words, "penalty bitmaps");
    MX_CUDA_CHECK(cudaMemsetAsync(seenIds_.get(), 0, seenIds_.bytes(), stream_));
  }
  return true;
}

std::vector<const void*> CudaBackend::bufferAddresses() const {
  const int32_t* meta = meta_.get();  // and where each index array starts in it
  return {meta,          x_.get(),         qkv_.get(),      logits_.get(),   partials_.get(),
          ropeAngles_.get(), splitCounters_.get(), normed_.get(), attn_.get(),   gateUp_.get(),
          act_.get(),    selected_.get(),  specs_.get(),    tokensOut_.get(), cache_.get(),
          contexts_.get(), seenIds_.get(),  meta + offTokens_, meta + offPositions_, meta + offSlots_,
          meta + offRows_, meta + offTiles_, meta + offDecodeTiles_, meta + offTableOffsets_, meta + offTables_};
}

void CudaBackend::prepareStep(std::span<const SeqSlice> batch) {
  // The previous step's uploads are done (a stream sync, or launchSample's wait on uploaded_),
  // so the pinned upload buffer is free.
  uploadStep(batch);
  ensureWorkspace(tokens_, rows_);
}

void CudaBackend::queueLogits() {
  // Kernels of a one-token step may start while the one before finishes (ops/DependentLaunch.cuh).
  DependentLaunchScope overlap(tokens_ == 1);
  const int32_t* meta = meta_.get();
  const int hidden = config_.hiddenSize;
  const int64_t vocab = config_.vocabSize;

  embed(meta + offTokens_, weights_.embedTable(), x_.get(), tokens_, hidden, stream_);
  ropeAngles(meta + offPositions_, tokens_, invFreq_.get(), config_.headDim, ropeAngles_.get(), stream_);
  for (int layer = 0; layer < config_.numLayers; ++layer) runLayer(layer);
  // Only the rows asked for go through the final norm and lm_head, the largest GEMM.
  rmsNorm(x_.get(), meta + offRows_, weights_.finalNorm.get(), selected_.get(), rows_, hidden,
          float(config_.rmsNormEps), stream_);
  gemm_->linear(selected_.get(), rows_, hidden, weights_.lmHead.get(), vocab, logits_.get(), CUDA_R_32F);
}

void CudaBackend::normedLinear(const float* normWeight, const bf16* w, int64_t n, void* y, cudaDataType_t yType) {
  const int hidden = config_.hiddenSize;
  const float eps = float(config_.rmsNormEps);
  if (fuseIntoGemv() && gemvNormed({x_.get(), nullptr, normWeight, eps}, tokens_, hidden, w, n, y, yType, 0.0f, stream_))
    return;
  rmsNorm(x_.get(), nullptr, normWeight, normed_.get(), tokens_, hidden, eps, stream_);
  gemm_->linear(normed_.get(), tokens_, hidden, w, n, y, yType);
}

void CudaBackend::runLayer(int layer) {
  const CudaLayer& w = weights_.layers[size_t(layer)];
  const engine::ModelConfig& c = config_;
  const int hidden = c.hiddenSize, heads = c.numHeads, kvHeads = c.numKvHeads, hd = c.headDim;
  const int qWidth = heads * hd, qkvWidth = (heads + 2 * kvHeads) * hd, inter = c.intermediateSize;
  const int32_t* meta = meta_.get();

  // x: [T, hidden] → qkv: [T, q | k | v] fp32
  normedLinear(w.attnNorm.get(), w.qkv.get(), qkvWidth, qkv_.get(), CUDA_R_32F);

  RopeStoreArgs r;
  r.qkv = qkv_.get();
  r.tokens = tokens_;
  r.qkvStride = qkvWidth;
  r.heads = heads;
  r.kvHeads = kvHeads;
  r.headDim = hd;
  r.bias = w.qkvBias.size() ? w.qkvBias.get() : nullptr;
  r.slots = meta + offSlots_;
  r.angles = ropeAngles_.get();
  r.cache = cache_.get();
  r.kv = kv_;
  r.layer = layer;
  ropeAndStore(r, stream_);

  AttentionArgs a;
  a.qkv = qkv_.get();
  a.qkvStride = qkvWidth;
  a.heads = heads;
  a.out = attn_.get();
  a.cache = cache_.get();
  a.kv = kv_;
  a.layer = layer;
  a.tiles = reinterpret_cast<const AttentionTile*>(meta + offTiles_);
  a.numTiles = numTiles_;
  a.blockTables = meta + offTables_;
  a.tableOffsets = meta + offTableOffsets_;
  attention(a, stream_);
  if (numDecodeTiles_ > 0) {
    a.tiles = reinterpret_cast<const AttentionTile*>(meta + offDecodeTiles_);
    a.numTiles = numDecodeTiles_;
    decodeAttention(a, decodeSplits_, partials_.get(), splitCounters_.get(), stream_);
  }

  // x += attn · Woᵀ: the residual add is the GEMM's beta.
  gemm_->linear(attn_.get(), tokens_, qWidth, w.o.get(), hidden, x_.get(), CUDA_R_32F, 1.0f);
  // act = swiglu(rmsnorm(x)·Wgateupᵀ): at one token a step, one GEMV that normalises its input and
  // writes the SwiGLU of each gate and up pair.
  if (!fuseIntoGemv() || !gemvNormedSwiGlu({x_.get(), nullptr, w.mlpNorm.get(), float(c.rmsNormEps)}, tokens_, hidden,
                                           w.gateUp.get(), inter, act_.get(), stream_)) {
    normedLinear(w.mlpNorm.get(), w.gateUp.get(), 2 * inter, gateUp_.get(), CUDA_R_16BF);
    swiGlu(gateUp_.get(), act_.get(), tokens_, inter, stream_);
  }
  // x += act·Wdownᵀ
  gemm_->linear(act_.get(), tokens_, inter, w.down.get(), hidden, x_.get(), CUDA_R_32F, 1.0f);
}

}  // namespace mx::gpu
