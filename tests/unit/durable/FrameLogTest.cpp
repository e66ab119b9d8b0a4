// FrameLogTest.cpp — the block format shared by journal.log and trajectory.log: what a crash can
// leave at the end of a file is ignored, damage with intact blocks after it is an error that
// names the file and the byte offset.
#include <gtest/gtest.h>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "durable/FrameLog.h"
#include "mx/rt/Journal.h"
#include "schema/task.capnp.h"

namespace mx::rt::durable {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/mx-framelog-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

void addAdmitted(BlockBuffer& b, uint64_t n) {
  capnp::MallocMessageBuilder message;
  message.initRoot<wire::JournalEntry>().setAdmitted(n);
  b.add(message);
}

/// Writes `blocks` blocks of `perBlock` messages (admitted = 0, 1, 2, ...); returns the offset
/// of each block.
std::vector<uint64_t> writeBlocks(const std::string& path, int blocks, int perBlock) {
  FrameLogWriter w;
  std::string error;
  EXPECT_TRUE(w.open(path, 0, error)) << error;
  std::vector<uint64_t> offsets;
  uint64_t n = 0;
  for (int i = 0; i < blocks; ++i) {
    offsets.push_back(w.size());
    BlockBuffer b;
    for (int k = 0; k < perBlock; ++k) addAdmitted(b, n++);
    EXPECT_TRUE(w.write(b));
  }
  EXPECT_TRUE(w.sync());
  return offsets;
}

std::vector<uint64_t> readAll(const std::string& path, LogScan& scan, std::string& error,
                              bool& ok) {
  std::vector<uint64_t> values;
  ok = scanLog(
      path,
      [&](const LogMessage& m) {
        capnp::FlatArrayMessageReader reader(
            kj::ArrayPtr<const capnp::word>(static_cast<const capnp::word*>(m.words), m.bytes / 8));
        values.push_back(reader.getRoot<wire::JournalEntry>().getAdmitted());
        return true;
      },
      scan, error);
  return values;
}

uint64_t sizeOf(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  return static_cast<uint64_t>(f.tellg());
}

void patchByte(const std::string& path, uint64_t at, char value) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(value);
}

void appendBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

TEST(FrameLog, Crc32cKnownAnswer) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);  // the standard check value of CRC-32C
  EXPECT_EQ(crc32c("", 0), 0u);
  std::string big(1000, 'a');
  EXPECT_EQ(crc32c(big.data() + 500, 500, crc32c(big.data(), 500)), crc32c(big.data(), 1000));
}

TEST(FrameLog, IntactLogReadsBackInOrder) {
  TempDir dir;
  std::string path = dir.path + "/log";
  writeBlocks(path, 3, 4);
  LogScan scan;
  std::string error;
  bool ok;
  auto values = readAll(path, scan, error, ok);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(values, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(scan.blocks, 3u);
  EXPECT_EQ(scan.validBytes, sizeOf(path));
  EXPECT_EQ(scan.tornTailBytes, 0u);
}

TEST(FrameLog, PartialTailIgnored) {
  TempDir dir;
  std::string path = dir.path + "/log";
  auto offsets = writeBlocks(path, 3, 2);
  uint64_t full = sizeOf(path);
  for (uint64_t cut :
       {offsets[2] + 5, offsets[2] + kBlockHeaderBytes, full - 8}) {  // header, payload
    ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(cut)), 0);
    LogScan scan;
    std::string error;
    bool ok;
    auto values = readAll(path, scan, error, ok);
    ASSERT_TRUE(ok) << error;
    EXPECT_EQ(values, (std::vector<uint64_t>{0, 1, 2, 3}));
    EXPECT_EQ(scan.validBytes, offsets[2]);
    EXPECT_EQ(scan.tornTailBytes, cut - offsets[2]);
    EXPECT_FALSE(scan.tornTailWhy.empty());
  }
}

TEST(FrameLog, DamagedLastBlockIsATornTail) {
  TempDir dir;
  std::string path = dir.path + "/log";
  auto offsets = writeBlocks(path, 3, 2);
  patchByte(path, sizeOf(path) - 3, 'X');  // inside the last block's payload
  LogScan scan;
  std::string error;
  bool ok;
  auto values = readAll(path, scan, error, ok);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(values.size(), 4u);
  EXPECT_EQ(scan.validBytes, offsets[2]);
  EXPECT_EQ(scan.tornTailWhy, "checksum mismatch");
}

