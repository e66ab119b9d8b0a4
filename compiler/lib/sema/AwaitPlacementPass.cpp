// AwaitPlacementPass.cpp — where a task may suspend.
//
// An agent becomes a state machine split at every await, so an await must sit where the
// machine can stop and resume cleanly: as the whole right-hand side of a statement
// (`let x = await ...`, `x = await ...`, `x += await ...`, `let (a, b) = await all(...)`) or as a
// statement of its own. Not inside conditions, templates or other calls, and never in a fn,
// which runs to completion. Model and tool calls must be awaited; nothing else may be.
#include <functional>

#include "AstWalk.h"
#include "mx/compiler/Passes.h"
#include "mx/compiler/Sema.h"
#include "mx/stdlib/Builtins.h"

namespace mx {
namespace {

class AwaitPlacementPass : public Pass {
 public:
  const char* name() const override { return "awaits"; }

  void run(SemaContext& sema) override {
    s_ = &sema;
    for (TaskDecl* t : sema.tasks)
      for (auto& f : t->fields)
        if (f.init) fieldDefault(f.init.get());
    for (AgentDecl* a : sema.agents) stmt(a->body.get(), true);
    for (FnDecl* f : sema.fns) stmt(f->body.get(), false);
  }

 private:
  /// The model or tool method a call invokes, when it is one of those.
  const std::vector<BuiltinSig>* methodOf(CallExpr* call) {
    auto* m = as<MemberExpr>(call->callee.get());
    if (!m) return nullptr;
    auto* base = as<NameExpr>(m->base.get());
    if (!base) return nullptr;
    if (base->symbol == SymbolKind::Model)
      return s_->builtins.lookup(static_cast<int>(stdlib::BuiltinScope::Model), m->member);
    if (base->symbol == SymbolKind::Tools)
      return s_->builtins.lookup(static_cast<int>(stdlib::BuiltinScope::Tools), m->member);
    return nullptr;
  }

  bool isAsyncCall(Expr* e) {
    auto* call = as<CallExpr>(e);
    if (!call) return false;
    auto* sigs = methodOf(call);
    return sigs && sigs->front().isAsync;
  }

  bool isAll(Expr* e) {
    auto* call = as<CallExpr>(e);
    auto* callee = call ? as<NameExpr>(call->callee.get()) : nullptr;
    return callee && callee->symbol == SymbolKind::Builtin && callee->name == "all";
  }

  /// A task field default runs when the row is read, before the task exists: nothing there may
  /// call a model or tool. One error per default.
  void fieldDefault(Expr* e) {
    Expr* found = nullptr;
    std::function<void(Expr*)> find = [&](Expr* x) {
      if (found) return;
      if (as<AwaitExpr>(x) || isAsyncCall(x) || isAll(x)) {
        found = x;
        return;
      }
      forEachChildExpr(x, find);
    };
    find(e);
    if (found) s_->diags.error(found->range, "a task field default cannot call a model or tool; do it in an agent");
    if (found) handled(found);
  }

  /// An async call, or all(...) of them, that is already diagnosed or correctly awaited: mark it
  /// and check only inside its arguments, so no "must be awaited" follows.
  void handled(Expr* e) {
    while (auto* a = as<AwaitExpr>(e)) e = a->operand.get();
    if (isAsyncCall(e)) {
      static_cast<CallExpr*>(e)->isAsync = true;
      children(e, "an argument");
    } else if (isAll(e)) {
      for (auto& arg : static_cast<CallExpr*>(e)->args) handled(arg.value.get());
    } else {
      expr(e, "an expression");
    }
  }

