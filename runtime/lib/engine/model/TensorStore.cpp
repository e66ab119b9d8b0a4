// TensorStore.cpp — a model folder's tensors: one model.safetensors or the shards that
// model.safetensors.index.json lists, looked up by name, shape-checked and upcast to fp32.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "mx/engine/SafeTensors.h"

namespace mx::engine {
namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

std::string shapeText(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// A shard name must stay inside the folder: the index is as untrusted as the weights.
bool isPlainFileName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
}

}  // namespace

TensorStore TensorStore::openFile(const std::filesystem::path& file) {
  TensorStore store;
  store.source_ = file;
  store.files_.push_back(SafeTensorsFile::open(file));
  for (const auto& [name, ref] : store.files_[0]->tensors()) store.byName_.emplace(name, &ref);
  return store;
}

TensorStore TensorStore::openDir(const std::filesystem::path& dir) {
  std::filesystem::path single = dir / "model.safetensors";
  std::filesystem::path index = dir / "model.safetensors.index.json";
  std::error_code ec;
  if (std::filesystem::exists(single, ec)) return openFile(single);
  if (!std::filesystem::exists(index, ec))
    fail(dir, "no model.safetensors or model.safetensors.index.json");

  std::ifstream in(index, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) fail(index, "cannot read");
  Json j = Json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail(index, "not a valid JSON object");
  auto map = j.find("weight_map");
  if (map == j.end() || !map->is_object() || map->empty())
    fail(index, "no non-empty object 'weight_map'");

  TensorStore store;
  store.source_ = index;
  std::map<std::string, std::shared_ptr<SafeTensorsFile>> shards;
  for (auto it = map->begin(); it != map->end(); ++it) {
    if (!it->is_string() || !isPlainFileName(it->get<std::string>()))
      fail(index, "weight_map entry '" + it.key() + "' is not a file name in this folder");
    const std::string shardName = it->get<std::string>();
    auto& shard = shards[shardName];
    if (!shard) {
      shard = SafeTensorsFile::open(dir / shardName);
      store.files_.push_back(shard);
    }
    const TensorRef* ref = shard->find(it.key());
    if (!ref) fail(shard->path(), "missing tensor '" + it.key() + "' (listed in " +
                                      index.filename().string() + ")");
    store.byName_.emplace(it.key(), ref);
  }
  return store;
}

const TensorRef* TensorStore::find(std::string_view name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second;
}

const TensorRef& TensorStore::get(std::string_view name) const {
  const TensorRef* t = find(name);
  if (!t) fail(source_, "missing tensor '" + std::string(name) + "'");
  return *t;
}

std::vector<float> TensorStore::readFloat(std::string_view name,
                                          std::span<const int64_t> expected) const {
  const TensorRef& t = get(name);
  if (!std::equal(t.shape.begin(), t.shape.end(), expected.begin(), expected.end()))
    fail(t.file, "tensor '" + t.name + "' has shape " + shapeText(t.shape) + ", expected " +
                     shapeText(expected) + " (from config.json)");
  std::vector<float> out(size_t(t.numel()));
  convertToFloat(t, out);
  return out;
}

std::vector<std::string> TensorStore::names() const {
  std::vector<std::string> out;
  for (const auto& [name, ref] : byName_) out.push_back(name);
  return out;
}

}  // namespace mx::engine
