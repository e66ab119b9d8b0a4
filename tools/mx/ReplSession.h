// ReplSession.h — the commands of `mx repl`, in one table (docs/repl.md), independent of where
// lines come from (a terminal through libedit, or a script on standard input).
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "mx/rt/TaskDebugger.h"

namespace mx::cli {

class JitEvaluator;    // ReplJitEval.h
class PromptRenderer;  // ReplPrompt.h

class ReplSession {
 public:
  /// What a command's arguments complete to (per position; the last repeats).
  enum class Complete { None, Task, Agent, Field, Model, Command, File, TasksOption };

  struct Command {
    const char* name;
    const char* usage;
    const char* summary;
    bool (ReplSession::*run)(const std::vector<std::string>& args, const std::string& rest);
    std::vector<Complete> completes;
  };

  /// `jit` compiles `eval` expressions (null: AOT session, the field-path evaluator only).
  /// `prompts` renders chat prompts for `history` (null: raw messages only).
  ReplSession(rt::TaskDebugger& debugger, std::string descriptorHash, std::ostream& out,
              std::ostream& err, JitEvaluator* jit = nullptr, PromptRenderer* prompts = nullptr);

  /// Runs one line. False once the session should end (quit). A bad line prints one
  /// "error: …" line and the session goes on.
  bool execute(const std::string& line);
  /// Commands that failed so far (script mode exits 1 when any did).
  size_t failures() const { return failures_; }
  /// Words that could complete `word`, given the line before it.
  std::vector<std::string> complete(const std::string& before, const std::string& word) const;
  static const std::vector<Command>& commands();

 private:
  bool fail(const std::string& why);
  rt::DebugTask* task(const std::string& id);
  bool turn(const rt::DebugTask& t, const std::string& text, uint64_t& out);
  bool lastView(rt::DebugTask& t, rt::TaskView& view);

  bool tasksCmd(const std::vector<std::string>& a, const std::string& rest);
  bool showCmd(const std::vector<std::string>& a, const std::string& rest);
  bool historyCmd(const std::vector<std::string>& a, const std::string& rest);
  bool diffCmd(const std::vector<std::string>& a, const std::string& rest);
  bool stepCmd(const std::vector<std::string>& a, const std::string& rest);
  bool replayCmd(const std::vector<std::string>& a, const std::string& rest);
  bool forkCmd(const std::vector<std::string>& a, const std::string& rest);
  bool breakCmd(const std::vector<std::string>& a, const std::string& rest);
  bool watchCmd(const std::vector<std::string>& a, const std::string& rest);
  bool clearCmd(const std::vector<std::string>& a, const std::string& rest);
  bool runCmd(const std::vector<std::string>& a, const std::string& rest);
  bool continueCmd(const std::vector<std::string>& a, const std::string& rest);
  bool evalCmd(const std::vector<std::string>& a, const std::string& rest);
  bool exportCmd(const std::vector<std::string>& a, const std::string& rest);
  bool loadCmd(const std::vector<std::string>& a, const std::string& rest);
  bool helpCmd(const std::vector<std::string>& a, const std::string& rest);
  bool quitCmd(const std::vector<std::string>& a, const std::string& rest);

  void printStop(const rt::TaskDebugger::Stop& stop);
  void diffFields(const rt::TaskView& a, const rt::TaskView& b, const std::string& left,
                  const std::string& right, bool all);

  rt::TaskDebugger& d_;
  std::string descriptorHash_;
  std::ostream& out_;
  std::ostream& err_;
  JitEvaluator* jit_;
  PromptRenderer* prompts_;
  std::string current_;  // the task `eval` reads: the last one a command named
  uint64_t currentTurn_ = UINT64_MAX;  // its turn (UINT64_MAX: the latest)
  size_t failures_ = 0;
  bool quit_ = false;
};

/// Splits a line into words: whitespace separates them except inside "…" strings and […]/{…}
/// brackets.
std::vector<std::string> splitWords(const std::string& line);

}  // namespace mx::cli
