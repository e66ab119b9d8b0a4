// TaskDebugger.h — the engine behind `mx repl`: a run directory's tasks, any task's state at any
// turn, and live steps with the pipeline's own models (docs/repl.md).
//
// The trajectory log records each step's effect, random state and calls with their seeds and
// results, not the task's fields. Steps are deterministic given the task message (ARCHITECTURE.md
// invariant 5), so the state before step k is rebuilt by running steps 0 … k−1 again from the
// task's input row, feeding each await the results the log recorded: no model is called, and
// every re-run step is checked against its record. Live steps (step, replay, fork, run) run the
// same step functions on one thread and wait for their calls, so a session is single-threaded
// and a step is complete when the call returns.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mx/rt/Journal.h"
#include "mx/rt/ModuleInfo.h"
#include "mx/rt/Tools.h"
#include "mx/rt/Value.h"

namespace mx::rt {

struct TaskState;
class ModelBackend;
class RegexCache;

enum class TaskStatus { Running, Done, Failed };

/// One task of a session: read from the run's trajectory log, or made in the session (a fork, a
/// row admitted by `run`).
struct DebugTask {
  std::string id;  // "12" (row 12); "12.1" (row 12, trial 1) when trials > 1; "f1" (first fork)
  uint64_t row = 0;
  uint32_t trial = 0;
  std::string origin;           // "recorded", "fork of 12 at turn 3 …", "row 201 (run)"
  std::vector<StepInfo> steps;  // every step so far, recorded or live
  TaskStatus status = TaskStatus::Running;
  uint64_t runSeed = 0;                   // seeds its random draws and calls
  std::map<uint32_t, uint32_t> modelFor;  // fork `model M`: model resource → the one used instead
  std::map<uint32_t, std::string> promptFor;  // fork `prompt AGENT = "…"`: agent → system prompt
};

/// A task between two steps: what `show` prints.
struct TaskView {
  uint32_t agent = 0;  // the agent whose step runs next (the last one, once ended)
  int32_t resume = 0;
  uint64_t steps = 0, randomDraws = 0, callIndex = 0;
  std::vector<Value> fields;                      // in TaskInfo::fields order
  std::vector<Value> results;                     // the await results the next step resumes with
  std::vector<std::pair<uint32_t, Value>> emits;  // records held until the task is done
};

/// Edits of a fork.
struct ForkEdits {
  std::vector<std::pair<std::string, Value>> set;  // field = value (type-checked by the caller)
  std::string model;                               // every model call goes to this model
  std::optional<uint64_t> seed;                    // the fork's run seed
  // prompt AGENT = "TEXT": the system prompt of every model call AGENT makes (chat: replaces the
  // first system message or puts one first; complete: replaces the prompt).
  std::map<std::string, std::string> prompts;
};

/// What `replay` found: every step re-executed with live models against its record.
struct ReplayReport {
  size_t recorded = 0, replayed = 0;
  std::vector<std::string> differences;  // "step 3: call 1 result: …"; empty when identical
  bool identical() const { return differences.empty() && recorded == replayed; }
};

class TaskDebugger {
 public:
  /// `baseDir`: where the module's relative resource paths resolve (the .mx file's folder).
  TaskDebugger(const ModuleInfo& module, std::string baseDir);
  ~TaskDebugger();

  /// Uses pipeline `name` ("" = the first) with its seed, retries and trials; forgets any run.
  bool usePipeline(const std::string& name, std::string& error);
  /// Loads RUNDIR's trajectory log. Refused (false, `error`) when it was written by another
  /// pipeline or another version of it (`descriptorHash` of this module differs).
  bool openRun(const std::string& runDir, const std::string& descriptorHash, std::string& error);
  const std::string& runDir() const { return runDir_; }

  const PipelineInfo& pipeline() const { return *pipeline_; }
  const TaskInfo& taskType() const { return *task_; }
  const ModuleInfo& module() const { return m_; }
  const std::vector<std::unique_ptr<DebugTask>>& tasks() const { return tasks_; }
  DebugTask* find(const std::string& id);

  /// The task's state before step `turn` (0 = as its row made it; steps.size() = now). False
  /// with `error` for a turn past the end, an unreadable row, or a step that does not re-run as
  /// recorded.
  bool stateAt(const DebugTask& task, uint64_t turn, TaskView& out, std::string& error);

  /// Runs the task's next step live: its await's calls go to the models and are waited for.
  /// Appends the step to task.steps. False with `error` when the task has ended.
  bool step(DebugTask& task, std::string& error);
  /// Steps until the task ends (at most `maxSteps`).
  bool runToEnd(DebugTask& task, size_t maxSteps, std::string& error);
  /// Re-executes the task from its start with live models and the recorded seeds, comparing
  /// every step with its record (timings aside).
  bool replay(const DebugTask& task, ReplayReport& out, std::string& error);
  /// A new task at the state of `task` before `turn`, edited; not yet run.
  DebugTask* fork(const DebugTask& task, uint64_t turn, const ForkEdits& edits,
                  std::string& error);
  /// Admits the next `n` rows of the input as new tasks (not yet run).
  std::vector<DebugTask*> admitRows(size_t n, std::string& error);

  /// Live stepping stops before a step of one of these agents, or after a step that changed one
  /// of these fields (indices into taskType().fields).
  std::set<uint32_t> breakAgents, watchFields;
  struct Stop {
    DebugTask* task = nullptr;  // null: every task ended
    std::string why;
  };
  /// Steps every unfinished live task, one step each in turn, until all end or a break or watch
  /// hits. A task that stopped at a break goes past it on the next call.
  bool runLive(Stop& stop, std::string& error);

 private:
  struct Live;
  Live* liveOf(DebugTask& task, std::string& error);
  bool startState(const DebugTask& task, TaskState& out, std::string& error);
  /// Re-runs steps 0 … turn−1 from the task's start with the recorded await results, checking
  /// each step against its record.
  bool rebuild(const DebugTask& task, uint64_t turn, TaskState& t, std::string& error);
  bool rowOf(uint64_t row, Value& out, std::string& error);
  bool execute(const DebugTask& task, TaskState& t, StepInfo& out, bool liveCalls,
               std::string& error);
  ModelBackend* backend(uint32_t resource, std::string& error);

  const ModuleInfo& m_;
  std::string baseDir_, runDir_, inputPath_;
  const PipelineInfo* pipeline_ = nullptr;
  const TaskInfo* task_ = nullptr;
  uint64_t seed_ = 0;
  uint32_t retries_ = 0, trials_ = 1;
  uint64_t nextRow_ = 0;  // the first row no task has come from
  std::vector<std::string> rows_;  // input lines read so far, by row id
  std::unique_ptr<RegexCache> regexCache_;
  std::vector<std::unique_ptr<DebugTask>> tasks_;
  std::map<const DebugTask*, std::unique_ptr<Live>> live_;
  // Tool providers, opened with the first step: a task's database is rebuilt from the seed
  // whenever it is re-executed from its row, tool calls re-run so their writes happen again.
  ToolHost tools_;
  bool toolsOpen_ = false;
  bool openTools(std::string& error);
  std::map<uint32_t, std::unique_ptr<ModelBackend>> backends_;
  uint32_t forks_ = 0;
};

}  // namespace mx::rt
