// ReplSession.cpp — the commands of `mx repl` (ReplSession.h, docs/repl.md).
#include "ReplSession.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "ReplExpr.h"
#include "ReplFormat.h"
#include "ReplJitEval.h"

namespace mx::cli {

using rt::DebugTask;
using rt::TaskView;
using rt::Value;
using C = ReplSession::Complete;

namespace {

constexpr size_t kMaxForkSteps = 100000;  // a fork that loops forever must not hang the session

bool parseNumber(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  out = std::stoull(text);
  return true;
}

std::string cell(const std::string& s, size_t width) {
  if (s.size() <= width) return s + std::string(width - s.size(), ' ');
  return s.substr(0, width - 1) + "…";
}

}  // namespace

std::vector<std::string> splitWords(const std::string& line) {
  std::vector<std::string> words;
  std::string cur;
  int depth = 0;
  bool inString = false, have = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (inString) {
      cur += c;
      if (c == '\\' && i + 1 < line.size()) cur += line[++i];
      else if (c == '"') inString = false;
      continue;
    }
    if ((c == ' ' || c == '\t') && depth == 0) {
      if (have) words.push_back(cur);
      cur.clear();
      have = false;
      continue;
    }
    if (c == '"') inString = true;
    else if (c == '[' || c == '{' || c == '(') ++depth;
    else if ((c == ']' || c == '}' || c == ')') && depth > 0) --depth;
    cur += c;
    have = true;
  }
  if (have) words.push_back(cur);
  return words;
}

const std::vector<ReplSession::Command>& ReplSession::commands() {
  static const std::vector<Command> table = {
      {"tasks", "tasks [--status done|failed|running] [--agent A] [--where FIELD OP VALUE]",
       "list the tasks (of the run, and those made in this session)", &ReplSession::tasksCmd,
       {C::TasksOption}},
      {"show", "show TASK [TURN]", "the task's fields, agent and resume point, now or before step TURN",
       &ReplSession::showCmd, {C::Task, C::None}},
      {"history", "history TASK", "every step: agent, prompt, completion, tokens, latency, seed",
       &ReplSession::historyCmd, {C::Task}},
      {"diff", "diff TASK TURN1 TURN2 | diff TASK1 TASK2", "the fields that differ",
       &ReplSession::diffCmd, {C::Task, C::Task, C::None}},
      {"step", "step TASK", "run the task's next step live, with the pipeline's models",
       &ReplSession::stepCmd, {C::Task}},
      {"replay", "replay TASK", "re-execute from the input row with the recorded seeds; identical?",
       &ReplSession::replayCmd, {C::Task}},
      {"fork", "fork TASK TURN [set FIELD = EXPR]... [prompt AGENT = \"TEXT\"] [model M] [seed S]",
       "a new task from before step TURN, edited, run to the end, shown next to the original",
       &ReplSession::forkCmd, {C::Task, C::None, C::None}},
      {"break", "break [AGENT]", "stop live stepping before a step of AGENT (no AGENT: list)",
       &ReplSession::breakCmd, {C::Agent}},
      {"watch", "watch [FIELD]", "stop live stepping after a step that changes FIELD (no FIELD: list)",
       &ReplSession::watchCmd, {C::Field}},
      {"clear", "clear", "remove every break and watch", &ReplSession::clearCmd, {}},
      {"run", "run [N]", "admit the next N rows (default 1) of the input and step them live",
       &ReplSession::runCmd, {C::None}},
      {"continue", "continue", "go on stepping the live tasks after a break or watch",
       &ReplSession::continueCmd, {}},
      {"eval", "eval EXPR", "an .mx expression on the current task's state (t), compiled by the JIT",
       &ReplSession::evalCmd, {C::Field}},
      {"export", "export TASK FILE", "write the task (steps, calls, final fields) as JSON",
       &ReplSession::exportCmd, {C::Task, C::File}},
      {"load", "load RUN_DIR", "open another run directory of this program", &ReplSession::loadCmd,
       {C::File}},
      {"help", "help [COMMAND]", "the commands, or one command", &ReplSession::helpCmd, {C::Command}},
      {"quit", "quit", "end the session (also: exit, end of input)", &ReplSession::quitCmd, {}},
      {"exit", "exit", "end the session", &ReplSession::quitCmd, {}},
  };
  return table;
}

