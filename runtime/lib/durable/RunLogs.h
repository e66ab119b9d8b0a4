// RunLogs.h — everything a run writes besides statistics: the sinks and the dead-letter file,
// the journal (RUNDIR/journal.log, group commit) and the trajectory log (RUNDIR/trajectory.log),
// and what `mx run --resume` reads back from them. The scheduler (Runner.cpp) calls in at four
// points: a row was read, a task's step ended, a task finished, the run ended.
//
// Exactly once (ARCHITECTURE.md invariant 4) rests on three rules:
//  1. A task's records reach a sink only when the task is done, and under one lock together with
//     the "finished" entry that names it, so the sink lengths the journal records always account
//     for exactly the finished tasks before them.
//  2. A group commit writes and fdatasyncs the sinks and the dead-letter file before the journal
//     block that records their lengths; a crash can only lose entries, never make the journal
//     claim bytes that are not on disk.
//  3. Any saved state of an unfinished task is a valid restart point, because steps are
//     deterministic given the task message (seeds included; invariant 5). So checkpoints are
//     taken lazily — at a commit, of tasks whose state changed since their last one, within a
//     byte budget — and a task without one restarts from its row.
// On resume every output file is cut back to the lengths of the last durable entry, finished
// tasks are skipped, checkpointed tasks go on from their checkpoint, and the other rows the
// crashed run had read are read again from the source.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "../exec/TaskState.h"
#include "FrameLog.h"
#include "OutputFile.h"
#include "PerThread.h"
#include "mx/rt/Journal.h"
#include "mx/rt/ModuleInfo.h"

namespace mx::rt::durable {

class ShapeIndex;
class TrajectoryLog;

/// Tasks that ended, as the mark below which all did (tasks numbered row * trials + trial, the
/// order rows are read in) and a bitmap of the ones above it: a few bits per task in flight,
/// however long the run, and one bit operation per ended task (the commit thread adds every
/// task that ends, a million a second in trivial pipelines).
class FinishedSet {
 public:
  explicit FinishedSet(uint32_t trials = 1) : trials_(trials ? trials : 1) {}
  void add(uint64_t row, uint32_t trial) { addIndex(row * trials_ + trial); }
  void addIndex(uint64_t index);
  void setBelow(uint64_t below);
  bool contains(uint64_t row, uint32_t trial) const { return containsIndex(row * trials_ + trial); }
  bool containsIndex(uint64_t index) const {
    if (index < below_) return true;
    uint64_t bit = index - below_ + offset_;
    return bit / 64 < bits_.size() && (bits_[bit / 64] >> (bit % 64)) & 1;
  }
  /// Every trial of `row` has ended.
  bool rowDone(uint64_t row) const { return (row + 1) * trials_ <= below_; }
  uint64_t below() const { return below_; }
  /// The ended tasks above the mark, in order.
  std::vector<uint64_t> above() const;
  uint64_t count() const { return below_ + aboveCount_; }
  uint32_t trials() const { return trials_; }

 private:
  uint32_t trials_;
  uint64_t below_ = 0;
  // Bit (offset_ + i) of bits_ is task below_ + i; offset_ < 64 keeps the words aligned while
  // the mark advances one task at a time.
  std::vector<uint64_t> bits_;
  uint64_t offset_ = 0;
  uint64_t aboveCount_ = 0;
};

struct LogsConfig {
  std::string runDir;
  bool journal = true;
  bool trajectory = true;
  bool resume = false;
  RunIdentity identity;  // written in the header (and checked against it on resume)
  std::vector<std::pair<uint32_t, std::string>> sinks;  // (resource index, path as opened)
  int commitIntervalMs = 50;                            // the most a commit waits...
  size_t commitEntries = 65536;  // ...or the finished tasks that trigger one sooner
  size_t checkpointBytesPerCommit = size_t(512) << 10;
  uint64_t rotateBytes = uint64_t(64) << 20;  // rewrite the journal as a snapshot past this
                                              // (and past 4x the last snapshot)
};

/// What a resume restores (filled by RunLogs::open when config.resume).
struct ResumeState {
  uint64_t admitted = 0;  // rows the crashed run had read
  FinishedSet finished;
  std::vector<std::unique_ptr<TaskState>> tasks;  // decoded checkpoints of unfinished tasks
  uint32_t resumes = 0;                           // earlier resumes of this run
  bool complete = false;                          // the run had already finished
  uint64_t tornTailBytes = 0;                     // the partial last block that was dropped
};

struct LogsStats {
  uint64_t commits = 0, journalBytes = 0, checkpoints = 0, checkpointBytes = 0, rotations = 0;
  uint64_t trajectorySteps = 0;
};

class RunLogs {
 public:
  RunLogs(const ModuleInfo& module, LogsConfig config);
  ~RunLogs();

