// TaskDebugger.cpp — `mx repl`'s engine: tasks of a run directory, states rebuilt from the
// trajectory log, and live steps through the scheduler's own step core (StepCore.h).
#include "mx/rt/TaskDebugger.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "StepCore.h"
#include "TaskState.h"
#include "mx/rt/Jsonl.h"
#include "mx/rt/ModelBackend.h"
#include "mx/rt/Regex.h"
#include "mx/stdlib/Builtins.h"

namespace mx::rt {

namespace {

using Clock = std::chrono::steady_clock;

uint64_t nsSince(Clock::time_point t0) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
}

/// The task message of `from` into `to` (TaskState holds atomics and a mutex: no copy ctor).
void copyTask(const TaskState& from, TaskState& to) {
  to.rowId = from.rowId;
  to.trial = from.trial;
  to.agent = from.agent;
  to.resume = from.resume;
  to.attempts = from.attempts;
  to.randomDraws = from.randomDraws;
  to.callIndex = from.callIndex;
  to.steps = from.steps;
  to.frame = from.frame;
  to.results = from.results;
  to.calls = from.calls;
  to.emits = from.emits;
  to.awaiting = from.awaiting;
  to.callBase = from.callBase;
}

TaskStatus statusAfter(const StepInfo& s) {
  if (s.effect == StepInfo::Done) return TaskStatus::Done;
  if (s.effect == StepInfo::Fail || !s.error.empty()) return TaskStatus::Failed;
  return TaskStatus::Running;
}

std::string effectName(StepInfo::Effect e) {
  static const char* names[] = {"goto", "done", "await", "fail"};
  return names[e];
}

std::string shortText(const Value& v) {
  std::string s = v.toJsonText();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

/// How `got` differs from `want` (its record); `full` adds results, errors and emits, which a
/// rebuild takes from the record instead of computing.
std::vector<std::string> compareSteps(const StepInfo& want, const StepInfo& got, bool full) {
  std::vector<std::string> d;
  auto field = [&](const char* name, auto a, auto b) {
    if (a != b) d.push_back(std::string(name) + " " + std::to_string(a) + " vs " + std::to_string(b));
  };
  field("agent", want.agent, got.agent);
  // A restored await (re-submitted after a resume) was logged from the checkpoint, which does not
  // keep the step's resume point or emits (docs/trajectory.md §3): compare the rest.
  if (!want.restored) field("resume point", want.resume, got.resume);
  if (want.effect != got.effect)
    d.push_back("effect " + effectName(want.effect) + " vs " + effectName(got.effect));
  if (want.effect == StepInfo::Goto) field("goto agent", want.gotoAgent, got.gotoAgent);
  field("random draws", want.randomAfter, got.randomAfter);
  if (!want.restored) field("emits", want.emits, got.emits);
  if (want.calls.size() != got.calls.size()) {
    d.push_back("calls " + std::to_string(want.calls.size()) + " vs " +
                std::to_string(got.calls.size()));
    return d;
  }
  for (size_t i = 0; i < want.calls.size(); ++i) {
    const CallInfo &a = want.calls[i], &b = got.calls[i];
    std::string c = "call " + std::to_string(i) + " ";
    if (a.method != b.method || a.resource != b.resource || a.slot != b.slot)
      d.push_back(c + "target " + a.method + "@" + std::to_string(a.resource) + " vs " +
                  b.method + "@" + std::to_string(b.resource));
    if (a.seed != b.seed) d.push_back(c + "seed " + std::to_string(a.seed) + " vs " + std::to_string(b.seed));
    if (a.args.size() != b.args.size() || !std::equal(a.args.begin(), a.args.end(), b.args.begin()))
      d.push_back(c + "arguments " + shortText(Value::list(a.args)) + " vs " +
                  shortText(Value::list(b.args)));
    if (full && !(a.result == b.result))
      d.push_back(c + "result " + shortText(a.result) + " vs " + shortText(b.result));
    if (full && a.error != b.error) d.push_back(c + "error '" + a.error + "' vs '" + b.error + "'");
  }
  if (full && want.error != got.error) d.push_back("error '" + want.error + "' vs '" + got.error + "'");
  return d;
}

/// Waits for the calls of one await (the session is single-threaded; backends answer on theirs).
struct CallWait {
  std::mutex mu;
  std::condition_variable cv;
  size_t left = 0;
  std::vector<ModelResult> results;
  std::vector<uint64_t> latencyNs;
};

}  // namespace

/// A task the session can step: its state now and, for forks, the state it started from.
struct TaskDebugger::Live {
  TaskState state;
  std::unique_ptr<TaskState> start;  // forks only; others start from their row
  bool pastBreak = false;            // stopped at a break: the next runLive steps it anyway
};

TaskDebugger::TaskDebugger(const ModuleInfo& module, std::string baseDir)
    : m_(module), baseDir_(std::move(baseDir)), regexCache_(std::make_unique<RegexCache>()) {}

TaskDebugger::~TaskDebugger() = default;

bool TaskDebugger::usePipeline(const std::string& name, std::string& error) {
  const PipelineInfo* p = m_.pipeline(name);
  if (!p) {
    error = name.empty() ? "the program declares no pipeline" : "no pipeline named '" + name + "'";
    return false;
  }
  pipeline_ = p;
  task_ = &m_.tasks[m_.agents[p->start].task];
  seed_ = static_cast<uint64_t>(p->option("seed", 0));
  retries_ = static_cast<uint32_t>(p->option("retries", 0));
  trials_ = static_cast<uint32_t>(std::max<int64_t>(1, p->option("trials", 1)));
  runDir_.clear();
  inputPath_.clear();
  int32_t src = m_.resourceIndex("source", task_->source);
  if (src >= 0) {
    std::string path = m_.resources[static_cast<size_t>(src)].stringArg("path");
    inputPath_ = path.empty() || path[0] == '/' ? path : baseDir_ + "/" + path;
  }
  tasks_.clear();
  live_.clear();
  rows_.clear();
  nextRow_ = 0;
  forks_ = 0;
  return true;
}

bool TaskDebugger::openRun(const std::string& runDir, const std::string& descriptorHash,
                           std::string& error) {
  RunIdentity header;
  std::vector<StepInfo> steps;
  if (!readTrajectory(runDir, m_.shapes, header, steps, error)) return false;
  if (header.descriptorHash != descriptorHash) {
    error = runDir + " was written by another pipeline or another version of it: pipeline '" +
            header.pipeline + "' of " + header.sourcePath + " (descriptor " +
            header.descriptorHash + "); this is " + m_.sourcePath + " (descriptor " +
            descriptorHash + ")";
    return false;
  }
  if (!usePipeline(header.pipeline, error)) return false;
  runDir_ = runDir;
  seed_ = static_cast<uint64_t>(header.seed);
  trials_ = std::max<uint32_t>(1, header.trials);
  inputPath_ = header.inputPath;
  for (StepInfo& s : steps) {
    if (tasks_.empty() || tasks_.back()->row != s.rowId || tasks_.back()->trial != s.trial) {
      auto t = std::make_unique<DebugTask>();
      t->row = s.rowId;
      t->trial = s.trial;
      t->id = std::to_string(s.rowId) + (trials_ > 1 ? "." + std::to_string(s.trial) : "");
      t->origin = "recorded";
      t->runSeed = seed_;
      tasks_.push_back(std::move(t));
    }
    DebugTask& t = *tasks_.back();
    if (s.step != t.steps.size()) {  // a gap: the log was cut (a machine crash) mid-task
      error = runDir + "/trajectory.log: task " + t.id + " has no step " +
              std::to_string(t.steps.size()) + " (the log was cut short)";
      tasks_.clear();
      return false;
    }
    t.status = statusAfter(s);
    t.steps.push_back(std::move(s));
    nextRow_ = std::max(nextRow_, t.row + 1);
  }
  return true;
}

DebugTask* TaskDebugger::find(const std::string& id) {
  for (auto& t : tasks_)
    if (t->id == id) return t.get();
  return nullptr;
}

bool TaskDebugger::rowOf(uint64_t row, Value& out, std::string& error) {
  if (row >= rows_.size()) {
    if (inputPath_.empty()) {
      error = "task '" + task_->name + "' has no source to read rows from";
      return false;
    }
    JsonlReader reader;  // rows are numbered as `mx run` numbers them: non-blank lines
    if (!reader.open(inputPath_, error)) return false;
    rows_.clear();
    std::string line;
    uint64_t lineNo = 0;
    while (rows_.size() <= row && reader.next(line, lineNo)) rows_.push_back(line);
    if (!reader.error().empty()) return error = reader.error(), false;
    if (row >= rows_.size()) {
      error = inputPath_ + " has no row " + std::to_string(row) + " (it has " +
              std::to_string(rows_.size()) + ")";
      return false;
    }
  }
  std::string why;
  out = Value::fromJson(rows_[row], why);
  if (why.empty() && out.tag() != MX_MAP) why = "a row must be a JSON object";
  if (!why.empty()) error = inputPath_ + ": row " + std::to_string(row) + ": " + why;
  return why.empty();
}

bool TaskDebugger::startState(const DebugTask& task, TaskState& t, std::string& error) {
  auto it = live_.find(&task);
  if (it != live_.end() && it->second->start) {
    copyTask(*it->second->start, t);
    return true;
  }
  Value row;
  if (!rowOf(task.row, row, error)) return false;
  t.rowId = task.row;
  t.trial = task.trial;
  std::string why;
  if (!initTask(t, row, m_, *task_, pipeline_->start, task.runSeed, regexCache_.get(), why)) {
    error = "row " + std::to_string(task.row) + " fails to become a task: " + why;
    return false;
  }
  tools_.release({t.rowId, t.trial});  // from its row again: its database starts from the seed
  return true;
}

/// Opens every tools declaration once, before any model: models look their schemas up at call
/// time, and describe()/matches() need them without a call.
bool TaskDebugger::openTools(std::string& error) {
  if (toolsOpen_) return true;
  toolsOpen_ = true;
  for (uint32_t i = 0; i < m_.resources.size(); ++i) {
    if (m_.resources[i].kind != "tools") continue;
    auto tools = openModel(m_.resources[i], baseDir_, error, &tools_, i);
    if (!tools) return false;
    backends_[i] = std::move(tools);
  }
  return true;
}

ModelBackend* TaskDebugger::backend(uint32_t resource, std::string& error) {
  if (!openTools(error)) return nullptr;
  auto it = backends_.find(resource);
  if (it != backends_.end()) return it->second.get();
  if (resource >= m_.resources.size()) {
    error = "no resource " + std::to_string(resource);
    return nullptr;
  }
  auto model = openModel(m_.resources[resource], baseDir_, error, &tools_, resource);
  if (!model) return nullptr;
  return (backends_[resource] = std::move(model)).get();
}

/// Fork `prompt AGENT = "TEXT"` on one call: chat gets TEXT as its system message (replacing the
/// first one, or put first), complete gets TEXT as its prompt; tool calls are left alone.
static void withSystemPrompt(PendingCall& c, const std::string& text) {
  std::string_view method = stdlib::builtinSpecs()[c.builtin].name;
  if (c.args.empty()) return;
  if (method == "complete") {
    c.args[0] = Value::string(text);
    return;
  }
  if (method != "chat" || c.args[0].tag() != MX_LIST) return;
  std::vector<Value> messages;
  const Value& old = c.args[0];
  size_t from = old.size() > 0 && old.at(0).get("role").tag() == MX_STR && old.at(0).get("role").asString() == "system" ? 1 : 0;
  messages.push_back(Value::record(messageShape(), {Value::string("system"), Value::string(text), Value::list({})}));
  for (size_t i = from; i < old.size(); ++i) messages.push_back(old.at(i));
  c.args[0] = Value::list(std::move(messages));
}

/// Runs the step function of `t` once and applies its effect, as Scheduler::step does. An
/// await's calls are numbered and seeded; with `liveCalls` they go to the models (with the
/// pipeline's retries) and their results are in `t`; without, the caller supplies them.
bool TaskDebugger::execute(const DebugTask& task, TaskState& t, StepInfo& s, bool liveCalls,
                           std::string& error) {
  MxCtx ctx;
  StepEffects effects;
  prepareStep(ctx, effects, t, m_, task.runSeed, regexCache_.get());
  if (!openTools(error)) return false;
  ctx.tools = &tools_;
  const AgentInfo& agent = m_.agents[t.agent];
  s = StepInfo();
  s.rowId = t.rowId;
  s.trial = t.trial;
  s.agent = t.agent;
  s.resume = t.resume;
  s.randomBefore = t.randomDraws;
  auto t0 = Clock::now();
  int32_t rc = agent.step(&ctx, reinterpret_cast<MxValue*>(t.frame.data()), t.resume);
  s.durationNs = nsSince(t0);
  t.randomDraws = ctx.randomDraws;
  s.randomAfter = t.randomDraws;
  s.step = t.steps++;
  s.emits = static_cast<uint32_t>(effects.emits.size());
  if (ctx.failed) rc = MX_EFFECT_FAIL;
  auto hold = [&] {
    for (auto& e : effects.emits) t.emits.push_back(std::move(e));
  };
  switch (rc) {
    case MX_EFFECT_GOTO:
      hold();
      s.effect = StepInfo::Goto;
      s.gotoAgent = effects.gotoAgent;
      t.agent = effects.gotoAgent;
      t.resume = 0;
      t.attempts = 0;
      t.results.clear();
      return true;
    case MX_EFFECT_DONE:
      hold();
      s.effect = StepInfo::Done;
      return true;
    case MX_EFFECT_AWAIT:
      break;
    default:
      s.effect = StepInfo::Fail;
      s.error = m_.location(ctx.failLoc) + ": agent '" + agent.name +
                "': " + (ctx.failed ? ctx.failMessage : "step ended without an effect");
      return true;
  }
  hold();
  s.effect = StepInfo::Await;
  t.resume = effects.resume;
  t.attempts = 0;
  t.calls = std::move(effects.calls);
  for (PendingCall& c : t.calls) {  // fork `model M`
    auto over = task.modelFor.find(c.resource);
    if (over != task.modelFor.end()) c.resource = over->second;
  }
  if (auto p = task.promptFor.find(t.agent); p != task.promptFor.end())
    for (PendingCall& c : t.calls) withSystemPrompt(c, p->second);
  numberCalls(t, false);
  auto specs = stdlib::builtinSpecs();
  for (size_t i = 0; i < t.calls.size(); ++i) {
    CallInfo c;
    c.method = std::string(specs[t.calls[i].builtin].name);
    c.resource = t.calls[i].resource;
    c.slot = t.calls[i].slot;
    c.seed = callSeed(task.runSeed, t, i);
    c.args = t.calls[i].args;
    s.calls.push_back(std::move(c));
  }
  if (!liveCalls) {
    // Recorded results stand in for the calls, but a tool's writes to the task's database must
    // happen again for what follows (matches, later tools) to see them: tools are re-run.
    for (size_t i = 0; i < t.calls.size(); ++i) {
      if (!tools_.find(t.calls[i].resource)) continue;
      ModelCall mc;
      mc.method = s.calls[i].method;
      mc.args = t.calls[i].args;
      mc.rowId = t.rowId;
      mc.trial = t.trial;
      backends_[t.calls[i].resource]->submit(std::move(mc), [](ModelResult) {});
    }
    return true;
  }
  while (true) {  // one pass per attempt; a retry keeps the seeds (numberCalls)
    auto wait = std::make_shared<CallWait>();
    wait->left = t.calls.size();
    wait->results.resize(t.calls.size());
    wait->latencyNs.resize(t.calls.size());
    for (size_t i = 0; i < t.calls.size(); ++i) {
      ModelBackend* b = backend(t.calls[i].resource, error);
      if (!b) return false;
      ModelCall mc;
      mc.method = s.calls[i].method;
      mc.args = t.calls[i].args;
      mc.seed = s.calls[i].seed;
      mc.rowId = t.rowId;
      mc.trial = t.trial;
      b->submit(std::move(mc), [wait, i, t0 = Clock::now()](ModelResult r) {
        std::lock_guard lock(wait->mu);
        wait->results[i] = std::move(r);
        wait->latencyNs[i] = nsSince(t0);
        if (--wait->left == 0) wait->cv.notify_all();
      });
    }
    std::unique_lock lock(wait->mu);
    wait->cv.wait(lock, [&] { return wait->left == 0; });
    std::string firstError;
    for (size_t i = 0; i < t.calls.size(); ++i) {
      ModelResult& r = wait->results[i];
      CallInfo& c = s.calls[i];
      c.result = r.value;
      c.error = r.ok ? "" : r.error;
      c.tokensIn = r.tokensIn;
      c.tokensOut = r.tokensOut;
      c.latencyNs = wait->latencyNs[i];
      c.attempt = t.attempts;
      if (t.calls[i].slot < t.results.size()) t.results[t.calls[i].slot] = r.value;
      if (!r.ok && firstError.empty()) firstError = r.error;
    }
    if (firstError.empty()) break;
    if (t.attempts < retries_) {
      ++t.attempts;
      numberCalls(t, true);
      continue;
    }
    s.error = m_.location(t.calls[0].loc) + ": agent '" + agent.name + "': " + firstError;
    break;
  }
  t.awaiting = false;
  t.pending.store(0);
  return true;
}

bool TaskDebugger::rebuild(const DebugTask& task, uint64_t turn, TaskState& t,
                           std::string& error) {
  if (turn > task.steps.size()) {
    error = "task " + task.id + " has turns 0 to " + std::to_string(task.steps.size());
    return false;
  }
  if (!startState(task, t, error)) return false;
  for (uint64_t k = 0; k < turn; ++k) {
    const StepInfo& want = task.steps[k];
    StepInfo got;
    if (!execute(task, t, got, false, error)) return false;
    auto d = compareSteps(want, got, false);
    if (!d.empty()) {
      error = "task " + task.id + " step " + std::to_string(k) +
              " does not re-run as recorded (" + d[0] +
              "): the run directory does not match this program, or its input changed";
      return false;
    }
    for (const CallInfo& c : want.calls)
      if (c.slot < t.results.size()) t.results[c.slot] = c.result;
    t.awaiting = false;
  }
  return true;
}

bool TaskDebugger::stateAt(const DebugTask& task, uint64_t turn, TaskView& out,
                           std::string& error) {
  TaskState t;
  if (!rebuild(task, turn, t, error)) return false;
  out.agent = t.agent;
  out.resume = t.resume;
  out.steps = t.steps;
  out.randomDraws = t.randomDraws;
  out.callIndex = t.callIndex;
  out.fields.assign(t.frame.begin(),
                    t.frame.begin() + static_cast<long>(std::min(t.frame.size(), task_->fields.size())));
  out.results = t.results;
  out.emits = t.emits;
  return true;
}

TaskDebugger::Live* TaskDebugger::liveOf(DebugTask& task, std::string& error) {
  auto it = live_.find(&task);
  if (it != live_.end()) return it->second.get();
  // A recorded task goes on from its last recorded state: rebuilt once, then kept.
  auto live = std::make_unique<Live>();
  if (!rebuild(task, task.steps.size(), live->state, error)) return nullptr;
  return (live_[&task] = std::move(live)).get();
}

bool TaskDebugger::step(DebugTask& task, std::string& error) {
  if (task.status != TaskStatus::Running) {
    error = "task " + task.id + " has ended (" +
            (task.status == TaskStatus::Done ? "done" : "failed") + ")";
    return false;
  }
  Live* live = liveOf(task, error);
  if (!live) return false;
  StepInfo s;
  if (!execute(task, live->state, s, true, error)) return false;
  task.status = statusAfter(s);
  task.steps.push_back(std::move(s));
  return true;
}

bool TaskDebugger::runToEnd(DebugTask& task, size_t maxSteps, std::string& error) {
  for (size_t n = 0; task.status == TaskStatus::Running; ++n) {
    if (n == maxSteps) {
      error = "task " + task.id + " did not end within " + std::to_string(maxSteps) + " steps";
      return false;
    }
    if (!step(task, error)) return false;
  }
  return true;
}

bool TaskDebugger::replay(const DebugTask& task, ReplayReport& out, std::string& error) {
  out = ReplayReport();
  out.recorded = task.steps.size();
  TaskState t;
  if (!startState(task, t, error)) return false;
  // One step past the record at most: enough to show that the replay goes on where it ended.
  while (out.replayed <= out.recorded) {
    StepInfo got;
    if (!execute(task, t, got, true, error)) return false;
    if (out.replayed == out.recorded) {
      out.differences.push_back("step " + std::to_string(out.replayed) +
                                ": the replay goes on where the record ended");
      ++out.replayed;
      break;
    }
    for (auto& d : compareSteps(task.steps[out.replayed], got, true))
      out.differences.push_back("step " + std::to_string(out.replayed) + ": " + d);
    ++out.replayed;
    if (statusAfter(got) != TaskStatus::Running) break;
  }
  return true;
}

DebugTask* TaskDebugger::fork(const DebugTask& task, uint64_t turn, const ForkEdits& edits,
                              std::string& error) {
  auto live = std::make_unique<Live>();
  live->start = std::make_unique<TaskState>();
  if (!rebuild(task, turn, *live->start, error)) return nullptr;
  auto t = std::make_unique<DebugTask>();
  t->id = "f" + std::to_string(++forks_);
  t->row = task.row;
  t->trial = task.trial;
  t->runSeed = edits.seed ? *edits.seed : task.runSeed;
  t->modelFor = task.modelFor;
  t->origin = "fork of " + task.id + " at turn " + std::to_string(turn);
  if (!edits.model.empty()) {
    int32_t m = m_.resourceIndex("model", edits.model);
    if (m < 0) {
      error = "no model named '" + edits.model + "'";
      return nullptr;
    }
    for (size_t r = 0; r < m_.resources.size(); ++r)
      if (m_.resources[r].kind == "model") t->modelFor[static_cast<uint32_t>(r)] = static_cast<uint32_t>(m);
    t->origin += ", model " + edits.model;
  }
  if (edits.seed) t->origin += ", seed " + std::to_string(*edits.seed);
  t->promptFor = task.promptFor;
  for (const auto& [agent, text] : edits.prompts) {
    auto a = std::find_if(m_.agents.begin(), m_.agents.end(), [&](const AgentInfo& x) { return x.name == agent; });
    if (a == m_.agents.end()) {
      error = "no agent named '" + agent + "'";
      return nullptr;
    }
    t->promptFor[static_cast<uint32_t>(a - m_.agents.begin())] = text;
    t->origin += ", prompt " + agent;
  }
  for (const auto& [name, value] : edits.set) {
    size_t i = 0;
    while (i < task_->fields.size() && task_->fields[i].name != name) ++i;
    if (i == task_->fields.size()) {
      error = "task '" + task_->name + "' has no field '" + name + "'";
      return nullptr;
    }
    live->start->frame[i] = value;
    t->origin += ", set " + name + " = " + shortText(value);
  }
  live->start->steps = 0;  // the fork's turns count from where it starts
  copyTask(*live->start, live->state);
  DebugTask* raw = t.get();
  live_[raw] = std::move(live);
  tasks_.push_back(std::move(t));
  return raw;
}

std::vector<DebugTask*> TaskDebugger::admitRows(size_t n, std::string& error) {
  std::vector<DebugTask*> out;
  for (size_t i = 0; i < n; ++i) {
    uint64_t row = nextRow_;
    Value parsed;
    if (!rowOf(row, parsed, error)) break;
    ++nextRow_;
    for (uint32_t trial = 0; trial < trials_; ++trial) {
      auto t = std::make_unique<DebugTask>();
      t->row = row;
      t->trial = trial;
      t->id = std::to_string(row) + (trials_ > 1 ? "." + std::to_string(trial) : "");
      t->origin = "row " + std::to_string(row) + " (run)";
      t->runSeed = seed_;
      auto live = std::make_unique<Live>();
      if (!startState(*t, live->state, error)) return out;
      live_[t.get()] = std::move(live);
      out.push_back(t.get());
      tasks_.push_back(std::move(t));
    }
  }
  return out;
}

bool TaskDebugger::runLive(Stop& stop, std::string& error) {
  stop = Stop();
  constexpr size_t kMaxSteps = 1000000;  // a goto cycle without a bound must not hang the session
  for (size_t n = 0; n < kMaxSteps;) {
    bool any = false;
    for (auto& owned : tasks_) {
      DebugTask& task = *owned;
      auto it = live_.find(&task);
      if (it == live_.end() || task.status != TaskStatus::Running) continue;
      any = true;
      Live& live = *it->second;
      if (breakAgents.count(live.state.agent) && !live.pastBreak) {
        live.pastBreak = true;
        stop.task = &task;
        stop.why = "break: task " + task.id + " is about to run agent '" +
                   m_.agents[live.state.agent].name + "'";
        return true;
      }
      live.pastBreak = false;
      std::vector<Value> before(live.state.frame.begin(),
                                live.state.frame.begin() + std::min(live.state.frame.size(), task_->fields.size()));
      if (!step(task, error)) return false;
      ++n;
      for (uint32_t f : watchFields) {
        if (f < before.size() && !(before[f] == live.state.frame[f])) {
          stop.task = &task;
          stop.why = "watch: task " + task.id + " step " + std::to_string(task.steps.size() - 1) +
                     " changed " + task_->fields[f].name + ": " + shortText(before[f]) + " -> " +
                     shortText(live.state.frame[f]);
          return true;
        }
      }
    }
    if (!any) return true;
  }
  error = "stopped after " + std::to_string(kMaxSteps) + " steps";
  return false;
}

}  // namespace mx::rt
