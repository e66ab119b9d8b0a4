// DeclarationPass.cpp — collects top-level declarations and checks their headers.
//
// Everything a declaration says outside a body is checked here: unique names; for models,
// sources, sinks and tools the constructor (`local`, `jsonl`, ...), its arguments and options,
// each against the table below; task sources and field names; agent parameters; pipeline
// settings. Bodies and initializers are left to the later passes.
#include <algorithm>
#include <functional>
#include <set>

#include "Constants.h"
#include "Suggest.h"
#include "mx/compiler/Passes.h"
#include "mx/compiler/Sema.h"
#include "mx/stdlib/Builtins.h"

namespace mx {
namespace {

/// The value a setting accepts.
enum class SettingType { String, Int, Float, Bool, StringList };

struct Setting {
  const char* name;
  SettingType type;
  bool required = false;    // for arguments
  bool positional = false;  // for arguments: may be passed without its name
  double min = -1e300, max = 1e300;
  bool minExclusive = false;  // the value must be greater than min
};

struct Constructor {
  DeclKind kind;
  const char* name;
  std::vector<Setting> args;
  std::vector<Setting> options;
  bool bareOptions = false;  // options are bare names (a tools list), not `key: value`
};

const std::vector<Setting> kSampling = {
    {"temperature", SettingType::Float, false, false, 0, 100},
    {"top_p", SettingType::Float, false, false, 0, 1},
    {"top_k", SettingType::Int, false, false, 0, 1e9},
    {"min_p", SettingType::Float, false, false, 0, 1},
    {"max_tokens", SettingType::Int, false, false, 1, 1e9},
    {"stop", SettingType::StringList},
    {"seed", SettingType::Int},
    {"repetition_penalty", SettingType::Float, false, false, 0, 100, true},
};

/// `local` models also take the built-in engine's settings (runtime/lib/models/LocalModel.cpp):
/// how many GPUs serve the model (0: all) and how many sequences each decodes together.
std::vector<Setting> localOptions() {
  std::vector<Setting> options = kSampling;
  options.push_back({"gpus", SettingType::Int, false, false, 0, 1024});
  options.push_back({"max_batch", SettingType::Int, false, false, 1, 65536});
  return options;
}

const std::vector<Constructor>& constructors() {
  static const std::vector<Constructor> table = {
      {DeclKind::Model, "local", {{"path", SettingType::String, true, true}}, localOptions()},
      {DeclKind::Model, "openai",
       {{"url", SettingType::String, true, true},
        {"model", SettingType::String, true, false},
        {"api_key_env", SettingType::String}},
       kSampling},
      // The simulated model: a test double for runtime benchmarks, never a default.
      {DeclKind::Model, "sim",
       {{"latency", SettingType::String},
        {"mean_ms", SettingType::Float, false, false, 0, 1e9},
        {"sigma", SettingType::Float, false, false, 0, 100},
        {"spread_ms", SettingType::Float, false, false, 0, 1e9},
        {"tokens", SettingType::Int, false, false, 1, 1e9}},
       kSampling},
      {DeclKind::Source, "jsonl", {{"path", SettingType::String, true, true}}, {}},
      {DeclKind::Sink, "jsonl", {{"path", SettingType::String, true, true}}, {}},
      {DeclKind::Tools, "sqlite",
       {{"path", SettingType::String, true, true}, {"per_task", SettingType::Bool}},
       {},
       true},
  };
  return table;
}

const char* settingTypeName(SettingType t) {
  switch (t) {
    case SettingType::String: return "a string";
    case SettingType::Int: return "an integer";
    case SettingType::Float: return "a number";
    case SettingType::Bool: return "true or false";
    case SettingType::StringList: return "a list of strings";
  }
  return "a constant";
}

class DeclarationPass : public Pass {
 public:
  const char* name() const override { return "declarations"; }

