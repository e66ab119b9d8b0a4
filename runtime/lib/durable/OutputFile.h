// OutputFile.h — an append-only line file (a JSONL sink, the dead-letter file) whose length the
// journal can record and a resume can cut back to.
//
// Not thread-safe: the scheduler appends under its output lock, which is also what makes a
// task's records and its "finished" journal entry one atomic step (Runner.cpp). Lines are
// buffered and written with write(2) when the buffer fills or on flush(), so the file length is
// known exactly (size() counts buffered bytes too).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mx::rt::durable {

class OutputFile {
 public:
  ~OutputFile();
  /// Opens `path`, keeping its first `keepBytes` bytes (0: a fresh, empty file). Fails when the
  /// file is shorter than keepBytes: a resume would otherwise silently lose records.
  bool open(const std::string& path, uint64_t keepBytes, std::string& error);
  /// Appends `line` and a newline. A failed write is kept in error() and later ones are dropped.
  void append(std::string_view line);
  /// Hands buffered bytes to the kernel (survives a killed process); false on a failed write.
  bool flush();
  /// flush() and fdatasync (survives a crashed machine).
  bool sync();
  /// True once when bytes reached the kernel since the last call: the group commit takes this
  /// under the output lock, then calls syncData() outside it.
  bool takeUnsynced() {
    bool u = unsynced_;
    unsynced_ = false;
    return u;
  }
  /// fdatasync alone; callable while another thread appends (it syncs what was written).
  bool syncData(std::string& error) const;
  uint64_t size() const { return size_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  static constexpr size_t kBufferBytes = size_t(1) << 20;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool unsynced_ = false;
  std::string buffer_, path_, error_;
};

}  // namespace mx::rt::durable
