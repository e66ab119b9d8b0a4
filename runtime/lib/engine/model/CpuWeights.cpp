// CpuWeights.cpp — Hugging Face tensor names → the CPU backend's packed fp32 weights.
#include "CpuWeights.h"

#include <cstring>
#include <string>

namespace mx::engine::cpu {
namespace {

using Shape = std::vector<int64_t>;

// Stacks same-width matrices row-wise: q/k/v into qkv, gate/up into gateUp.
std::vector<float> stackRows(std::initializer_list<const std::vector<float>*> parts) {
  size_t total = 0;
  for (const auto* p : parts) total += p->size();
  std::vector<float> out;
  out.reserve(total);
  for (const auto* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

}  // namespace

void CpuWeights::embedRow(int32_t token, float* out) const {
  if (embed.empty()) {
    lmHead.copyRow(token, out);
    return;
  }
  const int64_t width = lmHead.cols();
  std::memcpy(out, embed.data() + token * width, size_t(width) * sizeof(float));
}

int64_t CpuWeights::linearParams() const {
  int64_t n = lmHead.rows() * lmHead.cols();
  for (const LayerWeights& l : layers)
    for (const PackedMatrix* m : {&l.qkv, &l.o, &l.gateUp, &l.down}) n += m->rows() * m->cols();
  return n;
}

CpuWeights loadWeights(const TensorStore& store, const ModelConfig& c, const GemmKernel& kernel) {
  const int64_t hidden = c.hiddenSize, qRows = int64_t(c.numHeads) * c.headDim,
                kvRows = int64_t(c.numKvHeads) * c.headDim, inter = c.intermediateSize;
  CpuWeights w;
  std::vector<float> embed = store.readFloat("model.embed_tokens.weight", Shape{c.vocabSize, hidden});
  w.finalNorm = store.readFloat("model.norm.weight", Shape{hidden});
  for (int32_t i = 0; i < c.numLayers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    LayerWeights l;
    l.attnNorm = store.readFloat(p + "input_layernorm.weight", Shape{hidden});
    l.mlpNorm = store.readFloat(p + "post_attention_layernorm.weight", Shape{hidden});
    {
      auto q = store.readFloat(p + "self_attn.q_proj.weight", Shape{qRows, hidden});
      auto k = store.readFloat(p + "self_attn.k_proj.weight", Shape{kvRows, hidden});
      auto v = store.readFloat(p + "self_attn.v_proj.weight", Shape{kvRows, hidden});
      l.qkv = PackedMatrix(stackRows({&q, &k, &v}).data(), qRows + 2 * kvRows, hidden, kernel);
    }
    if (c.attentionBias) {
      auto q = store.readFloat(p + "self_attn.q_proj.bias", Shape{qRows});
      auto k = store.readFloat(p + "self_attn.k_proj.bias", Shape{kvRows});
      auto v = store.readFloat(p + "self_attn.v_proj.bias", Shape{kvRows});
      l.qkvBias = stackRows({&q, &k, &v});
    }
    l.o = PackedMatrix(store.readFloat(p + "self_attn.o_proj.weight", Shape{hidden, qRows}).data(),
                       hidden, qRows, kernel);
    {
      auto gate = store.readFloat(p + "mlp.gate_proj.weight", Shape{inter, hidden});
      auto up = store.readFloat(p + "mlp.up_proj.weight", Shape{inter, hidden});
      l.gateUp = PackedMatrix(stackRows({&gate, &up}).data(), 2 * inter, hidden, kernel);
    }
    l.down = PackedMatrix(store.readFloat(p + "mlp.down_proj.weight", Shape{hidden, inter}).data(),
                          hidden, inter, kernel);
    w.layers.push_back(std::move(l));
  }
  // Tied: transformers ignores any stored lm_head.weight and uses the embeddings; so do we, and
  // then keep only the packed copy (embedRow reads it back).
  if (c.tieEmbeddings) {
    w.lmHead = PackedMatrix(embed.data(), c.vocabSize, hidden, kernel);
  } else {
    w.lmHead = PackedMatrix(store.readFloat("lm_head.weight", Shape{c.vocabSize, hidden}).data(),
                            c.vocabSize, hidden, kernel);
    w.embed = std::move(embed);
  }
  return w;
}

}  // namespace mx::engine::cpu
