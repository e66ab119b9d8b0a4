// RunMetrics.cpp — the metric families of a run and their rendering.
#include "RunMetrics.h"

#include <cstdio>

namespace mx::rt {

namespace {

/// A label value escaped as the text format wants (backslash, quote, newline).
std::string labelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void sample(std::string& out, const std::string& name, const std::string& labels, double value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += " " + num(value) + "\n";
}

}  // namespace

RunMetrics::RunMetrics(std::vector<std::string> agentNames, std::vector<std::string> modelNames,
                       std::function<RunCounters()> counters)
    : agentNames_(std::move(agentNames)),
      modelNames_(std::move(modelNames)),
      counters_(std::move(counters)) {
  for (size_t i = 0; i < agentNames_.size(); ++i) agents_.push_back(std::make_unique<PerAgent>());
  for (size_t i = 0; i < modelNames_.size(); ++i) models_.push_back(std::make_unique<PerModel>());
}

void RunMetrics::observeStep(uint32_t agent, double seconds) {
  if (agent >= agents_.size()) return;
  agents_[agent]->latency.observe(seconds);
  agents_[agent]->steps.fetch_add(1, std::memory_order_relaxed);
}

void RunMetrics::observeCall(uint32_t model, double seconds, bool ok) {
  if (model >= models_.size()) return;
  models_[model]->latency.observe(seconds);
  if (!ok) models_[model]->failed.fetch_add(1, std::memory_order_relaxed);
}

std::string RunMetrics::render() {
  RunCounters c = counters_();
  std::string out;
  auto counter = [&](const char* name, const char* help, double v) {
    metricHeader(out, name, "counter", help);
    sample(out, name, "", v);
  };
  auto gauge = [&](const char* name, const char* help, double v) {
    metricHeader(out, name, "gauge", help);
    sample(out, name, "", v);
  };
  counter("mx_rows_read_total", "Input rows read.", double(c.rowsIn));
  counter("mx_tasks_done_total", "Tasks that finished with their records written.", double(c.tasksDone));
  counter("mx_tasks_failed_total", "Tasks that ended as a dead letter.", double(c.tasksFailed));
  counter("mx_records_written_total", "Records written to sinks.", double(c.emitted));
  counter("mx_steps_total", "Agent steps run.", double(c.steps));
  counter("mx_llm_calls_total", "Model and tool calls started.", double(c.llmCalls));
  metricHeader(out, "mx_tokens_total", "counter", "Model tokens, by direction.");
  sample(out, "mx_tokens_total", "direction=\"in\"", double(c.tokensIn));
  sample(out, "mx_tokens_total", "direction=\"out\"", double(c.tokensOut));
  gauge("mx_tasks_in_flight", "Tasks alive now (admitted, not finished).", double(c.inFlight));
  gauge("mx_max_in_flight", "The admission bound on tasks in flight.", double(c.maxInFlight));

  {
    std::lock_guard lock(rateMu_);
    auto now = std::chrono::steady_clock::now();
    double dt = std::chrono::duration<double>(now - lastScrape_).count();
    uint64_t tokens = c.tokensIn + c.tokensOut;
    auto rate = [&](uint64_t now, uint64_t before) { return dt > 0 ? double(now - before) / dt : 0.0; };
    gauge("mx_steps_per_second", "Agent steps per second since the previous scrape.", rate(c.steps, lastSteps_));
    gauge("mx_tokens_per_second", "Model tokens (in + out) per second since the previous scrape.",
          rate(tokens, lastTokens_));
    gauge("mx_tasks_per_second", "Tasks finished per second since the previous scrape.",
          rate(c.tasksDone + c.tasksFailed, lastDone_));
    lastScrape_ = now;
    lastSteps_ = c.steps;
    lastTokens_ = tokens;
    lastDone_ = c.tasksDone + c.tasksFailed;
  }
  gauge("mx_run_seconds", "Seconds since the run started.",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());

  metricHeader(out, "mx_agent_queue_length", "gauge", "Tasks waiting in an agent's queue.");
  for (size_t i = 0; i < agentNames_.size(); ++i)
    sample(out, "mx_agent_queue_length", "agent=\"" + labelValue(agentNames_[i]) + "\"",
           i < c.queueLengths.size() ? double(c.queueLengths[i]) : 0.0);
  metricHeader(out, "mx_agent_steps_total", "counter", "Steps run by an agent.");
  for (size_t i = 0; i < agentNames_.size(); ++i)
    sample(out, "mx_agent_steps_total", "agent=\"" + labelValue(agentNames_[i]) + "\"",
           double(agents_[i]->steps.load(std::memory_order_relaxed)));
  metricHeader(out, "mx_step_duration_seconds", "histogram", "Wall time of one agent step.");
  for (size_t i = 0; i < agentNames_.size(); ++i)
    agents_[i]->latency.render(out, "mx_step_duration_seconds", "agent=\"" + labelValue(agentNames_[i]) + "\"");

  if (!modelNames_.empty()) {
    metricHeader(out, "mx_model_in_flight", "gauge", "Calls submitted to a model or tool and not answered.");
    for (size_t i = 0; i < modelNames_.size(); ++i)
      sample(out, "mx_model_in_flight", "model=\"" + labelValue(modelNames_[i]) + "\"",
             i < c.backendInFlight.size() ? double(c.backendInFlight[i]) : 0.0);
    metricHeader(out, "mx_model_calls_failed_total", "counter", "Model or tool calls that failed.");
    for (size_t i = 0; i < modelNames_.size(); ++i)
      sample(out, "mx_model_calls_failed_total", "model=\"" + labelValue(modelNames_[i]) + "\"",
             double(models_[i]->failed.load(std::memory_order_relaxed)));
    metricHeader(out, "mx_llm_call_duration_seconds", "histogram",
                 "Latency of one model or tool call, submit to answer.");
    for (size_t i = 0; i < modelNames_.size(); ++i)
      models_[i]->latency.render(out, "mx_llm_call_duration_seconds",
                                 "model=\"" + labelValue(modelNames_[i]) + "\"");
  }
  return out;
}

}  // namespace mx::rt
