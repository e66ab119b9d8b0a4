// OutputFile.cpp — buffered appends through a file descriptor, with a known length.
#include "OutputFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace mx::rt::durable {

OutputFile::~OutputFile() {
  flush();
  if (fd_ >= 0) ::close(fd_);
}

bool OutputFile::open(const std::string& path, uint64_t keepBytes, std::string& error) {
  path_ = path;
  // A sink path may name folders ("sub/out.jsonl", relative to the run directory): create them.
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  fstat(fd_, &st);
  if (static_cast<uint64_t>(st.st_size) < keepBytes) {
    error = "'" + path + "' has " + std::to_string(st.st_size) +
            " bytes but the journal accounts for " + std::to_string(keepBytes) +
            ": the run directory was changed after the crash; resuming would lose records";
    return false;
  }
  if (ftruncate(fd_, static_cast<off_t>(keepBytes)) != 0 ||
      lseek(fd_, static_cast<off_t>(keepBytes), SEEK_SET) < 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  size_ = keepBytes;
  return true;
}

void OutputFile::append(std::string_view line) {
  if (!error_.empty()) return;
  buffer_.append(line);
  buffer_.push_back('\n');
  size_ += line.size() + 1;
  if (buffer_.size() >= kBufferBytes) flush();
}

bool OutputFile::flush() {
  if (fd_ < 0) return error_.empty();
  size_t done = 0;
  while (done < buffer_.size() && error_.empty()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      error_ = "cannot write '" + path_ + "': " + std::strerror(n < 0 ? errno : ENOSPC);
    else
      done += static_cast<size_t>(n);
  }
  if (done > 0) unsynced_ = true;
  buffer_.clear();
  return error_.empty();
}

bool OutputFile::syncData(std::string& error) const {
  if (fd_ >= 0 && fdatasync(fd_) != 0) {
    error = "cannot sync '" + path_ + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

bool OutputFile::sync() {
  if (!flush()) return false;
  unsynced_ = false;
  return syncData(error_);
}

}  // namespace mx::rt::durable
