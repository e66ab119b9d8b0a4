// SafeTensors.h — read-only, memory-mapped access to Hugging Face .safetensors weights: one file,
// or a sharded folder described by model.safetensors.index.json.
//
// Format: an 8-byte little-endian header length N, N bytes of JSON ({name: {dtype, shape,
// data_offsets: [begin, end)}, "__metadata__": {...}}), then the raw little-endian C-order data;
// offsets count from the end of the header. Every byte of the input is untrusted: whatever is
// wrong raises std::runtime_error whose message starts with the file's path and says what is
// wrong; nothing reads outside the mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mx::engine {

/// The element types we can upcast to fp32. Others (I64, F64, F8_*, ...) are listed in a file but
/// fail when read, so a checkpoint that carries an unused integer buffer still loads.
enum class DType : uint8_t { F32, F16, BF16, Unsupported };

struct TensorRef {
  std::string name;
  DType dtype = DType::Unsupported;
  std::string dtypeName;             // as written in the header: "BF16", "I64", ...
  std::vector<int64_t> shape;
  std::span<const std::byte> bytes;  // into the file's mapping; valid while the file lives
  std::filesystem::path file;

  int64_t numel() const;
};

/// Upcasts `t` to fp32. `out.size()` must equal t.numel(). Throws for an unsupported dtype.
void convertToFloat(const TensorRef& t, std::span<float> out);

/// One mapped .safetensors file. Not copyable; the mapping lives as long as the object.
class SafeTensorsFile {
 public:
  /// Maps and validates `path` (header length, JSON, dtypes, shapes against byte ranges, ranges
  /// inside the data section). Throws std::runtime_error "PATH: what is wrong".
  static std::unique_ptr<SafeTensorsFile> open(const std::filesystem::path& path);
  ~SafeTensorsFile();
  SafeTensorsFile(const SafeTensorsFile&) = delete;
  SafeTensorsFile& operator=(const SafeTensorsFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const std::map<std::string, TensorRef, std::less<>>& tensors() const { return tensors_; }
  const TensorRef* find(std::string_view name) const;

 private:
  SafeTensorsFile() = default;
  std::filesystem::path path_;
  const std::byte* map_ = nullptr;
  size_t mapSize_ = 0;
  std::map<std::string, TensorRef, std::less<>> tensors_;
};

/// The tensors of a model folder: model.safetensors, or the shards that
/// model.safetensors.index.json's weight_map names (each shard opened once).
class TensorStore {
 public:
  /// Throws std::runtime_error naming the folder or the file at fault.
  static TensorStore openDir(const std::filesystem::path& dir);
  /// One file (tests, tools).
  static TensorStore openFile(const std::filesystem::path& file);

  const TensorRef* find(std::string_view name) const;
  /// Throws "SOURCE: missing tensor 'NAME'", SOURCE being the file or the index.
  const TensorRef& get(std::string_view name) const;
  /// get(name), its shape checked against `expected` ("... has shape [a, b], expected [c, d]
  /// (from config.json)"), upcast to fp32.
  std::vector<float> readFloat(std::string_view name, std::span<const int64_t> expected) const;
  std::vector<std::string> names() const;
  /// The file or index that lists the tensors: what error messages name.
  const std::filesystem::path& source() const { return source_; }

 private:
  std::filesystem::path source_;
  std::vector<std::shared_ptr<SafeTensorsFile>> files_;
  std::map<std::string, const TensorRef*, std::less<>> byName_;
};

}  // namespace mx::engine
