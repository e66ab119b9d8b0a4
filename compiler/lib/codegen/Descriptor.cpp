// Descriptor.cpp — the pipeline description a compiled module carries as JSON (MxModule).
//
// Everything the runtime needs that is not code: task types and fields, agents and their frame
// layout, resources (models, sources, sinks, tools) with their constant settings, pipelines,
// record shapes and the location table. Indices here are the ids compiled code passes to
// mx_rt_* calls (agent, resource, shape, loc), so the order must match lowering.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "../sema/Constants.h"
#include "mx/compiler/Codegen.h"
#include "mx/compiler/Sema.h"
#include "mx/stdlib/Builtins.h"

namespace mx {
namespace {

using nlohmann::json;

json constant(const Expr* e) {
  auto c = evaluateConstant(e);
  if (!c) return nullptr;
  switch (c->kind) {
    case Constant::Int: return c->i;
    case Constant::Float: return c->f;
    case Constant::Bool: return c->b;
    case Constant::String: return c->s;
    case Constant::StringList: return c->list;
  }
  return nullptr;
}

}  // namespace

std::string buildDescriptor(const SemaContext& sema, const ir::Module& module, const SourceFile& file) {
  json d;
  d["source"] = file.path();
  // Where the program's relative paths (sources, sinks) resolve: its folder, absolute, so an AOT
  // module run from another working directory still finds its rows.
  std::error_code ec;
  auto abs = std::filesystem::absolute(file.path(), ec);
  d["base_dir"] = ec ? std::string() : abs.lexically_normal().parent_path().string();
  d["builtins"] = stdlib::builtinSpecs().size();  // the table the ids index; must match at load

  json tasks = json::array();
  for (const TaskDecl* t : sema.tasks) {
    json fields = json::array();
    for (const auto& f : t->fields) fields.push_back({{"name", f.name}, {"type", typeName(f.type)}});
    tasks.push_back({{"name", t->name}, {"source", t->source}, {"fields", fields}});
  }
  d["tasks"] = tasks;

  json agents = json::array();
  for (size_t i = 0; i < sema.agents.size(); ++i) {
    const AgentDecl* a = sema.agents[i];
    const ir::Function& f = module.functions[i];
    size_t task = 0;
    for (size_t k = 0; k < sema.tasks.size(); ++k)
      if (sema.tasks[k] == a->task) task = k;
    agents.push_back({{"name", a->name}, {"task", task}, {"spilled", f.spillNames},
                      {"states", f.resumeBlocks.size()}, {"line", file.lineCol(a->range.begin).line}});
  }
  d["agents"] = agents;

  json resources = json::array();
  for (const ResourceDecl* r : sema.resources) {
    json args = json::object(), options = json::object();
    size_t positional = 0;
    for (const auto& a : r->args) {
      std::string key = a.name.empty() ? "#" + std::to_string(positional++) : a.name;
      args[key] = constant(a.value.get());
    }
    for (const auto& o : r->options) options[o.key] = o.value ? constant(o.value.get()) : json(true);
    json entry = {{"kind", declKindName(r->kind)}, {"name", r->name}, {"ctor", r->ctor},
                  {"args", args}, {"options", options}};
    if (auto keys = sema.sinkKeys.find(r); keys != sema.sinkKeys.end()) entry["keys"] = keys->second;
    resources.push_back(std::move(entry));
  }
  d["resources"] = resources;

  json pipelines = json::array();
  for (const PipelineDecl* p : sema.pipelines) {
    json options = json::object();
    for (const auto& o : p->options)
      if (o.key != "start" && o.value) options[o.key] = constant(o.value.get());
    size_t start = 0;
    for (size_t k = 0; k < sema.agents.size(); ++k)
      if (sema.agents[k] == p->start) start = k;
    pipelines.push_back({{"name", p->name}, {"start", start}, {"options", options}});
  }
  d["pipelines"] = pipelines;

  d["shapes"] = module.shapes;
  json locs = json::array();
  for (const auto& l : module.locations) locs.push_back({l.line, l.col});
  d["locations"] = locs;
  return d.dump();
}

}  // namespace mx
