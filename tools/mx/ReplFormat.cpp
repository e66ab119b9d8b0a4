// ReplFormat.cpp — printing and exporting for `mx repl` (ReplFormat.h).
#include "ReplFormat.h"

#include <cstdio>

#include "ReplPrompt.h"

namespace mx::cli {

using rt::Value;

std::string valueText(const Value& v, size_t max) {
  std::string s = v.toJsonText();
  if (max == 0 || s.size() <= max) return s;
  return s.substr(0, max) + "… (" + std::to_string(s.size()) + " bytes)";
}

const char* statusName(rt::TaskStatus s) {
  switch (s) {
    case rt::TaskStatus::Done: return "done";
    case rt::TaskStatus::Failed: return "failed";
    default: return "running";
  }
}

std::string agentName(const rt::ModuleInfo& m, uint32_t agent) {
  return agent < m.agents.size() ? m.agents[agent].name : "#" + std::to_string(agent);
}

std::string resourceName(const rt::ModuleInfo& m, uint32_t resource) {
  if (resource >= m.resources.size()) return "#" + std::to_string(resource);
  return m.resources[resource].kind + " " + m.resources[resource].name;
}

void printView(std::ostream& out, const rt::ModuleInfo& m, const rt::TaskInfo& task,
               const rt::TaskView& view) {
  out << "  agent " << agentName(m, view.agent) << " (resume " << view.resume << "), "
      << view.steps << " steps, random draws " << view.randomDraws << ", calls " << view.callIndex
      << ", held records " << view.emits.size() << '\n';
  for (size_t i = 0; i < task.fields.size() && i < view.fields.size(); ++i)
    out << "  " << task.fields[i].name << ": " << task.fields[i].type << " = "
        << valueText(view.fields[i], 400) << '\n';
}

namespace {

/// A chat call's messages as "[role] content" lines; anything else as JSON.
void printArgs(std::ostream& out, const rt::CallInfo& c) {
  for (const Value& a : c.args) {
    if (a.isNone()) continue;  // an optional parameter left out (temperature: …)
    if (a.tag() == MX_LIST) {
      for (size_t k = 0; k < a.size(); ++k) {
        Value msg = a.at(k);
        if (msg.tag() == MX_RECORD)
          out << "      [" << msg.get("role").str() << "] " << msg.get("content").str() << '\n';
        else
          out << "      " << valueText(msg, 300) << '\n';
      }
    } else {
      out << "      " << valueText(a, 300) << '\n';
    }
  }
}

std::string ms(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(ns) / 1e6);
  return buf;
}

}  // namespace

void printStep(std::ostream& out, const rt::ModuleInfo& m, const rt::StepInfo& s,
               PromptRenderer* renderer) {
  static const char* effects[] = {"goto", "done", "await", "fail"};
  out << "step " << s.step << "  " << agentName(m, s.agent) << " (resume " << s.resume << ") -> "
      << effects[s.effect];
  if (s.effect == rt::StepInfo::Goto) out << ' ' << agentName(m, s.gotoAgent);
  out << "  random " << s.randomBefore << "->" << s.randomAfter << "  emits " << s.emits << "  "
      << ms(s.durationNs) << (s.restored ? "  (restored after a resume)" : "") << '\n';
  for (size_t i = 0; i < s.calls.size(); ++i) {
    const rt::CallInfo& c = s.calls[i];
    out << "  call " << i << ": " << resourceName(m, c.resource) << "." << c.method << "  seed "
        << c.seed << "  tokens " << c.tokensIn << " in, " << c.tokensOut << " out  latency "
        << ms(c.latencyNs) << (c.attempt ? "  attempt " + std::to_string(c.attempt) : "") << '\n';
    out << "    prompt:\n";
    printArgs(out, c);
    if (auto rendered = renderer ? renderer->render(c) : std::nullopt) {
      out << "    rendered prompt (chat template):\n";
      std::string line;
      for (char ch : *rendered) {
        if (ch != '\n') {
          line += ch;
          continue;
        }
        out << "      | " << line << '\n';
        line.clear();
      }
      if (!line.empty()) out << "      | " << line << '\n';
    }
    if (!c.error.empty()) out << "    error: " << c.error << '\n';
    else if (c.result.tag() == MX_RECORD)
      out << "    completion: [" << c.result.get("role").str() << "] " << c.result.get("content").str() << '\n';
    else
      out << "    completion: " << valueText(c.result, 600) << '\n';
  }
  if (!s.error.empty()) out << "  error: " << s.error << '\n';
}

namespace {
nlohmann::json valueJson(const Value& v) {
  return nlohmann::json::parse(v.toJsonText(), nullptr, false);
}
}  // namespace

nlohmann::json stepJson(const rt::ModuleInfo& m, const rt::StepInfo& s) {
  static const char* effects[] = {"goto", "done", "await", "fail"};
  nlohmann::json j = {{"step", s.step},
                      {"agent", agentName(m, s.agent)},
                      {"resume", s.resume},
                      {"effect", effects[s.effect]},
                      {"emits", s.emits},
                      {"random_draws_before", s.randomBefore},
                      {"random_draws_after", s.randomAfter},
                      {"duration_ns", s.durationNs}};
  if (s.effect == rt::StepInfo::Goto) j["goto"] = agentName(m, s.gotoAgent);
  if (!s.error.empty()) j["error"] = s.error;
  for (const rt::CallInfo& c : s.calls) {
    nlohmann::json args = nlohmann::json::array();
    for (const Value& a : c.args) args.push_back(valueJson(a));
    j["calls"].push_back({{"resource", resourceName(m, c.resource)},
                          {"method", c.method},
                          {"seed", c.seed},
                          {"args", args},
                          {"result", valueJson(c.result)},
                          {"error", c.error},
                          {"tokens_in", c.tokensIn},
                          {"tokens_out", c.tokensOut},
                          {"latency_ns", c.latencyNs},
                          {"attempt", c.attempt}});
  }
  return j;
}

nlohmann::json viewJson(const rt::TaskInfo& task, const rt::TaskView& view) {
  nlohmann::json fields = nlohmann::json::object();
  for (size_t i = 0; i < task.fields.size() && i < view.fields.size(); ++i)
    fields[task.fields[i].name] = valueJson(view.fields[i]);
  return fields;
}

}  // namespace mx::cli