ReplSession::ReplSession(rt::TaskDebugger& debugger, std::string descriptorHash, std::ostream& out,
                         std::ostream& err, JitEvaluator* jit, PromptRenderer* prompts)
    : d_(debugger),
      descriptorHash_(std::move(descriptorHash)),
      out_(out),
      err_(err),
      jit_(jit),
      prompts_(prompts) {}

bool ReplSession::fail(const std::string& why) {
  out_.flush();
  err_ << "error: " << why << std::endl;
  ++failures_;
  return false;
}

bool ReplSession::execute(const std::string& line) {
  std::vector<std::string> words = splitWords(line);
  if (words.empty() || words[0][0] == '#') return true;
  for (const Command& c : commands()) {
    if (words[0] != c.name) continue;
    size_t at = line.find(c.name) + words[0].size();
    std::string rest = line.substr(at);
    rest.erase(0, rest.find_first_not_of(" \t") == std::string::npos ? rest.size() : rest.find_first_not_of(" \t"));
    (this->*c.run)({words.begin() + 1, words.end()}, rest);
    out_.flush();
    return !quit_;
  }
  fail("unknown command '" + words[0] + "' (help lists the commands)");
  return true;
}

DebugTask* ReplSession::task(const std::string& id) {
  DebugTask* t = d_.find(id);
  if (!t) {
    fail(d_.tasks().empty() ? "no task '" + id + "': no tasks yet (load a run, or run N rows)"
                            : "no task '" + id + "' (tasks lists them)");
    return nullptr;
  }
  current_ = id;
  currentTurn_ = UINT64_MAX;
  return t;
}

bool ReplSession::turn(const DebugTask& t, const std::string& text, uint64_t& out) {
  if (parseNumber(text, out) && out <= t.steps.size()) return true;
  return fail("task " + t.id + " has turns 0 to " + std::to_string(t.steps.size()) + "; '" + text +
              "' is not one of them");
}

bool ReplSession::lastView(DebugTask& t, TaskView& view) {
  std::string error;
  return d_.stateAt(t, t.steps.size(), view, error) || fail(error);
}

// ------------------------------------------------------------------------------ inspecting

bool ReplSession::tasksCmd(const std::vector<std::string>& a, const std::string&) {
  std::string status, agent, where;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == "--status" && i + 1 < a.size()) {
      status = a[++i];
      if (status != "done" && status != "failed" && status != "running")
        return fail("--status is done, failed or running, not '" + status + "'");
    } else if (a[i] == "--agent" && i + 1 < a.size()) {
      agent = a[++i];
      if (d_.module().agents.end() == std::find_if(d_.module().agents.begin(), d_.module().agents.end(),
                                                   [&](const auto& g) { return g.name == agent; }))
        return fail("no agent named '" + agent + "'");
    } else if (a[i] == "--where" && i + 3 < a.size()) {
      where = a[i + 1] + " " + a[i + 2] + " " + a[i + 3];
      i += 3;
    } else {
      return fail("tasks takes --status S, --agent A and --where FIELD OP VALUE; not '" + a[i] + "'");
    }
  }
  size_t shown = 0;
  for (const auto& owned : d_.tasks()) {
    DebugTask& t = *owned;
    if (!status.empty() && status != statusName(t.status)) continue;
    if (!agent.empty() && std::none_of(t.steps.begin(), t.steps.end(), [&](const rt::StepInfo& s) {
          return agentName(d_.module(), s.agent) == agent;
        }))
      continue;
    if (!where.empty()) {
      TaskView view;
      Value v;
      std::string error;
      if (!d_.stateAt(t, t.steps.size(), view, error) ||
          !evalExpr(where, d_.taskType(), view.fields, v, error))
        return fail(error);
      if (v.tag() != MX_BOOL) return fail("--where needs a comparison: FIELD OP VALUE");
      if (!v.asBool()) continue;
    }
    if (shown++ == 0) out_ << "id       status   steps  last agent   origin\n";
    out_ << cell(t.id, 8) << ' ' << cell(statusName(t.status), 8) << ' ' << std::setw(5)
         << t.steps.size() << "  "
         << cell(t.steps.empty() ? "-" : agentName(d_.module(), t.steps.back().agent), 12) << ' '
         << t.origin << '\n';
  }
  out_ << shown << (shown == 1 ? " task\n" : " tasks\n");
  return true;
}

