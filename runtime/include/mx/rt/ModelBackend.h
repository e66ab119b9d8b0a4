// ModelBackend.h — the asynchronous interface every model and tool call goes through.
//
// The scheduler hands a call to the backend of its resource and forgets the task until `done`
// runs; no worker thread ever blocks on a model. Backends: the simulated model (a test double,
// SimModel.h), the built-in engine (CPU/CUDA) and OpenAI-compatible endpoints (later issues).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mx/rt/ModuleInfo.h"
#include "mx/rt/Value.h"

namespace mx::rt {

struct ModelCall {
  std::string method;        // chat, complete (models); call, invoke (tools)
  std::vector<Value> args;   // as the signature in stdlib/Builtins.h lists them
  uint64_t seed = 0;         // from (run seed, row, trial, call index): invariant 5
  uint64_t rowId = 0;        // the calling task: tools keep per-task state (its database)
  uint32_t trial = 0;
};

struct ModelResult {
  bool ok = true;
  Value value;         // a message for chat, a string for complete
  std::string error;   // when !ok: why the call failed (the step then fails or retries)
  uint64_t tokensIn = 0;
  uint64_t tokensOut = 0;
};

class ModelBackend {
 public:
  virtual ~ModelBackend() = default;
  /// Starts a call. `done` runs exactly once, on any thread, when it completes. Thread-safe.
  virtual void submit(ModelCall call, std::function<void(ModelResult)> done) = 0;
  /// Calls submitted and not yet completed (for backpressure and metrics).
  virtual size_t inFlight() const = 0;
};

/// The simulated model (`model m = sim(...)`): a seeded latency and deterministic text, so the
/// runtime can be measured apart from any model. A test double: never chosen by default.
std::unique_ptr<ModelBackend> makeSimModel(const ResourceInfo& resource);

class ToolProvider;  // Tools.h
class ToolHost;

/// `tools t = sqlite(...)`: the provider's call/invoke as asynchronous calls.
std::unique_ptr<ModelBackend> makeToolsBackend(ToolProvider& provider);

/// `model m = local("folder")`: the built-in engine on a Hugging Face model folder (relative to
/// `baseDir`). Loads the weights now; null with `error` naming the folder and what is wrong.
/// `tools` (may be null) gives chat(..., tools: t) the schemas of declaration t.
std::unique_ptr<ModelBackend> makeLocalModel(const ResourceInfo& resource, const std::string& baseDir,
                                             const ToolHost* tools, std::string& error);

}  // namespace mx::rt
