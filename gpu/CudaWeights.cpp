// CudaWeights.cpp — Hugging Face tensor names → bf16 device matrices (loaded or random).
#include "CudaWeights.h"

#include <cmath>
#include <string>

#include "CudaCheck.h"
#include "ops/Fill.cuh"

namespace mx::gpu {
namespace {

using Shape = std::vector<int64_t>;
using engine::ModelConfig;

struct Dims {
  int64_t hidden, qRows, kvRows, inter, vocab;
  explicit Dims(const ModelConfig& c)
      : hidden(c.hiddenSize), qRows(int64_t(c.numHeads) * c.headDim),
        kvRows(int64_t(c.numKvHeads) * c.headDim), inter(c.intermediateSize), vocab(c.vocabSize) {}
  int64_t qkvRows() const { return qRows + 2 * kvRows; }
};

// Rounds fp32 to bf16 on the host (round to nearest even: the checkpoint's bf16 values come back
// unchanged) and uploads, concatenating `parts` row-wise (q|k|v, gate|up).
DeviceBuffer<bf16> uploadBf16(std::initializer_list<const std::vector<float>*> parts, const char* what) {
  size_t total = 0;
  for (const auto* p : parts) total += p->size();
  std::vector<bf16> host;
  host.reserve(total);
  for (const auto* p : parts)
    for (float f : *p) host.push_back(__float2bfloat16_rn(f));
  DeviceBuffer<bf16> d(total, what);
  MX_CUDA_CHECK(cudaMemcpy(d.get(), host.data(), total * sizeof(bf16), cudaMemcpyHostToDevice));
  return d;
}

DeviceBuffer<float> uploadFloat(const std::vector<float>& v, const char* what) {
  DeviceBuffer<float> d(v.size(), what);
  MX_CUDA_CHECK(cudaMemcpy(d.get(), v.data(), v.size() * sizeof(float), cudaMemcpyHostToDevice));
  return d;
}

}  // namespace

int64_t weightBytes(const ModelConfig& c) {
  const Dims d(c);
  const int64_t perLayer = (d.qkvRows() * d.hidden + d.hidden * d.qRows + 3 * d.hidden * d.inter) * 2 +
                           (2 * d.hidden + (c.attentionBias ? d.qkvRows() : 0)) * 4;
  return perLayer * c.numLayers + d.vocab * d.hidden * 2 * (c.tieEmbeddings ? 1 : 2) + d.hidden * 4;
}

void requireFreeMemory(int64_t bytes, const char* what) {
  size_t freeBytes = 0, totalBytes = 0;
  MX_CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
  if (uint64_t(bytes) <= freeBytes) return;
  int device = 0;
  MX_CUDA_CHECK(cudaGetDevice(&device));
  cudaDeviceProp prop{};
  MX_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  throw std::runtime_error("cuda backend: " + std::string(what) + " needs " + std::to_string(bytes) +
                           " bytes of GPU memory, device " + std::to_string(device) + " (" +
                           prop.name + ") has " + std::to_string(freeBytes) + " of " +
                           std::to_string(totalBytes) + " bytes free");
}

CudaWeights loadCudaWeights(const engine::TensorStore& store, const ModelConfig& c) {
  requireFreeMemory(weightBytes(c), "the model's weights");
  const Dims d(c);
  CudaWeights w;
  auto embed = store.readFloat("model.embed_tokens.weight", Shape{d.vocab, d.hidden});
  w.finalNorm = uploadFloat(store.readFloat("model.norm.weight", Shape{d.hidden}), "final norm");
  for (int32_t i = 0; i < c.numLayers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    CudaLayer l;
    l.attnNorm = uploadFloat(store.readFloat(p + "input_layernorm.weight", Shape{d.hidden}), "norm");
    l.mlpNorm = uploadFloat(store.readFloat(p + "post_attention_layernorm.weight", Shape{d.hidden}), "norm");
    {
      auto q = store.readFloat(p + "self_attn.q_proj.weight", Shape{d.qRows, d.hidden});
      auto k = store.readFloat(p + "self_attn.k_proj.weight", Shape{d.kvRows, d.hidden});
      auto v = store.readFloat(p + "self_attn.v_proj.weight", Shape{d.kvRows, d.hidden});
      l.qkv = uploadBf16({&q, &k, &v}, "qkv_proj");
    }
    if (c.attentionBias) {
      auto q = store.readFloat(p + "self_attn.q_proj.bias", Shape{d.qRows});
      auto k = store.readFloat(p + "self_attn.k_proj.bias", Shape{d.kvRows});
      auto v = store.readFloat(p + "self_attn.v_proj.bias", Shape{d.kvRows});
      std::vector<float> all(q);
      all.insert(all.end(), k.begin(), k.end());
      all.insert(all.end(), v.begin(), v.end());
      l.qkvBias = uploadFloat(all, "qkv bias");
    }
    {
      auto o = store.readFloat(p + "self_attn.o_proj.weight", Shape{d.hidden, d.qRows});
      l.o = uploadBf16({&o}, "o_proj");
    }
    {
      auto gate = store.readFloat(p + "mlp.gate_proj.weight", Shape{d.inter, d.hidden});
      auto up = store.readFloat(p + "mlp.up_proj.weight", Shape{d.inter, d.hidden});
      l.gateUp = uploadBf16({&gate, &up}, "gate_up_proj");
    }
    {
      auto down = store.readFloat(p + "mlp.down_proj.weight", Shape{d.hidden, d.inter});
      l.down = uploadBf16({&down}, "down_proj");
    }
    w.layers.push_back(std::move(l));
  }
  // Tied: transformers ignores any stored lm_head.weight and uses the embeddings; so do we.
  if (c.tieEmbeddings) {
    w.lmHead = uploadBf16({&embed}, "lm_head");
  } else {
    auto head = store.readFloat("lm_head.weight", Shape{d.vocab, d.hidden});
    w.lmHead = uploadBf16({&head}, "lm_head");
    w.embed = uploadBf16({&embed}, "embed_tokens");
  }
  return w;
}

CudaWeights randomCudaWeights(const ModelConfig& c, uint64_t seed) {
  requireFreeMemory(weightBytes(c), "the model's weights");
  const Dims d(c);
  uint64_t stream = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
  auto next = [&] { return stream += 0x9e3779b97f4a7c15ull; };
  auto matrix = [&](int64_t n, int64_t k, const char* what) {
    DeviceBuffer<bf16> m(size_t(n * k), what);
    fillUniform(m.get(), n * k, next(), 0.0f, 1.0f / std::sqrt(float(k)), nullptr);
    return m;
  };
  auto vector = [&](int64_t n, float center, float scale, const char* what) {
    DeviceBuffer<float> v(size_t(n), what);
    fillUniform(v.get(), n, next(), center, scale, nullptr);
    return v;
  };
  CudaWeights w;
  for (int32_t i = 0; i < c.numLayers; ++i) {
    CudaLayer l;
    l.attnNorm = vector(d.hidden, 1.0f, 0.1f, "norm");
    l.mlpNorm = vector(d.hidden, 1.0f, 0.1f, "norm");
    l.qkv = matrix(d.qkvRows(), d.hidden, "qkv_proj");
    if (c.attentionBias) l.qkvBias = vector(d.qkvRows(), 0.0f, 0.1f, "qkv bias");
    l.o = matrix(d.hidden, d.qRows, "o_proj");
    l.gateUp = matrix(2 * d.inter, d.hidden, "gate_up_proj");
    l.down = matrix(d.hidden, d.inter, "down_proj");
    w.layers.push_back(std::move(l));
  }
  w.finalNorm = vector(d.hidden, 1.0f, 0.1f, "final norm");
  w.lmHead = matrix(d.vocab, d.hidden, "lm_head");
  // Embedding rows of O(1) values, as the CPU backend's random weights.
  if (!c.tieEmbeddings) {
    w.embed = DeviceBuffer<bf16>(size_t(d.vocab * d.hidden), "embed_tokens");
    fillUniform(w.embed.get(), d.vocab * d.hidden, next(), 0.0f, 1.0f, nullptr);
  }
  MX_CUDA_CHECK(cudaDeviceSynchronize());
  return w;
}

}  // namespace mx::gpu
