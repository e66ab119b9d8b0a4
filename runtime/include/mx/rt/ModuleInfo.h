// ModuleInfo.h — a loaded pipeline: the compiled module's descriptor parsed into tables the
// runtime indexes by the ids compiled code passes (agent, resource, shape, loc).
//
// Built once when a module loads (JIT or AOT), read-only afterwards, shared by every worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mx/rt/Abi.h"
#include "mx/rt/Value.h"

namespace mx::rt {

struct FieldInfo {
  std::string name;
  std::string type;  // as written in .mx, e.g. "list<message>"
};

struct TaskInfo {
  std::string name;
  std::string source;  // the source resource's name ("" when none)
  std::vector<FieldInfo> fields;
  MxInitFn init = nullptr;
  uint32_t frameSize = 0;  // fields plus the most spilled locals of any agent of this task
};

struct AgentInfo {
  std::string name;
  uint32_t task = 0;
  std::vector<std::string> spilled;
  uint32_t states = 1;
  uint32_t line = 0;
  MxStepFn step = nullptr;
};

struct ResourceInfo {
  std::string kind;  // model, source, sink, tools
  std::string name;
  std::string ctor;  // local, openai, sim, jsonl, sqlite
  nlohmann::json args;     // "#0", "#1" for positional arguments, else by name
  nlohmann::json options;
  std::vector<std::string> keys;  // a sink's: every key its emits write (absent ones become null)
  /// The first positional argument or the named one, as a string ("" when absent).
  std::string stringArg(const std::string& name) const;
};

struct PipelineInfo {
  std::string name;
  uint32_t start = 0;
  nlohmann::json options;
  int64_t option(const std::string& key, int64_t fallback) const;
};

class ModuleInfo {
 public:
  /// Parses and checks a compiled module; returns null with `error` set when it was built for
  /// another ABI or another built-in table, or its descriptor is malformed.
  static std::unique_ptr<ModuleInfo> load(const MxModule* module, std::string& error);

  std::string sourcePath;  // the .mx file it was compiled from, as mxc was given it (messages)
  std::string baseDir;     // that file's folder, absolute: relative resource paths resolve here
  std::vector<TaskInfo> tasks;
  std::vector<AgentInfo> agents;
  std::vector<ResourceInfo> resources;
  std::vector<PipelineInfo> pipelines;
  ShapeTable shapes;
  std::vector<std::pair<uint32_t, uint32_t>> locations;  // loc id → (line, col)

  /// "file.mx:12:5" for a loc id (just the file for 0 or an unknown id).
  std::string location(uint32_t loc) const;
  const PipelineInfo* pipeline(const std::string& name) const;  // "" = the only/first one
  int32_t resourceIndex(const std::string& kind, const std::string& name) const;
};

}  // namespace mx::rt