bool ReplSession::showCmd(const std::vector<std::string>& a, const std::string&) {
  if (a.empty() || a.size() > 2) return fail("usage: show TASK [TURN]");
  DebugTask* t = task(a[0]);
  if (!t) return false;
  uint64_t k = t->steps.size();
  if (a.size() == 2 && !turn(*t, a[1], k)) return false;
  TaskView view;
  std::string error;
  if (!d_.stateAt(*t, k, view, error)) return fail(error);
  currentTurn_ = k;
  out_ << "task " << t->id << " (" << statusName(t->status) << ", " << t->origin << ", row "
       << t->row << ") at turn " << k << " of " << t->steps.size() << '\n';
  printView(out_, d_.module(), d_.taskType(), view);
  return true;
}

bool ReplSession::historyCmd(const std::vector<std::string>& a, const std::string&) {
  if (a.size() != 1) return fail("usage: history TASK");
  DebugTask* t = task(a[0]);
  if (!t) return false;
  out_ << "task " << t->id << " (" << statusName(t->status) << ", " << t->origin << "): "
       << t->steps.size() << " steps\n";
  for (const auto& s : t->steps) printStep(out_, d_.module(), s, prompts_);
  return true;
}

void ReplSession::diffFields(const TaskView& a, const TaskView& b, const std::string& left,
                             const std::string& right, bool all) {
  const auto& fields = d_.taskType().fields;
  size_t n = 0;
  if (all) out_ << "  " << cell("field", 14) << ' ' << cell(left, 32) << ' ' << right << '\n';
  // The agent and resume point, then the records held for the sinks: part of what a task did.
  auto row = [&](const std::string& name, const std::string& x, const std::string& y, bool same) {
    n += !same;
    if (all) out_ << (same ? "  " : "* ") << cell(name, 14) << ' ' << cell(x, 32) << ' ' << y << '\n';
    else if (!same) out_ << "  " << name << ": " << x << " -> " << y << '\n';
  };
  auto at = [&](const TaskView& v) {
    return agentName(d_.module(), v.agent) + ":" + std::to_string(v.resume);
  };
  row("(agent)", at(a), at(b), at(a) == at(b));
  auto records = [](const TaskView& v) {
    std::vector<Value> items;
    for (const auto& e : v.emits) items.push_back(e.second);
    return Value::list(std::move(items));
  };
  Value ra = records(a), rb = records(b);
  row("(records)", valueText(ra, all ? 0 : 300), valueText(rb, all ? 60 : 300), ra == rb);
  for (size_t i = 0; i < fields.size() && i < a.fields.size() && i < b.fields.size(); ++i) {
    row(fields[i].name, valueText(a.fields[i], all ? 0 : 300), valueText(b.fields[i], all ? 60 : 300),
        a.fields[i] == b.fields[i]);
  }
  if (!all && n == 0) out_ << "  nothing differs\n";
}

bool ReplSession::diffCmd(const std::vector<std::string>& a, const std::string&) {
  std::string error;
  TaskView x, y;
  if (a.size() == 3) {  // diff TASK TURN1 TURN2
    DebugTask* t = task(a[0]);
    uint64_t k1 = 0, k2 = 0;
    if (!t || !turn(*t, a[1], k1) || !turn(*t, a[2], k2)) return false;
    if (!d_.stateAt(*t, k1, x, error) || !d_.stateAt(*t, k2, y, error)) return fail(error);
    out_ << "task " << t->id << ", turn " << k1 << " -> turn " << k2 << ":\n";
    diffFields(x, y, "", "", false);
    return true;
  }
  if (a.size() != 2) return fail("usage: diff TASK TURN1 TURN2, or diff TASK1 TASK2");
  DebugTask* t1 = task(a[0]);
  DebugTask* t2 = t1 ? task(a[1]) : nullptr;
  if (!t2 || !lastView(*t1, x) || !lastView(*t2, y)) return false;
  out_ << "task " << t1->id << " (" << t1->steps.size() << " steps, " << statusName(t1->status)
       << ") -> task " << t2->id << " (" << t2->steps.size() << " steps, "
       << statusName(t2->status) << "):\n";
  diffFields(x, y, "", "", false);
  return true;
}