TEST(FrameLog, ZeroFilledTailIsATornTail) {
  TempDir dir;
  std::string path = dir.path + "/log";
  writeBlocks(path, 2, 2);
  uint64_t end = sizeOf(path);
  appendBytes(path, std::string(4096, '\0'));  // space a machine crash can leave allocated
  LogScan scan;
  std::string error;
  bool ok;
  auto values = readAll(path, scan, error, ok);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(values.size(), 4u);
  EXPECT_EQ(scan.validBytes, end);
  EXPECT_EQ(scan.tornTailBytes, 4096u);
}

TEST(FrameLog, CorruptMiddleNamesFileAndOffset) {
  TempDir dir;
  std::string path = dir.path + "/journal.log";
  auto offsets = writeBlocks(path, 3, 2);
  patchByte(path, offsets[1] + kBlockHeaderBytes + 9, 'X');  // payload of the second block
  LogScan scan;
  std::string error;
  bool ok;
  auto values = readAll(path, scan, error, ok);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("corrupt block at byte " + std::to_string(offsets[1])), std::string::npos)
      << error;
  EXPECT_NE(error.find("checksum mismatch"), std::string::npos) << error;
  EXPECT_EQ(values, (std::vector<uint64_t>{0, 1}));  // what came before was delivered
}

TEST(FrameLog, CorruptHeaderInTheMiddleIsAnError) {
  TempDir dir;
  std::string path = dir.path + "/log";
  auto offsets = writeBlocks(path, 3, 1);
  patchByte(path, offsets[1] + 1, 'Q');  // the magic of the second block
  LogScan scan;
  std::string error;
  bool ok;
  readAll(path, scan, error, ok);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("byte " + std::to_string(offsets[1]) + ": no block starts here"),
            std::string::npos)
      << error;
}

TEST(FrameLog, GarbageAfterTheLastBlockIsCorruption) {
  TempDir dir;
  std::string path = dir.path + "/log";
  writeBlocks(path, 1, 1);
  uint64_t end = sizeOf(path);
  appendBytes(path,
              std::string("this is not a block, and not zeros either") + std::string(64, 'z'));
  LogScan scan;
  std::string error;
  bool ok;
  readAll(path, scan, error, ok);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("corrupt block at byte " + std::to_string(end)), std::string::npos) << error;
}

TEST(FrameLog, BigBatchesAreSplitIntoBlocks) {
  TempDir dir;
  std::string path = dir.path + "/log";
  FrameLogWriter w;
  std::string error;
  ASSERT_TRUE(w.open(path, 0, error)) << error;
  BlockBuffer b;
  std::string text(1 << 20, 't');
  for (int i = 0; i < 40; ++i) {  // 40 MiB: above kBlockTargetBytes
    capnp::MallocMessageBuilder message;
    message.initRoot<wire::Value>().setText(text);
    b.add(message);
  }
  ASSERT_TRUE(w.write(b));
  LogScan scan;
  int count = 0;
  ASSERT_TRUE(scanLog(
      path, [&](const LogMessage&) { return ++count, true; }, scan, error))
      << error;
  EXPECT_EQ(count, 40);
  EXPECT_GE(scan.blocks, 3u);
}

TEST(FrameLog, ReopenKeepsAPrefixAndAppends) {
  TempDir dir;
  std::string path = dir.path + "/log";
  auto offsets = writeBlocks(path, 3, 1);
  FrameLogWriter w;
  std::string error;
  ASSERT_TRUE(w.open(path, offsets[2], error)) << error;  // drop the last block
  BlockBuffer b;
  addAdmitted(b, 99);
  ASSERT_TRUE(w.write(b));
  LogScan scan;
  bool ok;
  EXPECT_EQ(readAll(path, scan, error, ok), (std::vector<uint64_t>{0, 1, 99}));
  EXPECT_FALSE(w.open(path, sizeOf(path) + 1, error));  // a file shorter than promised
}

}  // namespace
}  // namespace mx::rt::durable
