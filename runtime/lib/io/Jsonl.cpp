// Jsonl.cpp — streaming JSONL reading (plain and zstd) and thread-safe appending.
#include "mx/rt/Jsonl.h"

#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mx::rt {

struct JsonlReader::Zstd {
  ZSTD_DStream* stream = ZSTD_createDStream();
  std::vector<char> in = std::vector<char>(ZSTD_DStreamInSize());
  ZSTD_inBuffer input{nullptr, 0, 0};
  ~Zstd() { ZSTD_freeDStream(stream); }
};

JsonlReader::JsonlReader() = default;
JsonlReader::~JsonlReader() {
  if (file_) std::fclose(file_);
}

bool JsonlReader::open(const std::string& path, std::string& error) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".zst") == 0) {
    zstd_ = std::make_unique<Zstd>();
    ZSTD_initDStream(zstd_->stream);
  }
  return true;
}

/// Appends more decoded bytes to buffer_; false at the end of input.
bool JsonlReader::fill() {
  if (eof_) return false;
  char chunk[1 << 16];
  if (!zstd_) {
    size_t n = std::fread(chunk, 1, sizeof chunk, file_);
    if (n == 0) {
      if (std::ferror(file_)) error_ = "cannot read '" + path_ + "': " + std::strerror(errno);
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, n);
    return true;
  }
  while (true) {
    if (zstd_->input.pos == zstd_->input.size) {
      size_t n = std::fread(zstd_->in.data(), 1, zstd_->in.size(), file_);
      if (n == 0) {
        eof_ = true;
        return false;
      }
      zstd_->input = {zstd_->in.data(), n, 0};
    }
    ZSTD_outBuffer out{chunk, sizeof chunk, 0};
    size_t rc = ZSTD_decompressStream(zstd_->stream, &out, &zstd_->input);
    if (ZSTD_isError(rc)) {
      error_ = "'" + path_ + "' is not valid zstd: " + ZSTD_getErrorName(rc);
      eof_ = true;
      return false;
    }
    if (out.pos > 0) {
      buffer_.append(chunk, out.pos);
      return true;
    }
  }
}

bool JsonlReader::next(std::string& line, uint64_t& lineNo) {
  while (true) {
    size_t nl = buffer_.find('\n', pos_);
    while (nl == std::string::npos) {
      if (pos_ > 0) {  // keep the buffer small: drop consumed bytes before reading more
        buffer_.erase(0, pos_);
        pos_ = 0;
      }
      if (!fill()) break;
      nl = buffer_.find('\n', pos_);
    }
    if (nl == std::string::npos && pos_ >= buffer_.size()) return false;
    size_t end = nl == std::string::npos ? buffer_.size() : nl;
    line.assign(buffer_, pos_, end - pos_);
    pos_ = nl == std::string::npos ? buffer_.size() : nl + 1;
    ++lineNo_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines are skipped
    lineNo = lineNo_;
    return true;
  }
}

JsonlWriter::~JsonlWriter() {
  if (file_) std::fclose(file_);
}

bool JsonlWriter::open(const std::string& path, bool append, std::string& error) {
  path_ = path;
  file_ = std::fopen(path.c_str(), append ? "ab" : "wb");
  if (!file_) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

void JsonlWriter::write(const std::string& line) {
  std::lock_guard lock(mu_);
  if (!file_ || !error_.empty()) return;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fputc('\n', file_) == EOF)
    error_ = "cannot write '" + path_ + "': " + std::strerror(errno);
}

bool JsonlWriter::sync() {
  std::lock_guard lock(mu_);
  if (!file_) return error_.empty();
  if (std::fflush(file_) != 0 || fsync(fileno(file_)) != 0)
    if (error_.empty()) error_ = "cannot write '" + path_ + "': " + std::strerror(errno);
  return error_.empty();
}

std::string JsonlWriter::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

}  // namespace mx::rt