// --------------------------------------------------------------------------------- live steps

bool ReplSession::stepCmd(const std::vector<std::string>& a, const std::string&) {
  if (a.size() != 1) return fail("usage: step TASK");
  DebugTask* t = task(a[0]);
  if (!t) return false;
  std::string error;
  if (!d_.step(*t, error)) return fail(error);
  printStep(out_, d_.module(), t->steps.back());
  out_ << "task " << t->id << " is " << statusName(t->status) << " after " << t->steps.size()
       << " steps\n";
  return true;
}

bool ReplSession::replayCmd(const std::vector<std::string>& a, const std::string&) {
  if (a.size() != 1) return fail("usage: replay TASK");
  DebugTask* t = task(a[0]);
  if (!t) return false;
  rt::ReplayReport report;
  std::string error;
  if (!d_.replay(*t, report, error)) return fail(error);
  if (report.identical()) {
    out_ << "replay of task " << t->id << ": " << report.replayed
         << " steps, every step identical\n";
    return true;
  }
  out_ << "replay of task " << t->id << ": DIFFERS (" << report.replayed << " steps replayed, "
       << report.recorded << " recorded)\n";
  for (size_t i = 0; i < report.differences.size() && i < 20; ++i)
    out_ << "  " << report.differences[i] << '\n';
  return true;
}

bool ReplSession::forkCmd(const std::vector<std::string>& a, const std::string&) {
  if (a.size() < 2) return fail("usage: fork TASK TURN [set FIELD = EXPR]... [model M] [seed S]");
  DebugTask* t = task(a[0]);
  uint64_t k = 0;
  if (!t || !turn(*t, a[1], k)) return false;
  TaskView at;
  std::string error;
  if (!d_.stateAt(*t, k, at, error)) return fail(error);
  rt::ForkEdits edits;
  auto keyword = [](const std::string& w) {
    return w == "set" || w == "model" || w == "seed" || w == "prompt";
  };
  for (size_t i = 2; i < a.size();) {
    if (a[i] == "set") {
      if (i + 3 >= a.size() || a[i + 2] != "=") return fail("usage: set FIELD = EXPR");
      std::string field = a[i + 1], expr;
      for (i += 3; i < a.size() && !keyword(a[i]); ++i) expr += (expr.empty() ? "" : " ") + a[i];
      const auto& fields = d_.taskType().fields;
      auto f = std::find_if(fields.begin(), fields.end(), [&](const auto& x) { return x.name == field; });
      if (f == fields.end()) return fail("task '" + d_.taskType().name + "' has no field '" + field + "'");
      Value v;
      if (!evalExpr(expr, d_.taskType(), at.fields, v, error)) return fail(error);
      if (!fitsType(f->type, v))
        return fail("set " + field + ": a " + rt::tagName(v.tag()) + " does not fit " + f->type);
      edits.set.emplace_back(field, v);
    } else if (a[i] == "model" && i + 1 < a.size()) {
      edits.model = a[i + 1];
      i += 2;
    } else if (a[i] == "seed" && i + 1 < a.size()) {
      uint64_t s = 0;
      if (!parseNumber(a[i + 1], s)) return fail("seed needs a number, not '" + a[i + 1] + "'");
      edits.seed = s;
      i += 2;
    } else if (a[i] == "prompt") {
      if (i + 3 >= a.size() || a[i + 2] != "=") return fail("usage: prompt AGENT = \"TEXT\"");
      std::string agent = a[i + 1], expr;
      for (i += 3; i < a.size() && !keyword(a[i]); ++i) expr += (expr.empty() ? "" : " ") + a[i];
      Value v;
      if (!evalExpr(expr, d_.taskType(), at.fields, v, error)) return fail(error);
      if (v.tag() != MX_STR) return fail("prompt " + agent + ": the prompt must be a string");
      edits.prompts[agent] = std::string(v.asString());
    } else {
      return fail("fork edits are set FIELD = EXPR, prompt AGENT = \"TEXT\", model M and seed S; not '" + a[i] + "'");
    }
  }
  DebugTask* f = d_.fork(*t, k, edits, error);
  if (!f) return fail(error);
  current_ = f->id;
  bool ran = d_.runToEnd(*f, kMaxForkSteps, error);
  out_ << "fork " << f->id << ": " << f->origin << "; " << f->steps.size() << " steps, "
       << statusName(f->status) << '\n';
  if (!ran) return fail(error);
  if (f->status == rt::TaskStatus::Failed && !f->steps.empty())
    out_ << "  " << f->steps.back().error << '\n';
  TaskView x, y;
  if (!lastView(*t, x) || !lastView(*f, y)) return false;
  diffFields(x, y, "task " + t->id, f->id, true);
  return true;
}

