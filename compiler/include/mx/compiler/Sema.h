// Sema.h — the state shared by the semantic passes, and the entry point that runs them.
//
// Passes run in a fixed order (see Passes.h): declarations, names, awaits, types, control flow,
// agent graph. Each reports into the DiagnosticEngine and annotates the AST in place; later
// passes rely on what earlier ones filled in and tolerate what they could not (Error types,
// unresolved names), so one mistake yields one diagnostic.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mx/compiler/AST.h"
#include "mx/compiler/Diagnostics.h"
#include "mx/compiler/Types.h"

namespace mx {

/// A parsed built-in signature (from the table in stdlib/).
struct BuiltinParam {
  std::string name;
  const Type* type;
  bool keyword = false;  // optional, passed as `name: value`
};

struct BuiltinSig {
  std::string name;
  int scope;  // mx::stdlib::BuiltinScope
  std::vector<BuiltinParam> params;
  const Type* result;
  bool isAsync;
  std::string summary;
  std::string signature;  // as written in the table, for diagnostics
};

/// Built-in signatures by scope and name, overloads in table order.
class BuiltinRegistry {
 public:
  explicit BuiltinRegistry(TypeContext& types);
  const std::vector<BuiltinSig>* lookup(int scope, const std::string& name) const;
  const std::vector<BuiltinSig>& all() const { return sigs_; }

 private:
  std::vector<BuiltinSig> sigs_;
  std::map<std::pair<int, std::string>, std::vector<BuiltinSig>> byName_;
};

struct SemaContext {
  SemaContext(Program& p, DiagnosticEngine& d);

  Program& program;
  DiagnosticEngine& diags;
  TypeContext types;
  BuiltinRegistry builtins;

  // Top-level names, filled by the declaration pass. Every declaration kind shares one
  // namespace, so `goto x` and `x.chat(...)` can never be ambiguous.
  std::map<std::string, Decl*> globals;
  std::vector<TaskDecl*> tasks;
  std::vector<AgentDecl*> agents;
  std::vector<FnDecl*> fns;
  std::vector<PipelineDecl*> pipelines;
  std::vector<ResourceDecl*> resources;

  // Filled by type checking: every key any emit writes to a sink, in first-seen order. Records
  // written there carry all of them (a key an emit leaves out is null), so a sink is one table.
  std::map<const Decl*, std::vector<std::string>> sinkKeys;

  /// Resolves a written type; reports unknown names and returns the Error type for them.
  const Type* resolveType(const TypeRef& ref);
};

/// Runs every semantic pass. Returns true when there were no errors.
bool runSema(SemaContext& sema);

ResourceDecl* asResource(Decl* d);

}  // namespace mx
