// FrameLog.h — writing the block format of journal.log and trajectory.log (reading: Journal.h).
//
// A block is a 16-byte header and a payload of Cap'n Proto messages:
//   u32 magic "MXB1" | u32 payload bytes (a multiple of 8) | u32 CRC-32C | u32 message count
// The CRC covers the length, the count and the payload, so a torn or stale header is caught too.
// Blocks amortize the checksum and the write() over many messages: a group commit is one block,
// a worker's batch of trajectory steps is one block.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace capnp {
class MessageBuilder;
}

namespace mx::rt::durable {

constexpr uint32_t kBlockMagic = 0x3142584D;  // "MXB1" little-endian
constexpr size_t kBlockHeaderBytes = 16;
/// Writers cut batches into blocks of about this size (a block is read into memory whole)...
constexpr size_t kBlockTargetBytes = size_t(16) << 20;
/// ...and readers refuse a length above this as damage. One message never exceeds it: a
/// checkpoint that would is not written (its task restarts from its row after a crash).
constexpr size_t kMaxBlockPayload = size_t(1) << 30;

/// Messages waiting to become one block. Not thread-safe; one per writer thread.
class BlockBuffer {
 public:
  /// Appends the message in its flat encoding (segment table, then segments).
  void add(capnp::MessageBuilder& message);
  /// Appends an already encoded message (8-byte multiple), e.g. a checkpoint read back.
  void addEncoded(const void* words, size_t bytes);
  /// Makes room for one encoded message of `bytes` (a multiple of 8) and returns where the
  /// caller writes it.
  char* append(size_t bytes) {
    size_t start = payload_.size();
    payload_.resize(start + bytes);
    ends_.push_back(payload_.size());
    ++count_;
    return payload_.data() + start;
  }
  /// Appends every message of `other`.
  void append(const BlockBuffer& other) {
    size_t base = payload_.size();
    payload_ += other.payload_;
    for (size_t end : other.ends_) ends_.push_back(base + end);
    count_ += other.count_;
  }
  void reserve(size_t bytes) {
    payload_.reserve(bytes);
    ends_.reserve(bytes / 64);
  }
  size_t bytes() const { return payload_.size(); }
  uint32_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  void clear() {
    payload_.clear();
    ends_.clear();
    count_ = 0;
  }
  void swap(BlockBuffer& o) {
    payload_.swap(o.payload_);
    ends_.swap(o.ends_);
    std::swap(count_, o.count_);
  }
  const std::string& payload() const { return payload_; }
  /// Where each message ends in payload(): blocks are cut only at message boundaries.
  const std::vector<size_t>& ends() const { return ends_; }

 private:
  std::string payload_;
  std::vector<size_t> ends_;
  uint32_t count_ = 0;
};

/// Appends blocks to one file through a file descriptor. Not thread-safe: callers serialize.
class FrameLogWriter {
 public:
  ~FrameLogWriter();
  /// Opens `path` for appending after cutting it to `keepBytes` (0: a fresh file). Fails when
  /// the file is shorter than keepBytes.
  bool open(const std::string& path, uint64_t keepBytes, std::string& error);
  /// Writes the buffer as one or more blocks and clears it. False (and error()) on a failed
  /// write; later writes are refused so that no block follows a torn one.
  bool write(BlockBuffer& buffer);
  bool sync();  // fdatasync
  /// Renames the file (the writer keeps appending to it): a snapshot written beside the journal
  /// replaces it atomically.
  bool renameTo(const std::string& path);
  void close();
  uint64_t size() const { return size_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  bool writeBlock(const char* payload, size_t bytes, uint32_t count);
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_, error_;
};

/// fsync of a directory, so that a rename or a new file in it survives a crash.
bool syncDirectory(const std::string& dir, std::string& error);

}  // namespace mx::rt::durable
