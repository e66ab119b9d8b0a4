// SpillAnalysis.h — which locals of an agent must live in the task frame.
//
// A task suspends at every await and may resume on another worker or host, so a local whose
// value is needed after an await must be stored in the frame that travels with the task. The
// rule is conservative and simple: a local is spilled when an await happens while it is in
// scope after its definition (awaits are statement-level, so nothing else lives across one).
// Loops that contain an await also spill their hidden iteration state (see Lowering.cpp).
#pragma once

#include <set>

#include "mx/compiler/AST.h"

namespace mx::ir {

struct SpillInfo {
  std::set<const LocalVar*> spilled;
  std::set<const Stmt*> loopsWithAwait;
};

SpillInfo analyzeSpills(const AgentDecl& agent);

/// Whether a statement contains an await anywhere inside it.
bool containsAwait(const Stmt* s);

}  // namespace mx::ir
