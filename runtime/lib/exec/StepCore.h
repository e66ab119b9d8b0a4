// StepCore.h — what the scheduler (Runner.cpp) and the debugger (TaskDebugger.cpp) share about
// running tasks: call seeds, a step's context, a task built from its input row, the numbering of
// an await's calls, and opening a model resource. One definition each, so `mx repl` replays and
// forks steps exactly as `mx run` took them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "TaskState.h"
#include "mx/rt/Context.h"
#include "mx/rt/Effects.h"
#include "mx/rt/ModelBackend.h"
#include "mx/rt/ModuleInfo.h"

namespace mx::rt {

class RegexCache;
class ToolHost;

/// splitmix64 of `a` combined with `b`: the seed derivation of invariant 5.
uint64_t mixSeed(uint64_t a, uint64_t b);

/// The seed of call `i` of the task's current await (numbered from t.callBase).
inline uint64_t callSeed(uint64_t runSeed, const TaskState& t, size_t i) {
  return mixSeed(mixSeed(mixSeed(runSeed, t.rowId), t.trial), t.callBase + i);
}

/// Resets `ctx` and `effects` for one step (or the init function) of `t`.
void prepareStep(MxCtx& ctx, StepEffects& effects, TaskState& t, const ModuleInfo& module,
                 uint64_t runSeed, RegexCache* regexCache);

/// Fills a fresh task (rowId and trial set) from its parsed input row: the start agent, the
/// frame by the task type's init function, its random state. False with `why`
/// ("file.mx:L:C: message") when init fails; the caller turns that into the row's dead letter.
bool initTask(TaskState& t, const Value& row, const ModuleInfo& module, const TaskInfo& task,
              uint32_t startAgent, uint64_t runSeed, RegexCache* regexCache, std::string& why);

/// Numbers the calls in t.calls (call indices, hence seeds; a retry keeps them) and clears the
/// results they will fill. The scheduler calls it under the task's lock (RunLogs.h).
void numberCalls(TaskState& t, bool retry);

/// Opens model or tools resource `r` (relative paths from `baseDir`). Null with `error` for a
/// kind this build cannot serve or one that fails to load. A tools provider is added to `tools`
/// under `resourceIndex` (and the returned backend runs its call/invoke); models take their chat(tools:) schemas from
/// it. Without `tools`, tools resources cannot be opened.
std::unique_ptr<ModelBackend> openModel(const ResourceInfo& r, const std::string& baseDir,
                                        std::string& error, ToolHost* tools = nullptr,
                                        uint32_t resourceIndex = 0);

}  // namespace mx::rt
