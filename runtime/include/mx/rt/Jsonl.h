// Jsonl.h — line-oriented JSON files: the `jsonl` sources (plain or .zst) and sinks.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace mx::rt {

/// Reads a JSONL file line by line; `.zst` files are decompressed as they stream.
class JsonlReader {
 public:
  JsonlReader();
  ~JsonlReader();
  /// Returns false with `error` naming the path when it can't be opened.
  bool open(const std::string& path, std::string& error);
  /// The next non-blank line and its 1-based number; false at the end or on a read error
  /// (then error() says why).
  bool next(std::string& line, uint64_t& lineNo);
  const std::string& error() const { return error_; }

 private:
  bool fill();
  std::FILE* file_ = nullptr;
  std::string path_, error_, buffer_;
  size_t pos_ = 0;
  uint64_t lineNo_ = 0;
  bool eof_ = false;
  struct Zstd;
  std::unique_ptr<Zstd> zstd_;
};

/// Appends lines to a file from many threads. A failed write (disk full, file removed) is kept
/// in error() and later writes are dropped, so the run can stop cleanly with what it wrote.
class JsonlWriter {
 public:
  ~JsonlWriter();
  bool open(const std::string& path, bool append, std::string& error);
  void write(const std::string& line);  // adds the newline
  /// Flushes to the kernel and to disk; false (and error()) if anything failed.
  bool sync();
  std::string error() const;
  const std::string& path() const { return path_; }

 private:
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::string path_, error_;
};

}  // namespace mx::rt
