// ModelConfig.cpp — config.json (hub and transformers-5 layouts) and generation_config.json.
#include "mx/engine/ModelConfig.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace mx::engine {
namespace {

using Json = nlohmann::json;

// The decoders whose forward pass is the one the backends implement: pre-norm RMSNorm, RoPE,
// GQA attention, SiLU-gated MLP. Mistral and SmolLM checkpoints use these classes too.
struct Family {
  const char* architecture;
  const char* modelType;
  bool qkvBias;  // Qwen2 always has q/k/v biases; its config has no key for them
};
constexpr Family kFamilies[] = {
    {"LlamaForCausalLM", "llama", false},
    {"MistralForCausalLM", "mistral", false},
    {"Qwen2ForCausalLM", "qwen2", true},
};

class Reader {
 public:
  Reader(const Json& j, const std::string& path) : j_(j), path_(path) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(path_ + ": " + what);
  }
  const Json* find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  int32_t positiveInt(const char* key) const {
    const Json* v = find(key);
    if (!v) fail(std::string("missing key '") + key + "'");
    if (!v->is_number_integer() || v->get<int64_t>() <= 0 || v->get<int64_t>() > INT32_MAX)
      fail(std::string("'") + key + "' must be a positive integer");
    return v->get<int32_t>();
  }
  int32_t positiveInt(const char* key, int32_t fallback) const {
    return find(key) ? positiveInt(key) : fallback;
  }
  double number(const Json& obj, const char* key, double fallback) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (!it->is_number()) fail(std::string("'") + key + "' must be a number");
    return it->get<double>();
  }
  bool boolean(const char* key, bool fallback) const {
    const Json* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) fail(std::string("'") + key + "' must be true or false");
    return v->get<bool>();
  }

 private:
  const Json& j_;
  const std::string& path_;
};

Json parseObject(const std::string& text, const std::string& path) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(path + ": not valid JSON");
  if (!j.is_object()) throw std::runtime_error(path + ": not a JSON object");
  return j;
}

// Reads `rope_scaling` (hub) or `rope_parameters` (transformers 5); both hold the same keys.
void readRope(const Reader& r, const Json& j, ModelConfig& c) {
  const Json* params = r.find("rope_parameters");
  const Json* scaling = r.find("rope_scaling");
  const Json* rope = params ? params : scaling;
  if (rope && !rope->is_object()) r.fail("'rope_parameters'/'rope_scaling' must be an object");
  c.ropeTheta = r.number(j, "rope_theta", 10000.0);
  if (!rope) return;
  c.ropeTheta = r.number(*rope, "rope_theta", c.ropeTheta);
  std::string type = "default";
  for (const char* key : {"rope_type", "type"}) {
    auto it = rope->find(key);
    if (it != rope->end() && it->is_string()) {
      type = it->get<std::string>();
      break;
    }
  }
  if (type != "default" && type != "llama3")
    r.fail("rope type '" + type + "' is not supported (only default and llama3)");
  c.ropeScaling.type = type;
  if (type != "llama3") return;
  c.ropeScaling.factor = r.number(*rope, "factor", 0);
  c.ropeScaling.lowFreqFactor = r.number(*rope, "low_freq_factor", 1.0);
  c.ropeScaling.highFreqFactor = r.number(*rope, "high_freq_factor", 4.0);
  c.ropeScaling.originalMaxPositions =
      int64_t(r.number(*rope, "original_max_position_embeddings", 0));
  if (c.ropeScaling.factor <= 0 || c.ropeScaling.originalMaxPositions <= 0 ||
      c.ropeScaling.highFreqFactor <= c.ropeScaling.lowFreqFactor)
    r.fail("llama3 rope scaling needs factor > 0, original_max_position_embeddings > 0 and "
           "high_freq_factor > low_freq_factor");
}

