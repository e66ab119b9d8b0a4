// ReplJitEval.cpp — compiling and running `eval` expressions (ReplJitEval.h).
#include "ReplJitEval.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mx/ExitCodes.h"
#include "mx/rt/Context.h"
#include "mx/rt/Effects.h"

namespace mx::cli {
namespace {

constexpr const char* kSink = "mx_repl_eval_out";
constexpr const char* kAgent = "mx_repl_eval";

/// The first error of a diagnostics text, without its file:line:col (the file is a temporary).
std::string firstError(const std::string& diagnostics) {
  std::istringstream in(diagnostics);
  std::string line;
  while (std::getline(in, line)) {
    size_t at = line.find("error: ");
    if (at != std::string::npos) return line.substr(at + 7);
  }
  return diagnostics.empty() ? "the expression does not compile" : diagnostics;
}

}  // namespace

JitEvaluator::Compiled* JitEvaluator::compile(const std::string& expr, const rt::TaskInfo& task,
                                              std::string& error) {
  auto cached = cache_.find(expr);
  if (cached != cache_.end()) return cached->second.get();
  std::ifstream in(program_);
  if (!in) {
    error = "cannot read '" + program_ + "'";
    return nullptr;
  }
  std::ostringstream source;
  source << in.rdbuf();
  // Next to the program, so that relative paths in it mean what they mean there.
  std::filesystem::path dir = std::filesystem::path(program_).parent_path();
  std::string path = (dir.empty() ? std::string(".") : dir.string()) + "/.mx-repl-eval-" +
                     std::to_string(getpid()) + ".mx";
  {
    std::ofstream out(path);
    out << source.str() << "\n\n// mx repl: eval\nsink " << kSink << " = jsonl(\"" << kSink
        << ".jsonl\")\nagent " << kAgent << "(t: " << task.name << ") {\n";
    // Fields by bare name too (`eval greeting` as well as `eval t.greeting`).
    for (const auto& f : task.fields) out << "  let " << f.name << " = t." << f.name << "\n";
    out << "  emit " << kSink << " { value: (" << expr << ") }\n  done\n}\n";
  }
  auto c = std::make_unique<Compiled>();
  std::string diagnostics;
  int rc = loadJit(path, c->loaded, &diagnostics);
  std::filesystem::remove(path);
  if (rc != kExitOk || !c->loaded.module) {
    error = firstError(diagnostics);
    return nullptr;
  }
  c->info = rt::ModuleInfo::load(c->loaded.module, error);
  if (!c->info) return nullptr;
  bool found = false;
  for (uint32_t i = 0; i < c->info->agents.size(); ++i)
    if (c->info->agents[i].name == kAgent) c->agent = i, found = true;
  if (!found) {
    error = "internal error: the eval agent is missing from the compiled module";
    return nullptr;
  }
  return (cache_[expr] = std::move(c)).get();
}

bool JitEvaluator::eval(const std::string& expr, const rt::TaskInfo& task,
                        const std::vector<rt::Value>& fields, rt::Value& out, std::string& error) {
  Compiled* c = compile(expr, task, error);
  if (!c) return false;
  const rt::AgentInfo& agent = c->info->agents[c->agent];
  const rt::TaskInfo& type = c->info->tasks[agent.task];
  // Task fields come first in a frame (spilled locals follow); the eval agent spills nothing.
  std::vector<rt::Value> frame(std::max<size_t>(type.frameSize, fields.size()));
  for (size_t i = 0; i < fields.size(); ++i) frame[i] = fields[i];
  MxCtx ctx;
  rt::StepEffects effects;
  ctx.module = c->info.get();
  ctx.shapes = &c->info->shapes;
  ctx.effects = &effects;
  int32_t rc = agent.step(&ctx, reinterpret_cast<MxValue*>(frame.data()), 0);
  if (ctx.failed) {
    error = ctx.failMessage;
    return false;
  }
  if (rc != MX_EFFECT_DONE || effects.emits.empty()) {
    error = "internal error: the eval agent did not finish";
    return false;
  }
  out = effects.emits[0].second.get("value");
  return true;
}

}  // namespace mx::cli
