// SafeTensorsTest.cpp — SafeTensorsFile / TensorStore: dtypes, sharded folders, and every kind of
// bad input (written as corrupted copies of tiny-arith in a temp dir), each giving an error that
// names the file and the problem, never a crash.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "mx/engine/Backend.h"
#include "mx/engine/SafeTensors.h"

namespace mx::engine {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kModelDir = fs::path(MX_SOURCE_DIR) / "models/tiny-arith";

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeFile(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string lengthPrefix(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return s;
}

// A safetensors file from a header and the data section.
std::string safetensors(const std::string& header, const std::string& data) {
  return lengthPrefix(header.size()) + header + data;
}

struct Parts {
  Json header;
  std::string data;
};

Parts split(const std::string& file) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | uint8_t(file[size_t(i)]);
  return {Json::parse(file.substr(8, n)), file.substr(8 + n)};
}

// A scratch folder per test, removed afterwards.
class SafeTensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mx_safetensors_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A copy of tiny-arith's config files (not the weights) in the scratch folder.
  void copyConfig() {
    for (const char* f : {"config.json", "generation_config.json"})
      fs::copy_file(kModelDir / f, dir_ / f);
  }
  // Loads the scratch folder as a model and returns the error message ("" when it loads).
  std::string loadError() {
    try {
      makeCpuBackend(dir_, 1);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
  static std::string openError(const fs::path& file) {
    try {
      SafeTensorsFile::open(file);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

#define EXPECT_HAS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

TEST_F(SafeTensorsTest, UpcastsF32F16AndBF16) {
  std::string f32(8, '\0'), f16(10, '\0'), bf16(4, '\0');
  const float f32Values[] = {1.5f, -2.0f};
  std::memcpy(f32.data(), f32Values, 8);
  // 1.0, -2.5, 65504 (largest half), 2^-24 (smallest subnormal), +inf
  const uint16_t halves[] = {0x3C00, 0xC100, 0x7BFF, 0x0001, 0x7C00};
  std::memcpy(f16.data(), halves, 10);
  const uint16_t brains[] = {0x3F80, 0xC020};  // 1.0, -2.5
  std::memcpy(bf16.data(), brains, 4);
  Json h = {{"__metadata__", {{"format", "pt"}}},
            {"a", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {0, 8}}}},
            {"b", {{"dtype", "F16"}, {"shape", {5, 1}}, {"data_offsets", {8, 18}}}},
            {"c", {{"dtype", "BF16"}, {"shape", {1, 2}}, {"data_offsets", {18, 22}}}}};
  writeFile(dir_ / "t.safetensors", safetensors(h.dump(), f32 + f16 + bf16));
  TensorStore store = TensorStore::openFile(dir_ / "t.safetensors");
  EXPECT_EQ(store.names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(store.readFloat("a", std::vector<int64_t>{2}), (std::vector<float>{1.5f, -2.0f}));
  std::vector<float> b = store.readFloat("b", std::vector<int64_t>{5, 1});
  EXPECT_EQ(b[0], 1.0f);
  EXPECT_EQ(b[1], -2.5f);
  EXPECT_EQ(b[2], 65504.0f);
  EXPECT_EQ(b[3], std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(b[4]) && b[4] > 0);
  EXPECT_EQ(store.readFloat("c", std::vector<int64_t>{1, 2}), (std::vector<float>{1.0f, -2.5f}));
}

// tiny-arith split into two shards with an index loads and computes exactly as the single file.
TEST_F(SafeTensorsTest, ShardedFolderMatchesSingleFile) {
  copyConfig();
  Parts whole = split(readFile(kModelDir / "model.safetensors"));
  Json shard[2] = {Json::object(), Json::object()};
  std::string data[2];
  Json index = {{"metadata", {{"total_size", whole.data.size()}}}, {"weight_map", Json::object()}};
  int i = 0;
  for (auto& [name, entry] : whole.header.items()) {
    if (name == "__metadata__") continue;
    const int s = i++ % 2;
    const uint64_t begin = entry["data_offsets"][0], end = entry["data_offsets"][1];
    Json e = entry;
    e["data_offsets"] = {data[s].size(), data[s].size() + (end - begin)};
    data[s] += whole.data.substr(begin, end - begin);
    shard[s][name] = e;
    index["weight_map"][name] = "model-0000" + std::to_string(s + 1) + "-of-00002.safetensors";
  }
  for (int s = 0; s < 2; ++s)
    writeFile(dir_ / ("model-0000" + std::to_string(s + 1) + "-of-00002.safetensors"),
              safetensors(shard[s].dump(), data[s]));
  writeFile(dir_ / "model.safetensors.index.json", index.dump());

  std::vector<int32_t> prompt = {0, 2, 10, 33, 17, 1, 4};
  std::vector<int32_t> blocks = {0};
  std::vector<float> fromShards, fromFile;
  for (auto [path, out] : {std::pair{dir_, &fromShards}, std::pair{kModelDir, &fromFile}}) {
    auto backend = makeCpuBackend(path, 1);
    backend->allocateCache(1, 16);
    SeqSlice slice{prompt, 0, blocks, false};
    backend->forward({&slice, 1}, *out);
  }
  ASSERT_EQ(fromShards.size(), 1024u);
  EXPECT_EQ(fromShards, fromFile);
}

TEST_F(SafeTensorsTest, MissingFilesAreNamed) {
  EXPECT_HAS(openError(dir_ / "nope.safetensors"), "nope.safetensors: cannot open");
  copyConfig();
  EXPECT_HAS(loadError(), dir_.string() + ": no model.safetensors or model.safetensors.index.json");
  fs::remove(dir_ / "config.json");
  EXPECT_HAS(loadError(), (dir_ / "config.json").string() + ": cannot open");
}

TEST_F(SafeTensorsTest, MalformedFilesSayWhatIsWrong) {
  const fs::path f = dir_ / "bad.safetensors";
  auto check = [&](const std::string& bytes, const std::string& expected) {
    writeFile(f, bytes);
    const std::string error = openError(f);
    EXPECT_HAS(error, f.string() + ": ");
    EXPECT_HAS(error, expected);
  };
  check("", "truncated: 0 bytes");
  check("abc", "truncated: 3 bytes");
  check(lengthPrefix(1000) + "{}", "header length 1000 goes beyond the end of the file (10 bytes)");
  check(lengthPrefix(~uint64_t(0)) + "{}", "goes beyond the end of the file");
  check(safetensors("{oops", ""), "header is not valid JSON");
  check(safetensors("[1]", ""), "header is not a JSON object");
  check(safetensors(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", "1234"),
        "tensor 'w': data offsets [0, 8) out of range: the data section has 4 bytes");
  check(safetensors(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})",
                    "12345678"),
        "tensor 'w': shape [3] of F32 needs 12 bytes but data_offsets span 8");
  check(safetensors(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}})",
                    "12345678"),
        "out of range");
  check(safetensors(R"({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})",
                    "12345678"),
        "shape has an entry that is not a non-negative integer");
  check(safetensors(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 16],
                      "data_offsets": [0, 8]}})", "12345678"),
        "shape overflows");
  check(safetensors(R"({"w": {"shape": [2], "data_offsets": [0, 8]}})", "12345678"),
        "no string 'dtype'");
  check(safetensors(R"({"w": 5})", ""), "header entry is not an object");
}