  /// Opens every output. On resume, first reads the journal into `resume`, checks its header
  /// against config.identity, cuts the outputs back, and rewrites the journal as a snapshot.
  /// False with `error` (naming the file, and the byte offset for corruption) on failure.
  bool open(ResumeState* resume, std::string& error);
  /// Starts the group-commit thread (when the journal is on); call once tasks may run.
  void start(size_t maxLiveTasks);

  // ---- the task registry (journal on): lets the commit thread read a task between its steps
  bool journaling() const { return config_.journal; }
  /// Gives `task` a slot. Only the reader thread (and open-time restore) call this.
  void add(TaskState& task);
  /// Holds the task against the commit thread while a worker changes it.
  void lock(const TaskState& task) {
    if (task.slot != kNoSlot) spinLock(slots_[task.slot]);
  }
  /// Ends a lock; `changed`: the task's saved state is out of date.
  void unlock(const TaskState& task, bool changed) {
    if (task.slot == kNoSlot) return;
    Slot& slot = slots_[task.slot];
    if (changed && !slot.dirty.load(std::memory_order_relaxed)) {
      slot.dirty.store(1, std::memory_order_relaxed);
      dirtyBits_[task.slot / 64].fetch_or(uint64_t(1) << (task.slot % 64),
                                          std::memory_order_relaxed);
    }
    slot.lock.store(0, std::memory_order_release);
  }
  /// The task is gone (finished): frees its slot. Called while holding its lock, which it ends.
  void remove(TaskState& task);

  // ---- outputs (any thread)
  /// Rows 0 .. n-1 of the source have been read (the reader thread only; never goes back).
  void admitted(uint64_t n) {
    if (n > admitted_.load(std::memory_order_relaxed))
      admitted_.store(n, std::memory_order_release);
  }
  /// A task ended: its records (sink, JSON line) and/or its dead letter (ok = false) are
  /// written and its end journaled, atomically with respect to commits. False once an output
  /// write failed (outputError() says which).
  bool finish(uint64_t row, uint32_t trial, bool ok,
              const std::vector<std::pair<uint32_t, std::string>>& records,
              const std::string& deadLetter);
  /// A row that never became tasks (bad JSON, a failed init): one dead letter for all trials.
  void badRow(uint64_t row, uint32_t trials, const std::string& deadLetter);
  /// The first failed output write ("" while all is well): the run stops on it.
  std::string outputError();

  // ---- trajectory (any thread; no-ops when it is off)
  bool tracing() const { return trajectory_ != nullptr; }
  TrajectoryLog* trajectory() { return trajectory_.get(); }

  /// Stops the commit thread after a last commit; with `complete` the journal says the run is
  /// over. Syncs everything. False with `error` when a write failed.
  bool close(bool complete, std::string& error);
  LogsStats stats() const;