// eos_token_id is an int or a list of ints; bos/pad are ints. Absent keys leave `c` unchanged.
void readSpecialIds(const Reader& r, ModelConfig& c) {
  auto id = [&](const Json& v, const char* key) {
    if (!v.is_number_integer()) r.fail(std::string("'") + key + "' must be an integer");
    return v.get<int32_t>();
  };
  if (const Json* v = r.find("bos_token_id")) c.bosTokenId = id(*v, "bos_token_id");
  if (const Json* v = r.find("pad_token_id")) c.padTokenId = id(*v, "pad_token_id");
  if (const Json* v = r.find("eos_token_id")) {
    c.eosTokenIds.clear();
    if (v->is_array()) {
      for (const Json& e : *v) c.eosTokenIds.push_back(id(e, "eos_token_id"));
    } else {
      c.eosTokenIds.push_back(id(*v, "eos_token_id"));
    }
  }
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ModelConfig ModelConfig::parse(const std::string& configJson, const std::string& generationConfig,
                               const std::string& configPath) {
  Json j = parseObject(configJson, configPath);
  Reader r(j, configPath);
  ModelConfig c;

  const Json* archs = r.find("architectures");
  if (archs && archs->is_array() && !archs->empty() && (*archs)[0].is_string())
    c.architecture = (*archs)[0].get<std::string>();
  std::string modelType;
  if (const Json* t = r.find("model_type"); t && t->is_string()) modelType = t->get<std::string>();
  const Family* family = nullptr;
  for (const Family& f : kFamilies)
    if (c.architecture == f.architecture || (c.architecture.empty() && modelType == f.modelType))
      family = &f;
  if (!family)
    r.fail("unsupported architecture '" + (c.architecture.empty() ? modelType : c.architecture) +
           "' (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM)");
  if (c.architecture.empty()) c.architecture = family->architecture;

  c.hiddenSize = r.positiveInt("hidden_size");
  c.numLayers = r.positiveInt("num_hidden_layers");
  c.numHeads = r.positiveInt("num_attention_heads");
  c.numKvHeads = r.positiveInt("num_key_value_heads", c.numHeads);
  c.intermediateSize = r.positiveInt("intermediate_size");
  c.vocabSize = r.positiveInt("vocab_size");
  c.maxPositions = r.positiveInt("max_position_embeddings", 2048);
  if (c.numHeads % c.numKvHeads != 0)
    r.fail("num_attention_heads (" + std::to_string(c.numHeads) +
           ") is not a multiple of num_key_value_heads (" + std::to_string(c.numKvHeads) + ")");
  if (!r.find("head_dim") && c.hiddenSize % c.numHeads != 0)
    r.fail("hidden_size is not a multiple of num_attention_heads and there is no head_dim");
  c.headDim = r.positiveInt("head_dim", c.hiddenSize / c.numHeads);
  if (c.headDim % 2 != 0) r.fail("head_dim must be even for rotary embeddings");
  c.rmsNormEps = r.number(j, "rms_norm_eps", 1e-6);
  readRope(r, j, c);
  c.tieEmbeddings = r.boolean("tie_word_embeddings", false);
  c.attentionBias = family->qkvBias || r.boolean("attention_bias", false);
  if (r.boolean("mlp_bias", false)) r.fail("mlp_bias is not supported");
  if (const Json* act = r.find("hidden_act");
      act && !(act->is_string() && (*act == "silu" || *act == "swish")))
    r.fail("hidden_act must be silu");
  for (const char* key : {"dtype", "torch_dtype"})
    if (const Json* d = r.find(key); d && d->is_string() && c.dtype.empty())
      c.dtype = d->get<std::string>();

  readSpecialIds(r, c);
  if (!generationConfig.empty()) {
    std::string genPath = (std::filesystem::path(configPath).parent_path() /
                           "generation_config.json").string();
    Json g = parseObject(generationConfig, genPath);
    readSpecialIds(Reader(g, genPath), c);
  }
  return c;
}

ModelConfig ModelConfig::load(const std::filesystem::path& dir) {
  std::filesystem::path configPath = dir / "config.json";
  std::filesystem::path genPath = dir / "generation_config.json";
  std::string generation;
  std::error_code ec;
  if (std::filesystem::exists(genPath, ec)) generation = readFile(genPath);
  return parse(readFile(configPath), generation, configPath.string());
}

}  // namespace mx::engine