// The model's own file cut short: the header survives, the tensors' data does not.
TEST_F(SafeTensorsTest, TruncatedModelFileIsReportedAtLoad) {
  copyConfig();
  const std::string whole = readFile(kModelDir / "model.safetensors");
  writeFile(dir_ / "model.safetensors", whole.substr(0, whole.size() / 2));
  const std::string error = loadError();
  EXPECT_HAS(error, (dir_ / "model.safetensors").string() + ": tensor '");
  EXPECT_HAS(error, "out of range");
}

TEST_F(SafeTensorsTest, UnknownDtypeMissingTensorAndWrongShapeAreNamed) {
  copyConfig();
  const fs::path file = dir_ / "model.safetensors";
  const Parts original = split(readFile(kModelDir / "model.safetensors"));

  Parts p = original;
  p.header["model.layers.2.mlp.down_proj.weight"]["dtype"] = "I64";
  writeFile(file, safetensors(p.header.dump(), p.data));
  EXPECT_HAS(loadError(), file.string() +
                              ": tensor 'model.layers.2.mlp.down_proj.weight' has dtype I64; only "
                              "BF16, F16 and F32 are supported");

  p = original;
  p.header.erase("model.layers.1.mlp.up_proj.weight");
  writeFile(file, safetensors(p.header.dump(), p.data));
  EXPECT_HAS(loadError(), file.string() + ": missing tensor 'model.layers.1.mlp.up_proj.weight'");

  writeFile(file, safetensors(original.header.dump(), original.data));
  Json config = Json::parse(readFile(dir_ / "config.json"));
  config["intermediate_size"] = 640;
  writeFile(dir_ / "config.json", config.dump());
  EXPECT_HAS(loadError(), file.string() +
                              ": tensor 'model.layers.0.mlp.gate_proj.weight' has shape [704, "
                              "256], expected [640, 256] (from config.json)");

  config["intermediate_size"] = 704;
  config["tie_word_embeddings"] = false;  // then lm_head.weight must exist
  writeFile(dir_ / "config.json", config.dump());
  EXPECT_HAS(loadError(), file.string() + ": missing tensor 'lm_head.weight'");
}

