// ControlFlowPass.cpp — every agent path ends by routing the task; every fn path returns.
//
// An agent step must say where its task goes next (goto, done or fail); falling off the end of
// an agent would leave the task nowhere, so it is an error. `while c max N` is bounded: if the
// bound is exceeded the task fails, so `while true max N { ... }` without `break` also ends the
// path. Statements after a path has ended are warned about once per block.
#include "mx/compiler/Passes.h"
#include "mx/compiler/Sema.h"

namespace mx {
namespace {

class ControlFlowPass : public Pass {
 public:
  const char* name() const override { return "control flow"; }

  void run(SemaContext& sema) override {
    s_ = &sema;
    for (AgentDecl* a : sema.agents) {
      inAgent_ = true;
      reset();
      if (!ends(a->body.get())) {
        sema.diags.error(a->nameRange, "agent '" + a->name +
                                           "' can reach its end without 'goto', 'done' or 'fail'");
        sema.diags.note(a->closingBrace, "the task would be left here; say where it goes next");
      }
    }
    for (FnDecl* f : sema.fns) {
      inAgent_ = false;
      reset();
      fn_ = f;
      bool returns = ends(f->body.get());
      if (!returns && f->returnType && !f->returnType->is(TypeKind::Error)) {
        sema.diags.error(f->nameRange, "fn '" + f->name + "' does not return a value on every path");
        sema.diags.note(f->closingBrace, "control can reach the end here");
      }
    }
  }

 private:
  void reset() {
    loopDepth_ = 0;
    sawBreak_ = jumped_ = false;
  }

  /// Returns whether every path through `s` ends (routes the task, or returns from a fn).
  bool ends(Stmt* s) {
    switch (s->kind) {
      case StmtKind::Block: {
        bool ended = false, warned = false;
        for (auto& c : static_cast<BlockStmt*>(s)->stmts) {
          if ((ended || jumped_) && !warned) {
            s_->diags.warning(c->range, "this statement is never reached");
            warned = true;
          }
          ended |= ends(c.get());
        }
        return ended;
      }
      case StmtKind::If: {
        auto* i = static_cast<IfStmt*>(s);
        bool jumpedBefore = jumped_;
        bool a = ends(i->thenBlock.get());
        bool jumpedThen = jumped_;
        jumped_ = jumpedBefore;
        bool b = i->elseStmt && ends(i->elseStmt.get());
        jumped_ = jumpedBefore || (jumpedThen && jumped_);
        return a && b;
      }
      case StmtKind::For: {
        loop(static_cast<ForStmt*>(s)->body.get());
        return false;
      }
      case StmtKind::While: {
        auto* w = static_cast<WhileStmt*>(s);
        if (!w->bound)
          s_->diags.error(w->cond->range, "a while loop needs a bound: write 'while COND max N { ... }'");
        bool broke = loop(w->body.get());
        auto* lit = as<BoolExpr>(w->cond.get());
        // Leaving `while true` needs a break; otherwise the bound fails the task, which ends it.
        return lit && lit->value && !broke;
      }
      case StmtKind::Break: case StmtKind::Continue: {
        if (loopDepth_ == 0) {
          s_->diags.error(s->range, std::string("'") + (s->kind == StmtKind::Break ? "break" : "continue") +
                                        "' outside of a loop");
          return false;
        }
        if (s->kind == StmtKind::Break) sawBreak_ = true;
        jumped_ = true;
        return false;
      }
      case StmtKind::Goto: case StmtKind::Done: case StmtKind::Fail: case StmtKind::Emit: {
        if (!inAgent_) {
          const char* what = s->kind == StmtKind::Goto ? "goto" : s->kind == StmtKind::Done ? "done"
                             : s->kind == StmtKind::Fail ? "fail" : "emit";
          s_->diags.error(s->range, std::string("'") + what + "' is only allowed in agents; fn '" +
                                        fn_->name + "' runs to completion and returns to its caller");
          return false;
        }
        return s->kind != StmtKind::Emit;
      }
      case StmtKind::Return:
        if (inAgent_) {
          s_->diags.error(s->range, "an agent ends with 'goto', 'done' or 'fail', not 'return'");
          return true;
        }
        return true;
      default: return false;
    }
  }

  /// Checks a loop body; returns whether it contains a break of this loop.
  bool loop(BlockStmt* body) {
    bool outerBreak = sawBreak_, outerJumped = jumped_;
    sawBreak_ = false;
    ++loopDepth_;
    ends(body);
    --loopDepth_;
    bool broke = sawBreak_;
    sawBreak_ = outerBreak;
    jumped_ = outerJumped;
    return broke;
  }

  SemaContext* s_ = nullptr;
  FnDecl* fn_ = nullptr;
  bool inAgent_ = true;
  unsigned loopDepth_ = 0;
  bool sawBreak_ = false;
  bool jumped_ = false;  // a break/continue ended the current path inside a loop body
};

}  // namespace

std::unique_ptr<Pass> createControlFlowPass() { return std::make_unique<ControlFlowPass>(); }

}  // namespace mx
