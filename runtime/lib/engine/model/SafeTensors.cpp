// SafeTensors.cpp — mapping and validating one .safetensors file, and upcasting its tensors.
//
// The validation happens once at open, so a TensorRef handed out later is always inside the
// mapping and its byte count matches its shape: readers never need to check again.
#include "mx/engine/SafeTensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace mx::engine {
namespace {

using Json = nlohmann::json;

// A header larger than this is not a weights file (real ones are at most a few MB); the limit
// keeps a corrupt length from making us parse gigabytes of tensor data as JSON.
constexpr uint64_t kMaxHeaderBytes = uint64_t{100} << 20;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

DType parseDType(const std::string& s) {
  if (s == "F32") return DType::F32;
  if (s == "F16") return DType::F16;
  if (s == "BF16") return DType::BF16;
  return DType::Unsupported;
}

size_t elementBytes(DType t) { return t == DType::F32 ? 4 : 2; }

// IEEE binary16 → binary32, subnormals, infinities and NaNs included.
float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal: normalise the mantissa
    int shift = 0;
    while (!(mant & 0x400)) {
      mant <<= 1;
      ++shift;
    }
    bits = sign | (uint32_t(113 - shift) << 23) | ((mant & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::string shapeText(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Reads one header entry; `dataBytes` is the size of the data section.
TensorRef parseEntry(const std::filesystem::path& file, const std::string& name, const Json& e,
                     const std::byte* data, uint64_t dataBytes) {
  auto bad = [&](const std::string& what) { fail(file, "tensor '" + name + "': " + what); };
  if (!e.is_object()) bad("header entry is not an object");
  TensorRef t;
  t.name = name;
  t.file = file;
  auto dt = e.find("dtype");
  if (dt == e.end() || !dt->is_string()) bad("no string 'dtype'");
  t.dtypeName = dt->get<std::string>();
  t.dtype = parseDType(t.dtypeName);
  auto sh = e.find("shape");
  if (sh == e.end() || !sh->is_array()) bad("no array 'shape'");
  int64_t numel = 1;
  for (const Json& d : *sh) {
    if (!d.is_number_unsigned()) bad("shape has an entry that is not a non-negative integer");
    int64_t dim = d.get<int64_t>();
    if (dim < 0 || __builtin_mul_overflow(numel, dim, &numel)) bad("shape overflows");
    t.shape.push_back(dim);
  }
  auto off = e.find("data_offsets");
  if (off == e.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
      !(*off)[1].is_number_unsigned())
    bad("'data_offsets' is not a pair of non-negative integers");
  uint64_t begin = (*off)[0].get<uint64_t>(), end = (*off)[1].get<uint64_t>();
  if (begin > end || end > dataBytes)
    bad("data offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
        ") out of range: the data section has " + std::to_string(dataBytes) + " bytes");
  if (t.dtype != DType::Unsupported) {
    uint64_t want = 0;
    if (__builtin_mul_overflow(uint64_t(numel), elementBytes(t.dtype), &want) ||
        want != end - begin)
      bad("shape " + shapeText(t.shape) + " of " + t.dtypeName + " needs " +
          std::to_string(want) + " bytes but data_offsets span " + std::to_string(end - begin));
  }
  t.bytes = std::span<const std::byte>(data + begin, end - begin);
  return t;
}

}  // namespace

int64_t TensorRef::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void convertToFloat(const TensorRef& t, std::span<float> out) {
  if (t.dtype == DType::Unsupported)
    fail(t.file, "tensor '" + t.name + "' has dtype " + t.dtypeName +
                     "; only BF16, F16 and F32 are supported");
  if (int64_t(out.size()) != t.numel())
    throw std::logic_error("convertToFloat: output size does not match tensor " + t.name);
  const std::byte* src = t.bytes.data();
  size_t n = out.size();
  switch (t.dtype) {
    case DType::F32:
      std::memcpy(out.data(), src, n * 4);
      break;
    case DType::BF16:
      for (size_t i = 0; i < n; ++i) {  // bf16 is the top half of an fp32
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        uint32_t bits = uint32_t(h) << 16;
        std::memcpy(&out[i], &bits, 4);
      }
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        out[i] = halfToFloat(h);
      }
      break;
    case DType::Unsupported:
      break;
  }
}

std::unique_ptr<SafeTensorsFile> SafeTensorsFile::open(const std::filesystem::path& path) {
  std::unique_ptr<SafeTensorsFile> f(new SafeTensorsFile());
  f->path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(path, "not a regular file");
  }
  uint64_t size = uint64_t(st.st_size);
  if (size < 8) {
    ::close(fd);
    fail(path, "truncated: " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
  }
  void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);  // the mapping keeps the file alive
  if (m == MAP_FAILED) fail(path, std::string("cannot map: ") + std::strerror(errno));
  f->map_ = static_cast<const std::byte*>(m);
  f->mapSize_ = size;

  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | uint64_t(f->map_[i]);
  if (headerLen > size - 8)
    fail(path, "truncated or corrupt: header length " + std::to_string(headerLen) +
                   " goes beyond the end of the file (" + std::to_string(size) + " bytes)");
  if (headerLen > kMaxHeaderBytes)
    fail(path, "header length " + std::to_string(headerLen) + " is implausibly large");
  const char* headerText = reinterpret_cast<const char*>(f->map_ + 8);
  Json header = Json::parse(headerText, headerText + headerLen, nullptr, false);
  if (header.is_discarded()) fail(path, "header is not valid JSON");
  if (!header.is_object()) fail(path, "header is not a JSON object");

  const std::byte* data = f->map_ + 8 + headerLen;
  uint64_t dataBytes = size - 8 - headerLen;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    f->tensors_.emplace(it.key(), parseEntry(path, it.key(), it.value(), data, dataBytes));
  }
  return f;
}

SafeTensorsFile::~SafeTensorsFile() {
  if (map_) ::munmap(const_cast<std::byte*>(map_), mapSize_);
}

const TensorRef* SafeTensorsFile::find(std::string_view name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace mx::engine