TEST_F(SafeTensorsTest, BadIndexesAreNamed) {
  copyConfig();
  const fs::path index = dir_ / "model.safetensors.index.json";
  writeFile(index, "{");
  EXPECT_HAS(loadError(), index.string() + ": not a valid JSON object");
  writeFile(index, R"({"weight_map": {"a": "../model.safetensors"}})");
  EXPECT_HAS(loadError(), index.string() + ": weight_map entry 'a' is not a file name in this folder");
  writeFile(index, R"({"weight_map": {"a": "shard.safetensors"}})");
  EXPECT_HAS(loadError(), (dir_ / "shard.safetensors").string() + ": cannot open");
  fs::copy_file(kModelDir / "model.safetensors", dir_ / "shard.safetensors");
  EXPECT_HAS(loadError(), (dir_ / "shard.safetensors").string() +
                              ": missing tensor 'a' (listed in model.safetensors.index.json)");
}

// Every prefix of a small valid file and random byte flips in its header either open or throw
// std::runtime_error: nothing reads outside the mapping, nothing crashes.
TEST_F(SafeTensorsTest, CorruptedBytesNeverCrash) {
  Json h = {{"w", {{"dtype", "BF16"}, {"shape", {2, 3}}, {"data_offsets", {0, 12}}}},
            {"b", {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {12, 16}}}}};
  const std::string valid = safetensors(h.dump(), std::string(16, '\x3f'));
  const fs::path f = dir_ / "fuzz.safetensors";
  int opened = 0, rejected = 0;
  auto attempt = [&](const std::string& bytes) {
    writeFile(f, bytes);
    try {
      TensorStore store = TensorStore::openFile(f);
      for (const std::string& name : store.names()) {
        const TensorRef& t = store.get(name);
        std::vector<float> out(static_cast<size_t>(t.numel()));
        convertToFloat(t, out);
      }
      ++opened;
    } catch (const std::runtime_error& e) {
      EXPECT_HAS(e.what(), f.string());
      ++rejected;
    }
  };
  for (size_t n = 0; n <= valid.size(); ++n) attempt(valid.substr(0, n));
  std::mt19937 rng(42);
  for (int i = 0; i < 300; ++i) {
    std::string bytes = valid;
    for (int k = 0; k < 3; ++k) bytes[rng() % (h.dump().size() + 8)] = char(rng() % 256);
    attempt(bytes);
  }
  EXPECT_GE(opened, 1);  // the untouched file
  EXPECT_GE(rejected, int(valid.size()));
}

}  // namespace
}  // namespace mx::engine
