// Runner.h — runs a loaded pipeline over its source: the scheduler behind `mx run`.
//
// Row mode (the default) lets every task advance on its own: oneTBB workers pop tasks from one
// queue per agent, run one step, and push the task on; model calls complete asynchronously and
// re-enqueue their task. Batch mode is the batch-synchronous baseline the Matrix paper compares
// against: B rows at a time, and a turn starts only when every task of the batch finished the
// previous one.
//
// A row-mode run keeps a journal (RUNDIR/journal.log) so that `resume` can finish it after a
// crash with every row's output exactly once, and a trajectory log (RUNDIR/trajectory.log) of
// every step; both are described in docs/trajectory.md, the design in durable/RunLogs.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mx/rt/ModuleInfo.h"

namespace mx::rt {

struct RunOptions {
  std::string pipeline;       // "" = the first pipeline of the module
  std::string runDir;         // sink files, dead letters and stats go here (must exist)
  std::string baseDir;        // sources and models are relative to the .mx file's folder
  std::string inputOverride;  // --input: read rows from this file instead of the source's
  int64_t maxInFlight = -1;   // -1: the pipeline's max_in_flight (default 1024)
  int64_t limit = -1;         // stop after this many rows (-1: all)
  std::optional<int64_t> seed;
  unsigned workers = 0;   // 0: one per hardware thread
  size_t batchSize = 0;   // 0: row mode; else batch mode with this many rows per batch
  bool progress = false;  // a live progress line on stderr
  int metricsPort = -1;   // serve Prometheus metrics on this port (0: any free one; -1: off)

  // ---- durability (row mode)
  bool journal = true;     // RUNDIR/journal.log, so that the run can be resumed
  bool trajectory = true;  // RUNDIR/trajectory.log, every step
  bool resume = false;     // continue the run in runDir from its journal
  // Who the run is, written in the journal header and checked on resume.
  std::string modulePath;  // absolute path of the .mx file or the AOT shared object
  bool aot = false;
  std::string descriptorHash;  // rt::descriptorHash() of the module's descriptor
  std::string mxVersion;
  int commitIntervalMs = 50;  // group commit: at most this long between journal fsyncs
  size_t checkpointBytesPerCommit = size_t(512) << 10;  // checkpoint budget of one commit
  uint64_t journalRotateBytes = uint64_t(64) << 20;  // rewrite the journal as a snapshot past this
};

struct RunStats {
  uint64_t rowsIn = 0, rowsBad = 0;  // rows read; rows that never became a task
  uint64_t tasksDone = 0, tasksFailed = 0;
  uint64_t emitted = 0, steps = 0, llmCalls = 0, tokensIn = 0, tokensOut = 0;
  uint64_t peakInFlight = 0, peakRssKb = 0;
  double seconds = 0;
  // durability
  bool resumed = false, alreadyComplete = false;
  uint64_t tasksRestored = 0;  // went on from a checkpoint
  uint64_t rowsSkipped = 0;    // finished before the resume
  uint64_t rowsReread = 0;     // read before the crash, unfinished and unsaved: started again
  uint64_t journalCommits = 0, journalBytes = 0, checkpoints = 0, trajectorySteps = 0;
  bool inputUnreadable = false;  // the run stopped because its rows could not be read (exit 3)
  std::string toJson() const;
};

/// Runs the pipeline to completion. Returns false with `error` set when the run could not start
/// or had to stop (an unreadable source, an unwritable sink); rows that fail are not errors of
/// the run: they go to the dead-letter file and count in tasksFailed.
bool runPipeline(const ModuleInfo& module, const RunOptions& options, RunStats& stats,
                 std::string& error);

}  // namespace mx::rt