  void run(SemaContext& sema) override {
    s_ = &sema;
    collect();
    for (auto& d : sema.program.decls) {
      if (auto* r = asResource(d.get())) checkResource(*r);
      else if (auto* t = as<TaskDecl>(d.get())) checkTask(*t);
    }
    // Task types exist before any field or parameter mentions another task.
    for (TaskDecl* t : sema.tasks) resolveFields(*t);
    for (TaskDecl* t : sema.tasks) checkContainment(*t);
    for (AgentDecl* a : sema.agents) checkAgent(*a);
    for (FnDecl* f : sema.fns) checkFn(*f);
    for (PipelineDecl* p : sema.pipelines) checkPipeline(*p);
    if (sema.pipelines.empty() && !sema.agents.empty())
      sema.diags.warning({0, 0}, "no pipeline is declared, so there is nothing to run");
  }

 private:
  void collect() {
    std::set<std::string> builtinNames;
    for (const auto& spec : stdlib::builtinSpecs())
      if (spec.scope == stdlib::BuiltinScope::Global) builtinNames.insert(std::string(spec.name));
    for (auto& d : s_->program.decls) {
      if (d->name == "row") {
        s_->diags.error(d->nameRange, "'row' is reserved for the input row in task fields");
        continue;
      }
      if (builtinNames.count(d->name)) {
        s_->diags.error(d->nameRange, "'" + d->name + "' is the name of a built-in function");
        continue;
      }
      auto [it, fresh] = s_->globals.emplace(d->name, d.get());
      if (!fresh) {
        s_->diags.error(d->nameRange, "redefinition of '" + d->name + "'");
        s_->diags.note(it->second->nameRange, "previous definition (" +
                                                  withArticle(declKindName(it->second->kind)) + ") is here");
        continue;
      }
      switch (d->kind) {
        case DeclKind::Task: {
          auto* t = static_cast<TaskDecl*>(d.get());
          s_->tasks.push_back(t);
          t->type = s_->types.namedRecord(t->name);
          break;
        }
        case DeclKind::Agent: s_->agents.push_back(static_cast<AgentDecl*>(d.get())); break;
        case DeclKind::Fn: s_->fns.push_back(static_cast<FnDecl*>(d.get())); break;
        case DeclKind::Pipeline: s_->pipelines.push_back(static_cast<PipelineDecl*>(d.get())); break;
        default: s_->resources.push_back(asResource(d.get())); break;
      }
    }
  }

  /// Checks a constant setting against its spec; reports and returns false when it doesn't fit.
  bool checkSetting(const Setting& spec, const Expr* value, SourceRange where) {
    auto c = evaluateConstant(value);
    bool fits = c && (spec.type == SettingType::Float
                          ? (c->kind == Constant::Int || c->kind == Constant::Float)
                          : c->kind == static_cast<Constant::Kind>(
                                spec.type == SettingType::String  ? Constant::String
                                : spec.type == SettingType::Int   ? Constant::Int
                                : spec.type == SettingType::Bool  ? Constant::Bool
                                                                  : Constant::StringList));
    if (!fits) {
      s_->diags.error(value ? value->range : where,
                      std::string("'") + spec.name + "' must be " +
                          (c ? settingTypeName(spec.type)
                             : std::string("a constant (") + settingTypeName(spec.type) + ")"));
      return false;
    }
    bool numeric = spec.type == SettingType::Int || spec.type == SettingType::Float;
    if (numeric && spec.minExclusive && c->number() <= spec.min) {
      s_->diags.error(value->range, std::string("'") + spec.name + "' must be greater than " +
                                        std::to_string(static_cast<long long>(spec.min)));
      return false;
    }
    if (numeric && (c->number() < spec.min || c->number() > spec.max)) {
      auto fmt = [](double v) {
        std::string s = std::to_string(v);
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
        return s;
      };
      s_->diags.error(value->range, std::string("'") + spec.name + "' must be between " +
                                        fmt(spec.min) + " and " + fmt(spec.max));
      return false;
    }
    return true;
  }

