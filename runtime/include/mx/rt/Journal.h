// Journal.h — reading the durable logs of a run directory: the framed-block format that
// RUNDIR/journal.log and RUNDIR/trajectory.log share, the run header, and the module identity a
// resume checks. Writing them is the scheduler's business (runtime/lib/durable/).
//
// The format (docs/trajectory.md): a file is a sequence of blocks, each a 16-byte header — magic
// "MXB1", payload length, CRC-32C, message count — and a payload of Cap'n Proto messages in the
// standard flat encoding (segment table, segments). A crash can leave the last block partial: it
// is ignored. A damaged block with intact blocks after it is corruption, reported with the file
// and byte offset and never skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mx/rt/Value.h"

namespace mx::rt {

/// CRC-32C (Castagnoli) of `size` bytes, continuing from `crc` (0 to start).
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);

/// What scanning a log found.
struct LogScan {
  uint64_t validBytes = 0;  // the file up to the end of the last intact block
  uint64_t blocks = 0;
  uint64_t messages = 0;
  uint64_t tornTailBytes = 0;  // bytes after validBytes: a partial last block (0 when none)
  std::string tornTailWhy;     // why those bytes were not a block ("" when none)
};

/// One message of a block: 8-byte aligned words, valid only during the callback.
struct LogMessage {
  const void* words = nullptr;
  size_t bytes = 0;
  uint64_t blockOffset = 0;  // the file offset of the block that holds it
};

/// Reads every intact block of `path` in order and calls `onMessage` for each message (return
/// false to stop early). Returns false with `error` when the file can't be read, a block in the
/// middle is damaged ("PATH: corrupt block at byte N: why"), or a block's payload is not a
/// sequence of messages. A damaged or partial block at the very end is not an error: it is
/// reported in `scan`.
bool scanLog(const std::string& path, const std::function<bool(const LogMessage&)>& onMessage,
             LogScan& scan, std::string& error);

/// Who wrote a run directory's journal: what `mx run --resume DIR` needs to find and check the
/// program before it reads the rest.
struct RunIdentity {
  uint32_t schemaVersion = 0;
  std::string mxVersion;
  std::string modulePath;  // absolute: the .mx file (JIT) or the shared object (AOT)
  bool aot = false;
  std::string sourcePath;
  std::string descriptorHash;
  std::string pipeline;
  std::string inputPath;
  int64_t seed = 0;
  uint32_t trials = 1;
  int64_t limit = -1;
};

/// Reads the header of RUNDIR/journal.log. False with `error` when there is no journal, it
/// does not start with a header, or the header is from an unknown schema version.
bool readRunIdentity(const std::string& runDir, RunIdentity& out, std::string& error);

/// A hash of a module descriptor (the JSON the compiler writes) that ignores where the source
/// was compiled from: equal for the same pipeline however its path was spelled. Hex text; ""
/// when the descriptor is not JSON.
std::string descriptorHash(const char* descriptor);

/// The schema version (runtime/schema/task.capnp) this build writes and reads.
uint32_t journalSchemaVersion();

// ----------------------------------------------------------------- reading the trajectory log

/// One model or tool call of a step (wire::CallRecord, decoded).
struct CallInfo {
  std::string method;  // chat, complete, call, invoke
  uint32_t resource = 0, slot = 0;
  uint64_t seed = 0;
  std::vector<Value> args;
  Value result;
  std::string error;  // "" when the call succeeded
  uint64_t tokensIn = 0, tokensOut = 0, latencyNs = 0;
  uint32_t attempt = 0;
};

/// One step of one task (wire::TrajectoryStep, decoded).
struct StepInfo {
  enum Effect : uint8_t { Goto = 0, Done = 1, Await = 2, Fail = 3 };
  uint64_t rowId = 0;
  uint32_t trial = 0;
  uint64_t step = 0;
  uint32_t agent = 0;
  int32_t resume = 0;
  Effect effect = Done;
  uint32_t gotoAgent = 0, emits = 0;
  uint64_t randomBefore = 0, randomAfter = 0;
  std::vector<CallInfo> calls;
  std::string error;
  uint64_t startNs = 0, durationNs = 0;
  bool restored = false;
};

/// Reads RUNDIR/trajectory.log: the first segment header in `header`, and every task's steps,
/// sorted by (row, trial, step), keeping the last record of each key (a resume logs some steps
/// again, identically). Record shapes resolve against `shapes`, the module that wrote the log
/// (check header.descriptorHash first). False with `error` for an unreadable, corrupt or
/// malformed log.
bool readTrajectory(const std::string& runDir, const ShapeTable& shapes, RunIdentity& header,
                    std::vector<StepInfo>& steps, std::string& error);

}  // namespace mx::rt
