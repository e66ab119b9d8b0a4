// FrameLog.cpp — the block format of the run logs: CRC-32C, writing blocks, scanning a log.
#include "FrameLog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <capnp/serialize.h>

#include "mx/rt/Journal.h"

namespace mx::rt {

using durable::kBlockHeaderBytes;

// ------------------------------------------------------------------------------------ CRC-32C

namespace {

constexpr uint32_t kCrcPolynomial = 0x82F63B78;  // Castagnoli, reflected

constexpr std::array<std::array<uint32_t, 256>, 8> makeCrcTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCrcPolynomial : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  return t;
}
constexpr auto kCrcTables = makeCrcTables();

uint32_t crcSoftware(const uint8_t* p, size_t n, uint32_t crc) {
  while (n >= 8) {  // slicing-by-8
    uint64_t w;
    std::memcpy(&w, p, 8);
    w ^= crc;
    crc = kCrcTables[7][w & 0xFF] ^ kCrcTables[6][(w >> 8) & 0xFF] ^
          kCrcTables[5][(w >> 16) & 0xFF] ^ kCrcTables[4][(w >> 24) & 0xFF] ^
          kCrcTables[3][(w >> 32) & 0xFF] ^ kCrcTables[2][(w >> 40) & 0xFF] ^
          kCrcTables[1][(w >> 48) & 0xFF] ^ kCrcTables[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) crc = (crc >> 8) ^ kCrcTables[0][(crc ^ *p++) & 0xFF];
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crcHardware(const uint8_t* p, size_t n, uint32_t crc) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

}  // namespace

uint32_t crc32c(const void* data, size_t size, uint32_t crc) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  static const bool hardware = __builtin_cpu_supports("sse4.2");
  crc = hardware ? crcHardware(p, size, crc) : crcSoftware(p, size, crc);
#else
  crc = crcSoftware(p, size, crc);
#endif
  return ~crc;
}

namespace {

uint32_t loadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

void storeU32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }

/// The CRC of a block: its length and count fields, then the payload.
uint32_t blockCrc(uint32_t length, uint32_t count, const void* payload, size_t bytes) {
  char fields[8];
  storeU32(fields, length);
  storeU32(fields + 4, count);
  return crc32c(payload, bytes, crc32c(fields, sizeof fields));
}

/// Bytes of the flat-encoded message at `p` (at most `avail` bytes), or 0 when its segment table
/// is malformed or runs past `avail`.
size_t messageBytes(const char* p, size_t avail) {
  if (avail < 8) return 0;
  uint64_t segments = uint64_t(loadU32(p)) + 1;
  if (segments > 512) return 0;  // capnp's own limit on a segment table
  uint64_t tableBytes = ((segments + 2) / 2) * 8;
  if (tableBytes > avail) return 0;
  uint64_t total = tableBytes;
  for (uint64_t i = 0; i < segments; ++i) total += uint64_t(loadU32(p + 4 + 4 * i)) * 8;
  return total <= avail ? static_cast<size_t>(total) : 0;
}

}  // namespace

