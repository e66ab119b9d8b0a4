// ReplFormat.h — how `mx repl` prints tasks, states and steps, and exports them as JSON.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "mx/rt/TaskDebugger.h"

namespace mx::cli {

/// Compact JSON of `v`, cut to `max` bytes with a note of the full size (0: no limit).
std::string valueText(const rt::Value& v, size_t max = 0);
const char* statusName(rt::TaskStatus s);
std::string agentName(const rt::ModuleInfo& m, uint32_t agent);
/// "model solver" for a resource index.
std::string resourceName(const rt::ModuleInfo& m, uint32_t resource);

/// `show`: the state's agent, resume point and fields.
void printView(std::ostream& out, const rt::ModuleInfo& m, const rt::TaskInfo& task,
               const rt::TaskView& view);
/// `history`: one step with its calls (prompt and completion of chat calls), tokens, latency and
/// seeds.
/// With `renderer`, a chat call on a local model also shows its prompt as rendered by the chat template.
class PromptRenderer;
void printStep(std::ostream& out, const rt::ModuleInfo& m, const rt::StepInfo& step,
               PromptRenderer* renderer = nullptr);

nlohmann::json stepJson(const rt::ModuleInfo& m, const rt::StepInfo& step);
nlohmann::json viewJson(const rt::TaskInfo& task, const rt::TaskView& view);

}  // namespace mx::cli
