// Sema.cpp — the shared semantic context, the built-in registry and the pass driver.
#include "mx/compiler/Sema.h"

#include "Suggest.h"
#include "mx/Assert.h"
#include "mx/compiler/Passes.h"
#include "mx/stdlib/Builtins.h"

namespace mx {
namespace {

/// Parses the type syntax of built-in signatures. The table is ours, so malformed entries are
/// bugs (MX_ASSERT), not diagnostics.
class SignatureParser {
 public:
  SignatureParser(TypeContext& types, std::string_view text) : types_(types), s_(text) {}

  BuiltinSig parse() {
    BuiltinSig sig;
    expect('(');
    skipSpace();
    while (peek() != ')') {
      BuiltinParam p;
      p.name = ident();
      if (peek() == '?') {
        ++i_;
        p.keyword = true;
      }
      expect(':');
      p.type = type();
      sig.params.push_back(p);
      skipSpace();
      if (peek() == ',') ++i_;
      skipSpace();
    }
    expect(')');
    skipSpace();
    expect('-');
    expect('>');
    sig.result = type();
    return sig;
  }

 private:
  char peek() { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skipSpace() { while (peek() == ' ') ++i_; }
  void expect(char c) {
    skipSpace();
    MX_ASSERT(peek() == c, "malformed built-in signature");
    ++i_;
  }
  std::string ident() {
    skipSpace();
    size_t b = i_;
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_') ++i_;
    MX_ASSERT(i_ > b, "malformed built-in signature: expected a name");
    return std::string(s_.substr(b, i_ - b));
  }
  const Type* type() {
    std::string n = ident();
    const Type* t = nullptr;
    if (n == "list" || n == "map") {
      expect('<');
      if (n == "map") {
        MX_ASSERT(ident() == "string", "map keys are strings");
        expect(',');
      }
      const Type* e = type();
      expect('>');
      t = n == "list" ? types_.list(e) : types_.map(e);
    } else if (n == "T") {
      t = types_.typeVar();
    } else if (n == "any") {
      t = types_.any();
    } else if (n == "tools") {
      t = types_.tools();
    } else {
      t = types_.builtinNamed(n);
      MX_ASSERT(t, "unknown type in a built-in signature");
    }
    if (peek() == '?') {
      ++i_;
      t = types_.optional(t);
    }
    return t;
  }

  TypeContext& types_;
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

BuiltinRegistry::BuiltinRegistry(TypeContext& types) {
  for (const auto& spec : stdlib::builtinSpecs()) {
    BuiltinSig sig = SignatureParser(types, spec.signature).parse();
    sig.name = std::string(spec.name);
    sig.scope = static_cast<int>(spec.scope);
    sig.isAsync = spec.isAsync;
    sig.summary = std::string(spec.summary);
    sig.signature = std::string(spec.signature);
    sigs_.push_back(sig);
    byName_[{sig.scope, sig.name}].push_back(sig);
  }
}

const std::vector<BuiltinSig>* BuiltinRegistry::lookup(int scope, const std::string& name) const {
  auto it = byName_.find({scope, name});
  return it == byName_.end() ? nullptr : &it->second;
}

SemaContext::SemaContext(Program& p, DiagnosticEngine& d) : program(p), diags(d), builtins(types) {}

const Type* SemaContext::resolveType(const TypeRef& ref) {
  const Type* t = nullptr;
  auto arity = [&](size_t n) {
    if (ref.args.size() == n) return true;
    diags.error(ref.range, "'" + ref.name + "' takes " + std::to_string(n) + " type argument" +
                               (n == 1 ? "" : "s") + ", got " + std::to_string(ref.args.size()));
    return false;
  };
  if (ref.name == "list") {
    t = arity(1) ? types.list(resolveType(ref.args[0])) : types.error();
  } else if (ref.name == "map") {
    if (!arity(2)) {
      t = types.error();
    } else {
      const Type* key = resolveType(ref.args[0]);
      if (key != types.string() && !key->is(TypeKind::Error))
        diags.error(ref.args[0].range, "map keys must be 'string', not '" + typeName(key) + "'");
      t = types.map(resolveType(ref.args[1]));
    }
  } else if (const Type* b = types.builtinNamed(ref.name)) {
    t = b;
    if (!ref.args.empty()) diags.error(ref.range, "'" + ref.name + "' takes no type arguments");
  } else if (auto it = globals.find(ref.name); it != globals.end() && it->second->kind == DeclKind::Task) {
    auto* task = static_cast<TaskDecl*>(it->second);
    t = task->type ? task->type : types.error();
  } else {
    std::vector<std::string> names = {"int", "float", "bool", "string", "json", "message",
                                      "tool_call", "list", "map"};
    for (TaskDecl* task : tasks) names.push_back(task->name);
    diags.error(ref.range, "unknown type '" + ref.name + "'");
    suggest(diags, ref.range, ref.name, names);
    t = types.error();
  }
  return ref.optional ? types.optional(t) : t;
}

ResourceDecl* asResource(Decl* d) {
  if (!d) return nullptr;
  switch (d->kind) {
    case DeclKind::Model: case DeclKind::Source: case DeclKind::Sink: case DeclKind::Tools:
      return static_cast<ResourceDecl*>(d);
    default: return nullptr;
  }
}

const char* declKindName(DeclKind kind) {
  switch (kind) {
    case DeclKind::Model: return "model";
    case DeclKind::Source: return "source";
    case DeclKind::Sink: return "sink";
    case DeclKind::Tools: return "tools";
    case DeclKind::Task: return "task";
    case DeclKind::Agent: return "agent";
    case DeclKind::Fn: return "fn";
    case DeclKind::Pipeline: return "pipeline";
  }
  return "declaration";
}

std::string withArticle(const std::string& noun) {
  size_t i = noun.size() > 1 && noun[0] == '\'' ? 1 : 0;
  char c = i < noun.size() ? static_cast<char>(std::tolower(static_cast<unsigned char>(noun[i]))) : 'x';
  bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  return (vowel ? "an " : "a ") + noun;
}

const FieldDecl* TaskDecl::field(const std::string& n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

std::vector<std::unique_ptr<Pass>> createSemaPipeline() {
  std::vector<std::unique_ptr<Pass>> passes;
  passes.push_back(createDeclarationPass());
  passes.push_back(createNameResolutionPass());
  passes.push_back(createAwaitPlacementPass());
  passes.push_back(createTypeCheckPass());
  passes.push_back(createControlFlowPass());
  passes.push_back(createAgentGraphPass());
  return passes;
}

bool runSema(SemaContext& sema) {
  for (auto& pass : createSemaPipeline()) {
    pass->run(sema);
    if (sema.diags.limitReached()) break;
  }
  return !sema.diags.hasErrors();
}

}  // namespace mx