  void checkResource(ResourceDecl& r) {
    const Constructor* ctor = nullptr;
    std::vector<std::string> names;
    for (const auto& c : constructors()) {
      if (c.kind != r.kind) continue;
      names.push_back(c.name);
      if (r.ctor == c.name) ctor = &c;
    }
    if (!ctor) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
      s_->diags.error(r.ctorRange, std::string("unknown ") + declKindName(r.kind) + " kind '" +
                                       r.ctor + "'; expected " + list);
      suggest(s_->diags, r.ctorRange, r.ctor, names);
      return;
    }
    // Arguments: positional ones first, in table order, then named ones.
    std::set<std::string> given;
    size_t position = 0;
    bool argumentError = false;
    for (const Arg& a : r.args) {
      const Setting* spec = nullptr;
      if (a.name.empty()) {
        if (position < ctor->args.size() && ctor->args[position].positional) spec = &ctor->args[position++];
        if (!spec) {
          s_->diags.error(a.value->range, std::string("too many arguments to '") + ctor->name + "'");
          argumentError = true;
          continue;
        }
      } else {
        for (const auto& s : ctor->args)
          if (a.name == s.name) spec = &s;
        if (!spec) {
          std::vector<std::string> argNames;
          for (const auto& s : ctor->args) argNames.push_back(s.name);
          s_->diags.error(a.nameRange, std::string("'") + ctor->name + "' has no argument '" + a.name + "'");
          suggest(s_->diags, a.nameRange, a.name, argNames);
          argumentError = true;
          continue;
        }
      }
      if (!given.insert(spec->name).second) {
        s_->diags.error(a.name.empty() ? a.value->range : a.nameRange,
                        std::string("argument '") + spec->name + "' is given twice");
        continue;
      }
      checkSetting(*spec, a.value.get(), a.value->range);
    }
    for (const auto& s : ctor->args)
      if (s.required && !given.count(s.name) && !argumentError)
        s_->diags.error(r.ctorRange, std::string("'") + ctor->name + "' needs the argument '" + s.name + "'");

    std::set<std::string> seen;
    for (const Option& o : r.options) {
      if (!seen.insert(o.key).second) {
        s_->diags.error(o.keyRange, "option '" + o.key + "' is given twice");
        continue;
      }
      if (ctor->bareOptions) {
        if (o.value) s_->diags.error(o.value->range, "a tools list names tools; it takes no values");
        continue;
      }
      const Setting* spec = nullptr;
      std::vector<std::string> optNames;
      for (const auto& s : ctor->options) {
        optNames.push_back(s.name);
        if (o.key == s.name) spec = &s;
      }
      if (!spec) {
        s_->diags.error(o.keyRange, std::string("unknown option '") + o.key + "' for a " +
                                        declKindName(r.kind) + " of kind '" + ctor->name + "'");
        suggest(s_->diags, o.keyRange, o.key, optNames);
        continue;
      }
      if (!o.value) {
        s_->diags.error(o.keyRange, "option '" + o.key + "' needs a value");
        continue;
      }
      checkSetting(*spec, o.value.get(), o.keyRange);
    }
    if (ctor->bareOptions && r.options.empty())
      s_->diags.warning(r.nameRange, "tools '" + r.name + "' exposes no tools; list them in { ... }");
  }

  void checkTask(TaskDecl& t) {
    if (!t.source.empty()) {
      auto it = s_->globals.find(t.source);
      if (it == s_->globals.end() || it->second->kind != DeclKind::Source) {
        s_->diags.error(t.sourceRange, "'" + t.source + "' is not a source");
        std::vector<std::string> names;
        for (ResourceDecl* r : s_->resources)
          if (r->kind == DeclKind::Source) names.push_back(r->name);
        suggest(s_->diags, t.sourceRange, t.source, names);
      } else {
        t.sourceDecl = it->second;
      }
    }
    std::map<std::string, const FieldDecl*> seen;
    for (const auto& f : t.fields) {
      auto [it, fresh] = seen.emplace(f.name, &f);
      if (!fresh) {
        s_->diags.error(f.nameRange, "field '" + f.name + "' is declared twice");
        s_->diags.note(it->second->nameRange, "first declared here");
      }
    }
  }

  void resolveFields(TaskDecl& t) {
    auto* type = const_cast<Type*>(t.type);
    for (auto& f : t.fields) {
      f.type = s_->resolveType(f.typeRef);
      if (!type->field(f.name)) type->fields.push_back({f.name, f.type});
    }
  }

