// Effects.h — what one step of an agent asked the runtime to do.
//
// Compiled code reports effects through mx_rt_goto / mx_rt_emit / mx_rt_await_call / mx_rt_await
// (runtime/lib/exec/AbiEffects.cpp), which record them here; the worker acts on them after the
// step returns. Emits are buffered so that a step that fails emits nothing (a retry or the
// dead-letter record replaces it), which keeps every row's output exactly once.
#pragma once

#include <cstdint>
#include <vector>

#include "mx/rt/Value.h"

namespace mx::rt {

/// One model or tool call of an await.
struct PendingCall {
  uint32_t loc = 0;
  uint32_t builtin = 0;   // index into stdlib::builtinSpecs(): which method
  uint32_t resource = 0;  // index into ModuleInfo::resources: which model or tools
  uint32_t slot = 0;      // position of its result in the await
  std::vector<Value> args;
};

struct StepEffects {
  uint32_t gotoAgent = 0;
  int32_t resume = 0;
  std::vector<std::pair<uint32_t, Value>> emits;  // (sink resource, record)
  std::vector<PendingCall> calls;
  /// The results of the await being resumed (set by the worker before the step).
  const std::vector<Value>* results = nullptr;

  void reset() {
    gotoAgent = 0;
    resume = 0;
    emits.clear();
    calls.clear();
    results = nullptr;
  }
};

}  // namespace mx::rt
