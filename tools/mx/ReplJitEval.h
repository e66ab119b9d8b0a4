// ReplJitEval.h — `eval EXPR` in `mx repl`: the expression is compiled by the same JIT as the
// pipeline (appended to the program as a one-step agent that emits it) and run on a task's
// fields, so any .mx expression works, type errors included, exactly as in an agent.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ModuleLoader.h"
#include "mx/rt/ModuleInfo.h"
#include "mx/rt/Value.h"

namespace mx::cli {

class JitEvaluator {
 public:
  /// `program` is the .mx file the session runs (empty for an AOT session: no compiler).
  explicit JitEvaluator(std::string program) : program_(std::move(program)) {}
  bool available() const { return !program_.empty(); }

  /// Evaluates `expr` (it may use `t`, the task) with the task's `fields` (TaskInfo order).
  /// False with `error`: the first compiler diagnostic, or the failure the expression raised.
  bool eval(const std::string& expr, const rt::TaskInfo& task, const std::vector<rt::Value>& fields,
            rt::Value& out, std::string& error);

 private:
  struct Compiled {
    LoadedModule loaded;
    std::unique_ptr<rt::ModuleInfo> info;
    uint32_t agent = 0;
  };
  Compiled* compile(const std::string& expr, const rt::TaskInfo& task, std::string& error);

  std::string program_;
  std::map<std::string, std::unique_ptr<Compiled>> cache_;  // by expression: compiling takes ~1 s
};

}  // namespace mx::cli
