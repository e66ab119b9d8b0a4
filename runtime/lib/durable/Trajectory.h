// Trajectory.h — RUNDIR/trajectory.log: one TrajectoryStep message per step of every task.
//
// Cheap enough to leave on at millions of steps per second: each thread builds its records into
// its own block buffer (no shared lock per step) and writes a whole block when the buffer fills;
// the group commit flushes every buffer, so the log holds at least every step the journal
// accounts for. Steps without calls are written from a template (Trajectory.cpp). A step that
// awaits is logged when all its calls have answered, with their arguments, seeds, results, tokens
// and latencies.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "../exec/TaskState.h"
#include "FrameLog.h"
#include "mx/rt/Journal.h"

namespace mx::rt::durable {

class ShapeIndex;

/// One step as the scheduler saw it. For effect Await, the calls, their results and traces come
/// from the task (calls, results, trace.calls).
struct StepRecord {
  enum Effect : uint8_t { Goto = 0, Done = 1, Await = 2, Fail = 3 };
  const TaskState* task = nullptr;
  uint64_t step = 0;
  uint32_t agent = 0;
  int32_t resumeFrom = 0;
  Effect effect = Done;
  uint32_t gotoAgent = 0;
  uint32_t emits = 0;
  uint64_t randomBefore = 0, randomAfter = 0;
  uint64_t startNs = 0, durationNs = 0;
  bool restored = false;
  std::string_view error;
};

class TrajectoryLog {
 public:
  TrajectoryLog(const ShapeIndex& shapes, size_t flushBytes = size_t(256) << 10);
  ~TrajectoryLog();
  /// Opens the log keeping its first `keepBytes` (0: fresh) and writes a segment header.
  bool open(const std::string& path, uint64_t keepBytes, const RunIdentity& identity,
            uint32_t resumes, const std::vector<std::pair<uint32_t, std::string>>& sinks,
            std::string& error);
  /// Adds one step (any thread).
  void add(const StepRecord& record);
  /// Writes every thread's buffered steps; returns the log's length after them.
  uint64_t flush();
  bool sync();
  std::string error();
  uint64_t steps();

  /// Nanoseconds since the log was opened (the time base of startNs).
  uint64_t now() const;

 private:
  struct ThreadBuffer;
  struct StepTemplate;
  ThreadBuffer& local();
  void writeBlock(BlockBuffer& block);

  const ShapeIndex& shapes_;
  size_t flushBytes_;
  std::mutex fileMu_;
  FrameLogWriter file_;
  struct Buffers;
  std::unique_ptr<Buffers> buffers_;
  std::unique_ptr<StepTemplate> template_;
  int64_t epochNs_ = 0;
  uint64_t tscBase_ = 0;  // the time-stamp counter at epochNs_, when it is used
  double nsPerTick_ = 0;  // 0: read the steady clock instead
};

}  // namespace mx::rt::durable