bool scanLog(const std::string& path, const std::function<bool(const LogMessage&)>& onMessage,
             LogScan& scan, std::string& error) {
  scan = LogScan();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  fstat(fd, &st);
  uint64_t fileSize = static_cast<uint64_t>(st.st_size);
  auto readAt = [&](void* buf, size_t n, uint64_t at) {
    size_t done = 0;
    while (done < n) {
      ssize_t r =
          ::pread(fd, static_cast<char*>(buf) + done, n - done, static_cast<off_t>(at + done));
      if (r <= 0) return false;
      done += static_cast<size_t>(r);
    }
    return true;
  };
  /// True when every byte from `at` to the end is zero (space a crash left allocated).
  auto zerosToEnd = [&](uint64_t at) {
    char buf[4096];
    while (at < fileSize) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof buf, fileSize - at));
      if (!readAt(buf, n, at)) return false;
      for (size_t i = 0; i < n; ++i)
        if (buf[i]) return false;
      at += n;
    }
    return true;
  };
  std::vector<capnp::word> payload;
  uint64_t at = 0;
  bool ok = true;
  while (at < fileSize) {
    uint64_t left = fileSize - at;
    char header[kBlockHeaderBytes];
    std::string damage;
    bool reachesEnd = false;
    uint32_t length = 0, crc = 0, count = 0;
    if (left < kBlockHeaderBytes) {
      damage = "a partial block header";
      reachesEnd = true;
    } else if (!readAt(header, sizeof header, at)) {
      error =
          "cannot read '" + path + "' at byte " + std::to_string(at) + ": " + std::strerror(errno);
      ok = false;
      break;
    } else if (loadU32(header) != durable::kBlockMagic) {
      damage = "no block starts here";
      reachesEnd = zerosToEnd(at);
    } else {
      length = loadU32(header + 4);
      crc = loadU32(header + 8);
      count = loadU32(header + 12);
      if (length % 8 != 0 || length > durable::kMaxBlockPayload) {
        damage = "an impossible block length (" + std::to_string(length) + ")";
        reachesEnd = zerosToEnd(at + kBlockHeaderBytes);
      } else if (kBlockHeaderBytes + uint64_t(length) > left) {
        damage = "a partial block (" + std::to_string(left - kBlockHeaderBytes) + " of " +
                 std::to_string(length) + " bytes)";
        reachesEnd = true;
      } else {
        payload.resize(length / 8);
        if (!readAt(payload.data(), length, at + kBlockHeaderBytes)) {
          error = "cannot read '" + path + "' at byte " + std::to_string(at) + ": " +
                  std::strerror(errno);
          ok = false;
          break;
        }
        if (blockCrc(length, count, payload.data(), length) != crc) {
          damage = "checksum mismatch";
          reachesEnd = kBlockHeaderBytes + uint64_t(length) == left ||
                       zerosToEnd(at + kBlockHeaderBytes + length);
        }
      }
    }
    if (!damage.empty()) {
      if (reachesEnd) {  // the last write of a crashed run: normal, ignored
        scan.tornTailBytes = left;
        scan.tornTailWhy = damage;
      } else {
        error = path + ": corrupt block at byte " + std::to_string(at) + ": " + damage +
                "; the log cannot be trusted past this point";
        ok = false;
      }
      break;
    }
    // An intact block: its payload must be exactly `count` messages.
    const char* p = reinterpret_cast<const char*>(payload.data());
    size_t off = 0;
    bool stop = false;
    for (uint32_t i = 0; i < count; ++i) {
      size_t n = messageBytes(p + off, length - off);
      if (n == 0) {
        error = path + ": corrupt block at byte " + std::to_string(at) + ": message " +
                std::to_string(i) + " is malformed";
        ok = false;
        break;
      }
      ++scan.messages;
      if (!onMessage(LogMessage{p + off, n, at})) {
        stop = true;
        break;
      }
      off += n;
    }
    if (!ok) break;
    if (!stop && off != length) {
      error = path + ": corrupt block at byte " + std::to_string(at) + ": " +
              std::to_string(length - off) + " bytes after its last message";
      ok = false;
      break;
    }
    ++scan.blocks;
    at += kBlockHeaderBytes + length;
    scan.validBytes = at;
    if (stop) break;
  }
  ::close(fd);
  return ok;
}

}  // namespace mx::rt

