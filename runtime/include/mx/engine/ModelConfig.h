// ModelConfig.h — the shape of a Llama-family decoder, read from a Hugging Face config.json
// (both the hub layout and the transformers-5 layout, which moves rope_theta into
// rope_parameters and torch_dtype to dtype) and generation_config.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mx::engine {

struct RopeScaling {
  std::string type = "default";  // "default" or "llama3"
  double factor = 1.0;
  double lowFreqFactor = 1.0;
  double highFreqFactor = 4.0;
  int64_t originalMaxPositions = 0;
};

struct ModelConfig {
  std::string architecture;  // LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM, ...
  int32_t hiddenSize = 0;
  int32_t numLayers = 0;
  int32_t numHeads = 0;
  int32_t numKvHeads = 0;
  int32_t headDim = 0;
  int32_t intermediateSize = 0;
  int32_t vocabSize = 0;
  int32_t maxPositions = 0;
  double rmsNormEps = 1e-5;
  double ropeTheta = 10000.0;
  RopeScaling ropeScaling;
  bool tieEmbeddings = false;
  bool attentionBias = false;  // q/k/v biases (Qwen2)
  std::string dtype;           // of the stored weights: bfloat16, float16, float32

  // generation_config.json (or config.json when absent there)
  int32_t bosTokenId = -1;
  std::vector<int32_t> eosTokenIds;
  int32_t padTokenId = -1;

  /// Reads config.json (and generation_config.json when present) in `dir`.
  /// Throws std::runtime_error naming the file and the key that is missing or wrong.
  static ModelConfig load(const std::filesystem::path& dir);
  /// Reads one config.json; `generationConfig` may be empty.
  static ModelConfig parse(const std::string& configJson, const std::string& generationConfig,
                           const std::string& configPath);
};

}  // namespace mx::engine
