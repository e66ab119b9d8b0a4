// Context.h — MxCtx, the state of one step of one task, as the runtime sees it.
//
// Compiled code only ever holds an MxCtx* and passes it back to mx_rt_* functions. The scheduler
// (issue 3) owns one per worker and resets it before each step. This header is C++ and private
// to the runtime and stdlib implementations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mx/rt/Abi.h"

namespace mx::rt {
class ModuleInfo;  // the parsed module descriptor (shapes, locations, resources)
class ShapeTable;  // record shapes by id (Value.h)
class RegexCache;  // compiled patterns shared by the run's workers (Regex.h)
class ToolHost;    // the run's tool providers (Tools.h)
struct StepEffects;  // what a step asked for: goto, emits, calls to await (exec/Effects.h)
}  // namespace mx::rt

struct MxCtx {
  // ---- who is stepping: seeds every random draw (invariant 5 of ARCHITECTURE.md)
  uint64_t runSeed = 0;
  uint64_t rowId = 0;
  uint32_t trial = 0;
  uint64_t randomDraws = 0;  // how many draws this task made so far (persisted with the task)
  uint32_t callDepth = 0;    // fn calls in progress (mx_rt_enter / mx_rt_leave)
  const mx::rt::ModuleInfo* module = nullptr;
  // The module's record shapes, for mx_rt_make_record (owned by the loaded module, read-only).
  const mx::rt::ShapeTable* shapes = nullptr;
  // Owned by the run, shared by its workers; null compiles every non-literal pattern afresh.
  mx::rt::RegexCache* regexCache = nullptr;
  // The run's tool providers, for tools.describe() and tools.matches() (null: none declared).
  mx::rt::ToolHost* tools = nullptr;

  // ---- what the step asked for, filled by mx_rt_goto/emit/await_* (owned by the worker)
  mx::rt::StepEffects* effects = nullptr;

  // ---- what the step reported
  bool failed = false;
  uint32_t failLoc = 0;
  std::string failMessage;

  /// Records a failure (the first one wins) and returns 1 so callers can `return ctx->fail(...)`.
  int32_t fail(uint32_t loc, std::string message) {
    if (!failed) {
      failed = true;
      failLoc = loc;
      failMessage = std::move(message);
    }
    return 1;
  }
};
