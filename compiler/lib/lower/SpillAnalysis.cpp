// SpillAnalysis.cpp — the conservative liveness rule of SpillAnalysis.h.
#include "SpillAnalysis.h"

#include <vector>

#include "../sema/AstWalk.h"

namespace mx::ir {
namespace {

bool exprAwaits(Expr* e) {
  if (as<AwaitExpr>(e)) return true;
  bool found = false;
  forEachChildExpr(e, [&](Expr* c) { found = found || exprAwaits(c); });
  return found;
}

class Analyzer {
 public:
  explicit Analyzer(SpillInfo& info) : info_(info) {}

  void block(const BlockStmt* b) {
    size_t mark = inScope_.size();
    for (const auto& s : b->stmts) stmt(s.get());
    inScope_.resize(mark);
  }

 private:
  void awaitHere() {
    for (const LocalVar* v : inScope_) info_.spilled.insert(v);
  }

  void stmt(const Stmt* s) {
    switch (s->kind) {
      case StmtKind::Block: block(static_cast<const BlockStmt*>(s)); return;
      case StmtKind::Let: {
        auto* l = static_cast<const LetStmt*>(s);
        if (exprAwaits(l->init.get())) awaitHere();
        inScope_.push_back(l->local);
        return;
      }
      case StmtKind::LetTuple: {
        auto* l = static_cast<const LetTupleStmt*>(s);
        if (exprAwaits(l->init.get())) awaitHere();
        for (auto* v : l->locals) inScope_.push_back(v);
        return;
      }
      case StmtKind::Assign: case StmtKind::ExprStmt: {
        bool awaits = false;
        forEachChild(const_cast<Stmt*>(s), [](Stmt*) {}, [&](Expr* e) { awaits = awaits || exprAwaits(e); });
        if (awaits) awaitHere();
        return;
      }
      case StmtKind::If: {
        auto* i = static_cast<const IfStmt*>(s);
        block(i->thenBlock.get());
        if (i->elseStmt) stmt(i->elseStmt.get());
        return;
      }
      case StmtKind::For: {
        auto* f = static_cast<const ForStmt*>(s);
        if (containsAwait(f->body.get())) info_.loopsWithAwait.insert(s);
        size_t mark = inScope_.size();
        inScope_.push_back(f->local);
        if (f->local2) inScope_.push_back(f->local2);
        block(f->body.get());
        inScope_.resize(mark);
        return;
      }
      case StmtKind::While: {
        auto* w = static_cast<const WhileStmt*>(s);
        if (containsAwait(w->body.get())) info_.loopsWithAwait.insert(s);
        block(w->body.get());
        return;
      }
      default: return;
    }
  }

  SpillInfo& info_;
  std::vector<const LocalVar*> inScope_;
};

}  // namespace

bool containsAwait(const Stmt* s) {
  bool found = false;
  forEachChild(const_cast<Stmt*>(s), [&](Stmt* c) { found = found || containsAwait(c); },
               [&](Expr* e) { found = found || exprAwaits(e); });
  return found;
}

SpillInfo analyzeSpills(const AgentDecl& agent) {
  SpillInfo info;
  Analyzer(info).block(agent.body.get());
  return info;
}

}  // namespace mx::ir