// ------------------------------------------------------------------- break, watch, run

bool ReplSession::breakCmd(const std::vector<std::string>& a, const std::string&) {
  const auto& agents = d_.module().agents;
  if (a.empty()) {
    out_ << "breaks:";
    for (uint32_t i : d_.breakAgents) out_ << ' ' << agents[i].name;
    out_ << (d_.breakAgents.empty() ? " none\n" : "\n");
    return true;
  }
  for (const std::string& name : a) {
    auto it = std::find_if(agents.begin(), agents.end(), [&](const auto& g) { return g.name == name; });
    if (it == agents.end()) return fail("no agent named '" + name + "'");
    d_.breakAgents.insert(static_cast<uint32_t>(it - agents.begin()));
    out_ << "break before agent " << name << '\n';
  }
  return true;
}

bool ReplSession::watchCmd(const std::vector<std::string>& a, const std::string&) {
  const auto& fields = d_.taskType().fields;
  if (a.empty()) {
    out_ << "watches:";
    for (uint32_t i : d_.watchFields) out_ << ' ' << fields[i].name;
    out_ << (d_.watchFields.empty() ? " none\n" : "\n");
    return true;
  }
  for (const std::string& name : a) {
    auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.name == name; });
    if (it == fields.end()) return fail("task '" + d_.taskType().name + "' has no field '" + name + "'");
    d_.watchFields.insert(static_cast<uint32_t>(it - fields.begin()));
    out_ << "watch " << name << '\n';
  }
  return true;
}

bool ReplSession::clearCmd(const std::vector<std::string>&, const std::string&) {
  d_.breakAgents.clear();
  d_.watchFields.clear();
  out_ << "no breaks, no watches\n";
  return true;
}

void ReplSession::printStop(const rt::TaskDebugger::Stop& stop) {
  if (!stop.task) {
    out_ << "every live task has ended\n";
    return;
  }
  current_ = stop.task->id;
  currentTurn_ = UINT64_MAX;
  out_ << stop.why << '\n';
}

bool ReplSession::runCmd(const std::vector<std::string>& a, const std::string&) {
  uint64_t n = 1;
  if (a.size() > 1 || (a.size() == 1 && (!parseNumber(a[0], n) || n == 0)))
    return fail("usage: run [N] (N rows, at least 1)");
  std::string error;
  auto admitted = d_.admitRows(static_cast<size_t>(n), error);
  if (admitted.empty()) return fail(error.empty() ? "no rows admitted" : error);
  out_ << "admitted " << admitted.size() << (admitted.size() == 1 ? " task:" : " tasks:");
  for (auto* t : admitted) out_ << ' ' << t->id;
  out_ << '\n';
  if (!error.empty()) fail(error);
  rt::TaskDebugger::Stop stop;
  if (!d_.runLive(stop, error)) return fail(error);
  printStop(stop);
  return true;
}

bool ReplSession::continueCmd(const std::vector<std::string>& a, const std::string&) {
  if (!a.empty()) return fail("usage: continue");
  rt::TaskDebugger::Stop stop;
  std::string error;
  if (!d_.runLive(stop, error)) return fail(error);
  printStop(stop);
  return true;
}

// ------------------------------------------------------------------------------- the rest

bool ReplSession::evalCmd(const std::vector<std::string>& a, const std::string& rest) {
  if (a.empty()) return fail("usage: eval EXPR");
  DebugTask* t = current_.empty() ? nullptr : d_.find(current_);
  if (!t) return fail("no current task: name one first (show TASK)");
  TaskView view;
  std::string error;
  uint64_t k = std::min<uint64_t>(currentTurn_, t->steps.size());
  if (!d_.stateAt(*t, k, view, error)) return fail(error);
  Value v;
  // The JIT compiles any .mx expression against the task type; an AOT session has no compiler
  // and falls back to field paths, literals and comparisons.
  bool ok = jit_ && jit_->available() ? jit_->eval(rest, d_.taskType(), view.fields, v, error)
                                      : evalExpr(rest, d_.taskType(), view.fields, v, error);
  if (!ok) return fail(error);
  out_ << valueText(v) << '\n';
  return true;
}

