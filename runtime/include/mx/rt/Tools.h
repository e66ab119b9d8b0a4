// Tools.h — `tools NAME = sqlite(...) { ... }`: tool providers, and the host through which
// compiled code (describe, matches), the scheduler (call, invoke) and models (schemas for chat
// templates) reach them.
//
// A provider keeps per-task state (a task's private database) keyed by TaskKey and drops it
// when the task ends (release). Results are JSON text formatted as Python's json.dumps does,
// since that is what the models were trained to read.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mx/rt/ModuleInfo.h"

namespace mx::rt {

struct TaskKey {
  uint64_t row = 0;
  uint32_t trial = 0;
  friend bool operator<(const TaskKey& a, const TaskKey& b) {
    return a.row != b.row ? a.row < b.row : a.trial < b.trial;
  }
};

class ToolProvider {
 public:
  virtual ~ToolProvider() = default;
  /// The tools the declaration exposes, as OpenAI function schemas (what chat templates take).
  virtual const nlohmann::ordered_json& schemas() const = 0;
  /// Runs one tool; tool errors ({"error": ...}) are results, not failures. Thread-safe.
  virtual std::string invoke(TaskKey task, const std::string& name, const nlohmann::ordered_json& args) = 0;
  /// docs/language.md §4.4: the task's database equals the seed changed by exactly `expected`.
  /// False with `error` set when `expected` itself is malformed.
  virtual bool matches(TaskKey task, const nlohmann::json& expected, bool& result, std::string& error) = 0;
  /// The task ended: its private state goes.
  virtual void release(TaskKey task) = 0;
};

/// Builds the provider of a `tools` declaration (relative paths against `baseDir`); null with
/// `error` naming the declaration and what is wrong (unknown constructor, a tool the provider
/// does not implement, a script that does not run).
std::unique_ptr<ToolProvider> makeToolProvider(const ResourceInfo& resource, const std::string& baseDir,
                                               std::string& error);

/// The run's providers by resource index.
class ToolHost {
 public:
  ToolProvider* find(uint32_t resource) const {
    auto it = providers_.find(resource);
    return it == providers_.end() ? nullptr : it->second.get();
  }
  void add(uint32_t resource, std::unique_ptr<ToolProvider> p) { providers_[resource] = std::move(p); }
  void release(TaskKey task) {
    for (auto& [index, p] : providers_) p->release(task);
  }
  bool empty() const { return providers_.empty(); }

 private:
  std::map<uint32_t, std::unique_ptr<ToolProvider>> providers_;
};

/// JSON text as Python's json.dumps(value) writes it: ", " and ": " separators, non-ASCII as
/// \uXXXX escapes (ensure_ascii), keys in their order.
std::string pythonJsonDumps(const nlohmann::ordered_json& value);

}  // namespace mx::rt
