// TaskState.h — one task's whole state while it runs (ARCHITECTURE.md invariant 1), shared by
// the scheduler (Runner.cpp) and the codec that turns it into the wire TaskState of
// runtime/schema/task.capnp (durable/Codec.h) for checkpoints.
//
// The first group of fields is the task message: what a checkpoint saves and a resume restores.
// The rest is bookkeeping of this process (the await in progress, the trajectory record being
// built, the journal's slot) and never leaves it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mx/rt/Effects.h"
#include "mx/rt/Value.h"

namespace mx::rt {

/// What the trajectory log records about a call of an await in progress.
struct CallTrace {
  uint64_t seed = 0;
  uint64_t submittedNs = 0;
  uint64_t latencyNs = 0;
  uint64_t tokensIn = 0, tokensOut = 0;
  std::string error;
};

/// The step that started the current await, logged once its calls have answered.
struct AwaitTrace {
  uint64_t step = 0;  // the step's index and agent (the task has moved past it since)
  uint32_t agent = 0;
  int32_t resumeFrom = 0;
  uint64_t randomBefore = 0, randomAfter = 0;
  uint64_t startNs = 0, durationNs = 0;
  uint32_t emits = 0;
  bool restored = false;  // re-submitted after a resume: the step itself ran in an earlier process
  std::vector<CallTrace> calls;
};

constexpr uint32_t kNoSlot = UINT32_MAX;

struct TaskState {
  // ---- the task message (wire::TaskState)
  uint64_t rowId = 0;
  uint32_t trial = 0;
  uint32_t agent = 0;
  int32_t resume = 0;
  uint32_t attempts = 0;     // failed attempts of the current await
  uint64_t randomDraws = 0;  // random() calls so far: part of the task's seed state
  uint64_t callIndex = 0;    // model/tool calls so far: seeds each call
  uint64_t steps = 0;        // steps run so far
  std::vector<Value> frame;
  std::vector<Value> results;      // results of the await being resumed
  std::vector<PendingCall> calls;  // the calls of the current await (kept for retries)
  std::vector<std::pair<uint32_t, Value>> emits;  // held until the task is done: a row ends
                                                  // as all its records or one dead letter
  bool awaiting = false;                          // the await's calls are out (results incomplete)
  uint64_t callBase = 0;  // callIndex before the current await's calls were numbered

  // ---- bookkeeping of this process
  std::atomic<uint32_t> pending{0};
  std::string callError;  // first failed call of the current await
  std::mutex callMu;
  uint32_t slot = kNoSlot;            // the journal's registry entry (kNoSlot: not journaled)
  std::unique_ptr<AwaitTrace> trace;  // during an await, when the trajectory log is on
};

}  // namespace mx::rt
