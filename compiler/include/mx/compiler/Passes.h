// Passes.h — the semantic passes, one per file in lib/sema, and the order the driver runs them.
#pragma once

#include <memory>
#include <vector>

namespace mx {

struct SemaContext;

class Pass {
 public:
  virtual ~Pass() = default;
  virtual const char* name() const = 0;
  virtual void run(SemaContext& sema) = 0;
};

/// Collects top-level declarations; checks duplicates, resource kinds and their options,
/// task sources, agent parameters and pipeline settings.
std::unique_ptr<Pass> createDeclarationPass();
/// Resolves every name in bodies and initializers (locals, fields, declarations, built-ins)
/// and every goto and emit target; reports unknown names with a did-you-mean note.
std::unique_ptr<Pass> createNameResolutionPass();
/// Checks where awaits may appear: statement level of agents only, on model or tool calls.
std::unique_ptr<Pass> createAwaitPlacementPass();
/// Gives every expression a type; checks calls against built-in signatures, assignments,
/// conditions, field accesses and that emits to one sink agree on field types.
std::unique_ptr<Pass> createTypeCheckPass();
/// Checks that every agent path ends in goto/done/fail, fns return a value on every path,
/// break/continue sit in loops, while loops are bounded; warns about unreachable statements.
std::unique_ptr<Pass> createControlFlowPass();
/// Builds the agent graph: warns about agents the pipeline can't reach and task fields that are
/// read but never set.
std::unique_ptr<Pass> createAgentGraphPass();

/// The passes in the order they run.
std::vector<std::unique_ptr<Pass>> createSemaPipeline();

}  // namespace mx