namespace mx::rt::durable {

void BlockBuffer::add(capnp::MessageBuilder& message) {
  auto segments = message.getSegmentsForOutput();
  size_t n = segments.size();
  size_t tableWords = (n + 2) / 2;
  size_t start = payload_.size();
  size_t total = tableWords * 8;
  for (auto& s : segments) total += s.size() * 8;
  payload_.resize(start + total);
  char* p = payload_.data() + start;
  std::memset(p, 0, tableWords * 8);
  storeU32(p, static_cast<uint32_t>(n - 1));
  for (size_t i = 0; i < n; ++i) storeU32(p + 4 + 4 * i, static_cast<uint32_t>(segments[i].size()));
  p += tableWords * 8;
  for (auto& s : segments) {
    std::memcpy(p, s.begin(), s.size() * 8);
    p += s.size() * 8;
  }
  ends_.push_back(payload_.size());
  ++count_;
}

void BlockBuffer::addEncoded(const void* words, size_t bytes) {
  payload_.append(static_cast<const char*>(words), bytes);
  ends_.push_back(payload_.size());
  ++count_;
}

FrameLogWriter::~FrameLogWriter() { close(); }

void FrameLogWriter::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FrameLogWriter::open(const std::string& path, uint64_t keepBytes, std::string& error) {
  close();
  path_ = path;
  error_.clear();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  fstat(fd_, &st);
  if (static_cast<uint64_t>(st.st_size) < keepBytes) {
    error = "'" + path + "' is shorter (" + std::to_string(st.st_size) +
            " bytes) than the journal says (" + std::to_string(keepBytes) + ")";
    close();
    return false;
  }
  if (ftruncate(fd_, static_cast<off_t>(keepBytes)) != 0 ||
      lseek(fd_, static_cast<off_t>(keepBytes), SEEK_SET) < 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    close();
    return false;
  }
  size_ = keepBytes;
  return true;
}

bool FrameLogWriter::writeBlock(const char* payload, size_t bytes, uint32_t count) {
  char header[kBlockHeaderBytes];
  storeU32(header, kBlockMagic);
  storeU32(header + 4, static_cast<uint32_t>(bytes));
  storeU32(header + 8, blockCrc(static_cast<uint32_t>(bytes), count, payload, bytes));
  storeU32(header + 12, count);
  iovec iov[2] = {{header, sizeof header}, {const_cast<char*>(payload), bytes}};
  size_t want = sizeof header + bytes, done = 0;
  int first = 0;
  while (done < want) {
    ssize_t n = ::writev(fd_, iov + first, 2 - first);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = "cannot write '" + path_ + "': " + std::strerror(errno);
      return false;
    }
    done += static_cast<size_t>(n);
    size_t k = static_cast<size_t>(n);  // advance the vectors past what was written
    while (first < 2 && k >= iov[first].iov_len) k -= iov[first++].iov_len;
    if (first < 2) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + k;
      iov[first].iov_len -= k;
    }
  }
  size_ += want;
  return true;
}

bool FrameLogWriter::write(BlockBuffer& buffer) {
  if (buffer.empty()) return error_.empty();
  if (fd_ < 0 || !error_.empty()) {
    buffer.clear();
    return false;
  }
  const std::string& p = buffer.payload();
  const auto& ends = buffer.ends();
  size_t start = 0, count = 0;
  bool ok = true;
  for (size_t i = 0; i < ends.size() && ok; ++i) {
    ++count;
    bool last = i + 1 == ends.size();
    if (last || ends[i + 1] - start > kBlockTargetBytes) {
      ok = writeBlock(p.data() + start, ends[i] - start, static_cast<uint32_t>(count));
      start = ends[i];
      count = 0;
    }
  }
  buffer.clear();
  return ok;
}

bool FrameLogWriter::sync() {
  if (fd_ < 0) return error_.empty();
  if (fdatasync(fd_) != 0 && error_.empty())
    error_ = "cannot sync '" + path_ + "': " + std::strerror(errno);
  return error_.empty();
}

bool FrameLogWriter::renameTo(const std::string& path) {
  if (std::rename(path_.c_str(), path.c_str()) != 0) {
    if (error_.empty())
      error_ = "cannot rename '" + path_ + "' to '" + path + "': " + std::strerror(errno);
    return false;
  }
  path_ = path;
  return true;
}

bool syncDirectory(const std::string& dir, std::string& error) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    error = "cannot sync the directory '" + dir + "': " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

}  // namespace mx::rt::durable
