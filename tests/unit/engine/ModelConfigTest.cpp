// ModelConfigTest.cpp — ModelConfig::load/parse on the three fixture configs (transformers-5 and
// hub layouts) and on configs that are wrong in one way each.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mx/engine/ModelConfig.h"

namespace mx::engine {
namespace {

const std::string kRoot = MX_SOURCE_DIR;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The message of the runtime_error that parse throws, or "" when it does not throw.
std::string parseError(const std::string& config, const std::string& generation = "") {
  try {
    ModelConfig::parse(config, generation, "/m/config.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

const char* kMinimal = R"({"architectures": ["LlamaForCausalLM"], "hidden_size": 64,
  "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128,
  "vocab_size": 100)";

TEST(ModelConfig, TinyArithTransformers5Layout) {
  ModelConfig c = ModelConfig::load(kRoot + "/models/tiny-arith");
  EXPECT_EQ(c.architecture, "LlamaForCausalLM");
  EXPECT_EQ(c.hiddenSize, 256);
  EXPECT_EQ(c.numLayers, 4);
  EXPECT_EQ(c.numHeads, 8);
  EXPECT_EQ(c.numKvHeads, 4);
  EXPECT_EQ(c.headDim, 32);
  EXPECT_EQ(c.intermediateSize, 704);
  EXPECT_EQ(c.vocabSize, 1024);
  EXPECT_EQ(c.maxPositions, 512);
  EXPECT_DOUBLE_EQ(c.rmsNormEps, 1e-5);
  EXPECT_DOUBLE_EQ(c.ropeTheta, 10000.0);  // from rope_parameters: there is no top-level key
  EXPECT_EQ(c.ropeScaling.type, "default");
  EXPECT_TRUE(c.tieEmbeddings);
  EXPECT_FALSE(c.attentionBias);
  EXPECT_EQ(c.dtype, "bfloat16");  // "dtype", not "torch_dtype"
  EXPECT_EQ(c.bosTokenId, 0);
  EXPECT_EQ(c.eosTokenIds, std::vector<int32_t>{4});
  EXPECT_EQ(c.padTokenId, 0);
}

TEST(ModelConfig, Llama1bShapeHubLayout) {
  std::string path = kRoot + "/tests/fixtures/model-shapes/llama-1b.json";
  ModelConfig c = ModelConfig::parse(readFile(path), "", path);
  EXPECT_EQ(c.hiddenSize, 2048);
  EXPECT_EQ(c.numLayers, 16);
  EXPECT_EQ(c.numHeads, 32);
  EXPECT_EQ(c.numKvHeads, 8);
  EXPECT_EQ(c.headDim, 64);
  EXPECT_EQ(c.intermediateSize, 8192);
  EXPECT_EQ(c.vocabSize, 128256);
  EXPECT_EQ(c.maxPositions, 131072);
  EXPECT_DOUBLE_EQ(c.ropeTheta, 500000.0);
  EXPECT_EQ(c.ropeScaling.type, "default");  // rope_scaling: null
  EXPECT_TRUE(c.tieEmbeddings);
  EXPECT_FALSE(c.attentionBias);
  EXPECT_EQ(c.dtype, "bfloat16");
  EXPECT_EQ(c.bosTokenId, 128000);
  EXPECT_EQ(c.eosTokenIds, std::vector<int32_t>{128001});
}

TEST(ModelConfig, Qwen05bShapeImpliesBiasAndHeadDim) {
  std::string path = kRoot + "/tests/fixtures/model-shapes/qwen-0.5b.json";
  ModelConfig c = ModelConfig::parse(readFile(path), "", path);
  EXPECT_EQ(c.architecture, "Qwen2ForCausalLM");
  EXPECT_EQ(c.headDim, 64);  // no head_dim key: 896 / 14
  EXPECT_EQ(c.numKvHeads, 2);
  EXPECT_TRUE(c.attentionBias);  // Qwen2 has q/k/v biases without a config key
  EXPECT_DOUBLE_EQ(c.rmsNormEps, 1e-6);
  EXPECT_DOUBLE_EQ(c.ropeTheta, 1000000.0);
  EXPECT_EQ(c.vocabSize, 151936);
}

TEST(ModelConfig, Llama3RopeScalingInBothLayouts) {
  std::string base = kMinimal;
  std::string hub = base + R"(, "rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3",
    "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192}})";
  std::string t5 = base + R"(, "rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3",
    "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192}})";
  for (const std::string& text : {hub, t5}) {
    ModelConfig c = ModelConfig::parse(text, "", "/m/config.json");
    EXPECT_DOUBLE_EQ(c.ropeTheta, 500000.0);
    EXPECT_EQ(c.ropeScaling.type, "llama3");
    EXPECT_DOUBLE_EQ(c.ropeScaling.factor, 32.0);
    EXPECT_DOUBLE_EQ(c.ropeScaling.lowFreqFactor, 1.0);
    EXPECT_DOUBLE_EQ(c.ropeScaling.highFreqFactor, 4.0);
    EXPECT_EQ(c.ropeScaling.originalMaxPositions, 8192);
  }
}

TEST(ModelConfig, DefaultsAndGenerationConfigOverrides) {
  ModelConfig c = ModelConfig::parse(std::string(kMinimal) + R"(, "eos_token_id": [7, 8]})",
                                     R"({"eos_token_id": 9, "bos_token_id": 1})", "/m/config.json");
  EXPECT_EQ(c.numKvHeads, 4);  // defaults to num_attention_heads
  EXPECT_EQ(c.headDim, 16);    // hidden / heads
  EXPECT_FALSE(c.tieEmbeddings);
  EXPECT_EQ(c.eosTokenIds, std::vector<int32_t>{9});
  EXPECT_EQ(c.bosTokenId, 1);

  ModelConfig list = ModelConfig::parse(std::string(kMinimal) + R"(, "eos_token_id": [7, 8]})",
                                        "", "/m/config.json");
  EXPECT_EQ(list.eosTokenIds, (std::vector<int32_t>{7, 8}));
}

TEST(ModelConfig, ErrorsNameTheFileAndTheProblem) {
  const std::string base = kMinimal;
  struct Bad {
    std::string config;
    std::string expected;
  };
  const Bad cases[] = {
      {"{not json", "/m/config.json: not valid JSON"},
      {"[1, 2]", "/m/config.json: not a JSON object"},
      {R"({"architectures": ["GPT2LMHeadModel"], "hidden_size": 8})",
       "/m/config.json: unsupported architecture 'GPT2LMHeadModel'"},
      {R"({"architectures": ["LlamaForCausalLM"], "num_hidden_layers": 2})",
       "/m/config.json: missing key 'hidden_size'"},
      {base + R"(, "num_key_value_heads": 3})", "num_attention_heads (4) is not a multiple of "
                                               "num_key_value_heads (3)"},
      {base + R"(, "rope_scaling": {"rope_type": "yarn", "factor": 4.0}})",
       "/m/config.json: rope type 'yarn' is not supported"},
      {base + R"(, "rope_scaling": {"rope_type": "llama3"}})", "llama3 rope scaling needs"},
      {base + R"(, "vocab_size": -3})", "'vocab_size' must be a positive integer"},
      {base + R"(, "mlp_bias": true})", "mlp_bias is not supported"},
      {base + R"(, "hidden_act": "gelu"})", "hidden_act must be silu"},
      {base + R"(, "eos_token_id": "x"})", "'eos_token_id' must be an integer"},
  };
  for (const Bad& b : cases) {
    EXPECT_NE(parseError(b.config).find(b.expected), std::string::npos)
        << b.config << " gave: " << parseError(b.config);
  }
  EXPECT_NE(parseError(base + "}", "{").find("/m/generation_config.json: not valid JSON"),
            std::string::npos);
}

TEST(ModelConfig, LoadOfAMissingFolderNamesTheFile) {
  try {
    ModelConfig::load("/nonexistent/model");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model/config.json: cannot open"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mx::engine