  /// `await X` in an allowed position: X must be an async call, or all(...) where allowed.
  void awaited(AwaitExpr* a, bool allowAll) {
    Expr* op = a->operand.get();
    if (auto* inner = as<AwaitExpr>(op)) {
      s_->diags.error(a->range, "'await' is written twice");
      handled(inner);
      return;
    }
    if (isAll(op)) {
      auto* call = static_cast<CallExpr*>(op);
      if (!allowAll)
        s_->diags.error(call->range, "'await all(...)' gives several results; bind them with "
                                     "'let (a, b) = await all(...)'");
      else if (call->args.size() < 2)
        s_->diags.error(call->range, "'all' needs at least two calls to run together");
      for (auto& arg : call->args) {
        if (isAsyncCall(arg.value.get())) {
          handled(arg.value.get());
        } else {
          s_->diags.error(arg.value->range, "each argument of 'all' must be a model or tool call");
          expr(arg.value.get(), "an argument of 'all'");
        }
      }
      return;
    }
    if (isAsyncCall(op)) {
      handled(op);
      return;
    }
    // `await m.chat(x).content`: the await covers the whole chain; report that alone.
    Expr* inner = op;
    while (true) {
      if (auto* m = as<MemberExpr>(inner)) inner = m->base.get();
      else if (auto* i = as<IndexExpr>(inner)) inner = i->base.get();
      else break;
    }
    if (inner != op && isAsyncCall(inner)) {
      s_->diags.error(op->range, "'await' applies to the whole expression, not just the call");
      s_->diags.note(inner->range, "await the call alone: 'let r = await ...', then use 'r' here");
      handled(inner);
      return;
    }
    s_->diags.error(op->range, "'await' needs a model or tool call; this expression does not suspend");
    expr(op, "an awaited expression");
  }

  /// A statement-level expression: may be an await.
  void top(Expr* e, bool inAgent, bool allowAll) {
    if (auto* a = as<AwaitExpr>(e)) {
      if (!inAgent) {
        s_->diags.error(a->range, "'await' is only allowed in agents; a fn runs to completion");
        handled(a);
        return;
      }
      awaited(a, allowAll);
      return;
    }
    expr(e, "an expression");
  }

  void stmt(Stmt* s, bool inAgent) {
    switch (s->kind) {
      case StmtKind::Let: top(static_cast<LetStmt*>(s)->init.get(), inAgent, false); return;
      case StmtKind::LetTuple: {
        auto* l = static_cast<LetTupleStmt*>(s);
        auto* a = as<AwaitExpr>(l->init.get());
        if (a && isAll(a->operand.get())) {
          auto* call = static_cast<CallExpr*>(a->operand.get());
          if (call->args.size() >= 2 && call->args.size() != l->names.size())
            s_->diags.error(l->init->range, "'all' runs " + std::to_string(call->args.size()) +
                                                " calls but the let binds " + std::to_string(l->names.size()) +
                                                " names");
          top(l->init.get(), inAgent, true);
        } else if (isAll(l->init.get())) {
          s_->diags.error(l->init->range, "'all(...)' must be awaited: 'let (a, b) = await all(...)'");
          handled(l->init.get());
        } else {
          s_->diags.error(l->init->range, "a tuple 'let' needs 'await all(...)' on its right-hand side");
          handled(l->init.get());
        }
        return;
      }
      case StmtKind::Assign: {
        auto* as_ = static_cast<AssignStmt*>(s);
        expr(as_->target.get(), "an assignment target");
        top(as_->value.get(), inAgent, false);
        return;
      }
      case StmtKind::ExprStmt: top(static_cast<ExprStmt*>(s)->expr.get(), inAgent, false); return;
      default:
        forEachChild(s, [&](Stmt* c) { stmt(c, inAgent); }, [&](Expr* e) { expr(e, "this position"); });
    }
  }

  /// An expression not at statement level: no await anywhere inside.
  void expr(Expr* e, const char* where) {
    if (auto* a = as<AwaitExpr>(e)) {
      s_->diags.error(a->range, "'await' must be the whole right-hand side of a statement");
      s_->diags.note(a->range, "bind the result first: 'let r = await ...', then use 'r'");
      handled(a);
      return;
    }
    if (auto* call = as<CallExpr>(e)) {
      if (isAsyncCall(call)) {
        auto* m = static_cast<MemberExpr*>(call->callee.get());
        s_->diags.error(call->range, "call to '" + static_cast<NameExpr*>(m->base.get())->name + "." +
                                         m->member + "' must be awaited");
        handled(call);
        return;
      }
      if (isAll(call)) {
        s_->diags.error(call->range, "'all(...)' must be awaited: 'let (a, b) = await all(...)'");
        handled(call);
        return;
      }
    }
    children(e, where);
  }

  void children(Expr* e, const char* where) {
    forEachChildExpr(e, [&](Expr* c) { expr(c, where); });
  }

  SemaContext* s_ = nullptr;
};

}  // namespace

std::unique_ptr<Pass> createAwaitPlacementPass() { return std::make_unique<AwaitPlacementPass>(); }

}  // namespace mx