  void checkAgent(AgentDecl& a) {
    const Param& p = a.params.front();
    auto it = s_->globals.find(p.typeRef.name);
    bool isTask = it != s_->globals.end() && it->second->kind == DeclKind::Task && p.typeRef.args.empty();
    if (isTask && p.typeRef.optional) {
      s_->diags.error(p.typeRef.range, "an agent's task cannot be optional; write '" + p.typeRef.name + "'");
      return;
    }
    if (!isTask) {
      s_->diags.error(p.typeRef.range, "an agent takes one task; '" + p.typeRef.name + "' is not a task type");
      std::vector<std::string> names;
      for (TaskDecl* t : s_->tasks) names.push_back(t->name);
      suggest(s_->diags, p.typeRef.range, p.typeRef.name, names);
      return;
    }
    a.task = static_cast<TaskDecl*>(it->second);
  }

  void checkFn(FnDecl& f) {
    for (const Param& p : f.params) f.paramTypes.push_back(s_->resolveType(p.typeRef));
    if (f.returnTypeRef) f.returnType = s_->resolveType(*f.returnTypeRef);
  }

  void checkPipeline(PipelineDecl& p) {
    static const std::vector<Setting> kOptions = {
        {"max_in_flight", SettingType::Int, false, false, 1, 1e9},
        {"retries", SettingType::Int, false, false, 0, 100},
        {"trials", SettingType::Int, false, false, 1, 1e6},
        {"seed", SettingType::Int},
    };
    std::set<std::string> seen;
    for (const Option& o : p.options) {
      if (!seen.insert(o.key).second) {
        s_->diags.error(o.keyRange, "option '" + o.key + "' is given twice");
        continue;
      }
      if (o.key == "start") {
        checkStart(p, o);
        continue;
      }
      const Setting* spec = nullptr;
      std::vector<std::string> names = {"start"};
      for (const auto& s : kOptions) {
        names.push_back(s.name);
        if (o.key == s.name) spec = &s;
      }
      if (!spec) {
        s_->diags.error(o.keyRange, "unknown pipeline option '" + o.key + "'");
        suggest(s_->diags, o.keyRange, o.key, names);
      } else if (!o.value) {
        s_->diags.error(o.keyRange, "option '" + o.key + "' needs a value");
      } else {
        checkSetting(*spec, o.value.get(), o.keyRange);
      }
    }
    if (!seen.count("start"))
      s_->diags.error(p.nameRange, "pipeline '" + p.name + "' needs 'start: AGENT'");
  }

  void checkStart(PipelineDecl& p, const Option& o) {
    auto* name = as<NameExpr>(o.value.get());
    if (!name) {
      s_->diags.error(o.value ? o.value->range : o.keyRange, "'start' must name an agent");
      return;
    }
    auto it = s_->globals.find(name->name);
    if (it == s_->globals.end() || it->second->kind != DeclKind::Agent) {
      s_->diags.error(name->range, "'" + name->name + "' is not an agent");
      std::vector<std::string> names;
      for (AgentDecl* a : s_->agents) names.push_back(a->name);
      suggest(s_->diags, name->range, name->name, names);
      return;
    }
    p.start = static_cast<AgentDecl*>(it->second);
    name->symbol = SymbolKind::Unresolved;  // an agent reference, not a value
  }

  /// A task that holds itself (directly, or through other tasks' fields) has no finite zero value.
  void checkContainment(TaskDecl& t) {
    std::vector<const Type*> path;
    std::function<bool(const Type*)> reaches = [&](const Type* type) -> bool {
      if (type == t.type) return true;
      if (!type->is(TypeKind::Record) || std::find(path.begin(), path.end(), type) != path.end()) return false;
      path.push_back(type);
      for (const auto& f : type->fields)
        if (reaches(f.type)) return true;
      path.pop_back();
      return false;
    };
    for (const auto& f : t.fields)
      if (f.type && reaches(f.type)) {
        s_->diags.error(f.typeRef.range, "task '" + t.name + "' cannot contain itself (through field '" + f.name +
                                             "'); make the field optional: '" + typeName(f.type) + "?'");
        return;
      }
  }

  SemaContext* s_ = nullptr;
};

}  // namespace

std::unique_ptr<Pass> createDeclarationPass() { return std::make_unique<DeclarationPass>(); }

}  // namespace mx
