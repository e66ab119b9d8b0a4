// StepCore.cpp — the pieces of running a step shared by the scheduler and the debugger.
#include "StepCore.h"

#include "mx/rt/Regex.h"
#include "mx/rt/Tools.h"

namespace mx::rt {

uint64_t mixSeed(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9E3779B97F4A7C15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void prepareStep(MxCtx& ctx, StepEffects& effects, TaskState& t, const ModuleInfo& module,
                 uint64_t runSeed, RegexCache* regexCache) {
  ctx.runSeed = runSeed;
  ctx.rowId = t.rowId;
  ctx.trial = t.trial;
  ctx.randomDraws = t.randomDraws;
  ctx.module = &module;
  ctx.shapes = &module.shapes;
  ctx.regexCache = regexCache;  // a pattern compiles once per run, not once per call
  ctx.effects = &effects;
  ctx.failed = false;
  ctx.failMessage.clear();
  effects.reset();
  effects.results = &t.results;
}

bool initTask(TaskState& t, const Value& row, const ModuleInfo& module, const TaskInfo& task,
              uint32_t startAgent, uint64_t runSeed, RegexCache* regexCache, std::string& why) {
  t.agent = startAgent;
  t.frame.assign(task.frameSize, Value());
  MxCtx ctx;
  StepEffects effects;
  prepareStep(ctx, effects, t, module, runSeed, regexCache);
  int32_t rc = task.init(&ctx, reinterpret_cast<MxValue*>(t.frame.data()), row.slot());
  if (rc != 0 || ctx.failed) {
    why = module.location(ctx.failLoc) + ": " + ctx.failMessage;
    return false;
  }
  t.randomDraws = ctx.randomDraws;
  return true;
}

void numberCalls(TaskState& t, bool retry) {
  size_t n = t.calls.size();
  t.results.assign(n, Value());
  t.callError.clear();
  t.pending.store(static_cast<uint32_t>(n));
  if (!retry) t.callBase = t.callIndex;  // a retry re-uses its seeds (docs/language.md §10.4)
  t.callIndex = t.callBase + n;
  t.awaiting = true;
}

std::unique_ptr<ModelBackend> openModel(const ResourceInfo& r, const std::string& baseDir,
                                        std::string& error, ToolHost* tools, uint32_t resourceIndex) {
  if (r.kind == "model" && r.ctor == "sim") return makeSimModel(r);
  if (r.kind == "model" && r.ctor == "local") return makeLocalModel(r, baseDir, tools, error);
  if (r.kind == "model") {
    error = "model '" + r.name + "' (" + r.ctor +
            ") needs the OpenAI-compatible client, which this build of mx does not have yet";
    return nullptr;
  }
  if (!tools) {
    error = "tools '" + r.name + "' cannot be opened here";
    return nullptr;
  }
  auto provider = makeToolProvider(r, baseDir, error);
  if (!provider) return nullptr;
  auto backend = makeToolsBackend(*provider);
  tools->add(resourceIndex, std::move(provider));
  return backend;
}

}  // namespace mx::rt