 private:
  /// One per live task. A cache line each: workers lock the slots of the tasks they step, and
  /// neighbouring slots belong to tasks other workers step at the same time.
  struct alignas(64) Slot {
    std::atomic<uint32_t> lock{0};
    std::atomic<uint32_t> dirty{0};
    TaskState* task = nullptr;
  };
  struct Pending {
    uint64_t row;
    uint32_t trial;
  };
  /// Tasks that ended with no output: they need no atomicity with the files, so each thread
  /// lists them on its own instead of taking outMu_.
  struct alignas(64) QuietEnds {
    SpinLock mu;
    std::vector<Pending> tasks;
  };

  /// Reads journal.log into `state`; with `forResume`, checks its header against ours and
  /// decodes the checkpoints (else only finds out whether the run completed).
  bool loadJournal(ResumeState& state, std::string& error, bool forResume);
  bool checkIdentity(const RunIdentity& found, std::string& error) const;
  bool openOutputs(std::string& error);
  void commitLoop();
  bool commit(bool complete);
  /// Writes the journal afresh — header, admitted, finished, and a checkpoint of every task that
  /// ran a step (`tasks`, or all live ones) — beside it, then renames it over it.
  bool writeSnapshot(const std::vector<const TaskState*>* tasks, std::string& error);
  void addFinished(BlockBuffer& out, const std::vector<Pending>& tasks, bool complete);
  size_t addCheckpoint(BlockBuffer& out, const TaskState& task);
  void fail(const std::string& why);
  static void spinLock(Slot& slot) {
    if (slot.lock.exchange(1, std::memory_order_acquire) != 0) spinLockSlow(slot);
  }
  static void spinLockSlow(Slot& slot);

  const ModuleInfo& module_;
  LogsConfig config_;
  std::unique_ptr<ShapeIndex> shapes_;

  // outputs: appends, pending entries and the offsets they imply change together under outMu_
  std::mutex outMu_;
  std::map<uint32_t, size_t> sinkIndex_;  // resource → position in sinks_ (header order)
  std::vector<std::unique_ptr<OutputFile>> sinks_;
  OutputFile deadLetters_;
  std::vector<Pending> pending_;
  std::unique_ptr<PerThread<QuietEnds>> quietEnds_;
  std::string outputError_;
  alignas(64) std::atomic<bool> outputFailed_{false};  // read by every finish, written once
  alignas(64) std::atomic<uint64_t> admitted_{0};      // written by the reader for every row

  // the journal (commit thread only, after open)
  FrameLogWriter journal_;
  FinishedSet finished_;
  uint64_t lastAdmitted_ = UINT64_MAX;
  std::vector<uint64_t> sinkOffsets_;  // as of the last commit (or the journal read on resume)
  uint64_t deadOffset_ = 0, trajOffset_ = 0;
  uint64_t snapshotBytes_ = 0;
  size_t cursor_ = 0;
  uint32_t resumes_ = 0;

  // the registry
  std::unique_ptr<Slot[]> slots_;
  size_t capacity_ = 0;
  // One bit per slot, set when its task first changes after a checkpoint: the commit thread
  // looks at these words instead of every slot (a hint; Slot::dirty under the lock decides).
  std::unique_ptr<std::atomic<uint64_t>[]> dirtyBits_;
  // Free slots: workers push them on a shared stack; the reader (the only taker) moves the whole
  // stack to its own list with one exchange when that list runs dry, so the two sides meet on
  // the shared head once per batch rather than once per task.
  alignas(64) std::atomic<uint32_t> freeHead_{kNoSlot};
  std::unique_ptr<uint32_t[]> nextFree_;
  alignas(64) uint32_t readerFree_ = kNoSlot;  // the reader's list (linked through nextFree_ too)

  std::unique_ptr<TrajectoryLog> trajectory_;

  std::thread thread_;
  std::mutex commitMu_;
  std::condition_variable commitCv_;
  bool stopping_ = false;
  std::atomic<bool> commitSoon_{false};
  mutable std::mutex statsMu_;
  LogsStats stats_;
};

}  // namespace mx::rt::durable