bool ReplSession::exportCmd(const std::vector<std::string>& a, const std::string&) {
  if (a.size() != 2) return fail("usage: export TASK FILE");
  DebugTask* t = task(a[0]);
  TaskView view;
  if (!t || !lastView(*t, view)) return false;
  nlohmann::json j = {{"id", t->id},       {"row", t->row},
                      {"trial", t->trial}, {"origin", t->origin},
                      {"status", statusName(t->status)}, {"run_seed", t->runSeed},
                      {"steps", nlohmann::json::array()}};
  for (const auto& s : t->steps) j["steps"].push_back(stepJson(d_.module(), s));
  j["final"] = viewJson(d_.taskType(), view);
  std::ofstream file(a[1]);
  file << j.dump(2) << '\n';
  if (!file) return fail("cannot write '" + a[1] + "'");
  out_ << "task " << t->id << ": " << t->steps.size() << " steps -> " << a[1] << '\n';
  return true;
}

bool ReplSession::loadCmd(const std::vector<std::string>& a, const std::string&) {
  if (a.size() != 1) return fail("usage: load RUN_DIR");
  std::string error;
  if (!d_.openRun(a[0], descriptorHash_, error)) return fail(error);
  current_.clear();
  out_ << a[0] << ": " << d_.tasks().size() << " tasks of pipeline " << d_.pipeline().name << '\n';
  return true;
}

bool ReplSession::helpCmd(const std::vector<std::string>& a, const std::string&) {
  for (const Command& c : commands()) {
    if (!a.empty() && a[0] != c.name) continue;
    out_ << "  " << cell(c.usage, 58) << "  " << c.summary << '\n';
    if (!a.empty()) return true;
  }
  if (!a.empty()) return fail("no command '" + a[0] + "'");
  out_ << "TASK is an id from `tasks`; TURN k is the state before step k (0: as the row made it).\n";
  return true;
}

bool ReplSession::quitCmd(const std::vector<std::string>&, const std::string&) {
  quit_ = true;
  return true;
}

// ------------------------------------------------------------------------------- completion

std::vector<std::string> ReplSession::complete(const std::string& before,
                                               const std::string& word) const {
  std::vector<std::string> words = splitWords(before), pool;
  const auto& m = d_.module();
  auto add = [&](Complete kind) {
    switch (kind) {
      case C::Command: for (const Command& c : commands()) pool.push_back(c.name); break;
      case C::Task: for (const auto& t : d_.tasks()) pool.push_back(t->id); break;
      case C::Agent: for (const auto& g : m.agents) pool.push_back(g.name); break;
      case C::Field: for (const auto& f : d_.taskType().fields) pool.push_back(f.name); break;
      case C::Model:
        for (const auto& r : m.resources)
          if (r.kind == "model") pool.push_back(r.name);
        break;
      case C::TasksOption: pool = {"--status", "--agent", "--where"}; break;
      default: break;
    }
  };
  if (words.empty()) {
    add(C::Command);
  } else {
    const std::string& prev = words.back();
    if (prev == "set" || prev == "--where" || prev == "watch") add(C::Field);
    else if (prev == "--agent") add(C::Agent);
    else if (prev == "model") add(C::Model);
    else if (prev == "--status") pool = {"done", "failed", "running"};
    else if (words[0] == "fork" && words.size() >= 3) pool = {"set", "model", "seed"};
    else
      for (const Command& c : commands())
        if (words[0] == c.name && !c.completes.empty())
          add(c.completes[std::min(words.size() - 1, c.completes.size() - 1)]);
  }
  std::vector<std::string> out;
  for (auto& p : pool)
    if (p.compare(0, word.size(), word) == 0 && std::find(out.begin(), out.end(), p) == out.end())
      out.push_back(p);
  return out;
}

}  // namespace mx::cli
