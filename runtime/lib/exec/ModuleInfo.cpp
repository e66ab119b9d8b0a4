// ModuleInfo.cpp — parsing a compiled module's descriptor (see Codegen's buildDescriptor).
#include "mx/rt/ModuleInfo.h"

#include <algorithm>

#include "mx/stdlib/Builtins.h"

namespace mx::rt {

std::string ResourceInfo::stringArg(const std::string& name) const {
  if (args.contains(name) && args[name].is_string()) return args[name].get<std::string>();
  if (args.contains("#0") && args["#0"].is_string()) return args["#0"].get<std::string>();
  return "";
}

int64_t PipelineInfo::option(const std::string& key, int64_t fallback) const {
  return options.contains(key) && options[key].is_number_integer() ? options[key].get<int64_t>() : fallback;
}

std::unique_ptr<ModuleInfo> ModuleInfo::load(const MxModule* module, std::string& error) {
  if (!module) {
    error = "the module exports no descriptor";
    return nullptr;
  }
  if (module->abi_version != MX_ABI_VERSION) {
    error = "the module was compiled for runtime ABI " + std::to_string(module->abi_version) +
            " but this mx speaks ABI " + std::to_string(MX_ABI_VERSION) + "; recompile it with this mxc";
    return nullptr;
  }
  auto info = std::make_unique<ModuleInfo>();
  try {
    auto d = nlohmann::json::parse(module->descriptor);
    if (d.at("builtins").get<size_t>() != stdlib::builtinSpecs().size()) {
      error = "the module was compiled against another built-in table; recompile it with this mxc";
      return nullptr;
    }
    info->sourcePath = d.at("source").get<std::string>();
    info->baseDir = d.value("base_dir", std::string());
    for (const auto& shape : d.at("shapes")) {
      auto s = std::make_shared<Shape>();
      s->fields = shape.get<std::vector<std::string>>();
      info->shapes.add(s);
    }
    for (const auto& l : d.at("locations")) info->locations.emplace_back(l[0].get<uint32_t>(), l[1].get<uint32_t>());
    size_t t = 0;
    for (const auto& task : d.at("tasks")) {
      TaskInfo ti;
      ti.name = task.at("name");
      ti.source = task.at("source");
      for (const auto& f : task.at("fields")) ti.fields.push_back({f.at("name"), f.at("type")});
      ti.frameSize = static_cast<uint32_t>(ti.fields.size());
      if (t >= module->task_count) throw std::runtime_error("fewer init functions than tasks");
      ti.init = module->inits[t++];
      info->tasks.push_back(std::move(ti));
    }
    size_t a = 0;
    for (const auto& agent : d.at("agents")) {
      AgentInfo ai;
      ai.name = agent.at("name");
      ai.task = agent.at("task");
      ai.spilled = agent.at("spilled").get<std::vector<std::string>>();
      ai.states = agent.at("states");
      ai.line = agent.at("line");
      if (a >= module->agent_count || ai.task >= info->tasks.size())
        throw std::runtime_error("agent table does not match the descriptor");
      ai.step = module->steps[a++];
      TaskInfo& task = info->tasks[ai.task];
      task.frameSize = std::max<uint32_t>(task.frameSize, static_cast<uint32_t>(task.fields.size() + ai.spilled.size()));
      info->agents.push_back(std::move(ai));
    }
    for (const auto& r : d.at("resources"))
      info->resources.push_back({r.at("kind"), r.at("name"), r.at("ctor"), r.at("args"), r.at("options"),
                                 r.value("keys", std::vector<std::string>{})});
    for (const auto& p : d.at("pipelines"))
      info->pipelines.push_back({p.at("name"), p.at("start"), p.at("options")});
  } catch (const std::exception& e) {
    error = std::string("the module's descriptor is malformed: ") + e.what();
    return nullptr;
  }
  return info;
}

std::string ModuleInfo::location(uint32_t loc) const {
  if (loc == 0 || loc >= locations.size()) return sourcePath;
  return sourcePath + ":" + std::to_string(locations[loc].first) + ":" + std::to_string(locations[loc].second);
}

const PipelineInfo* ModuleInfo::pipeline(const std::string& name) const {
  for (const auto& p : pipelines)
    if (name.empty() || p.name == name) return &p;
  return nullptr;
}

int32_t ModuleInfo::resourceIndex(const std::string& kind, const std::string& name) const {
  for (size_t i = 0; i < resources.size(); ++i)
    if (resources[i].kind == kind && resources[i].name == name) return static_cast<int32_t>(i);
  return -1;
}

}  // namespace mx::rt
