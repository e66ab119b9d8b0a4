// AstWalk.h — visits every direct child expression of an expression, and every child statement
// and expression of a statement, so that passes which only care about a few node kinds need not
// repeat the full structural recursion.
#pragma once

#include "mx/compiler/AST.h"

namespace mx {

template <class F>
void forEachChildExpr(Expr* e, F&& f) {
  switch (e->kind) {
    case ExprKind::String:
      for (auto& p : static_cast<StringExpr*>(e)->parts)
        if (p.expr) f(p.expr.get());
      break;
    case ExprKind::Member: f(static_cast<MemberExpr*>(e)->base.get()); break;
    case ExprKind::Index:
      f(static_cast<IndexExpr*>(e)->base.get());
      f(static_cast<IndexExpr*>(e)->index.get());
      break;
    case ExprKind::Call: {
      auto* c = static_cast<CallExpr*>(e);
      f(c->callee.get());
      for (auto& a : c->args) f(a.value.get());
      break;
    }
    case ExprKind::Await: f(static_cast<AwaitExpr*>(e)->operand.get()); break;
    case ExprKind::Unary: f(static_cast<UnaryExpr*>(e)->operand.get()); break;
    case ExprKind::Binary:
      f(static_cast<BinaryExpr*>(e)->lhs.get());
      f(static_cast<BinaryExpr*>(e)->rhs.get());
      break;
    case ExprKind::Conditional: {
      auto* c = static_cast<ConditionalExpr*>(e);
      f(c->cond.get());
      f(c->thenExpr.get());
      f(c->elseExpr.get());
      break;
    }
    case ExprKind::List:
      for (auto& x : static_cast<ListExpr*>(e)->elements) f(x.get());
      break;
    case ExprKind::Record:
      for (auto& x : static_cast<RecordExpr*>(e)->entries) f(x.value.get());
      break;
    default: break;
  }
}

/// Calls onStmt for each child statement and onExpr for each expression directly owned by `s`.
template <class FS, class FE>
void forEachChild(Stmt* s, FS&& onStmt, FE&& onExpr) {
  switch (s->kind) {
    case StmtKind::Block:
      for (auto& c : static_cast<BlockStmt*>(s)->stmts) onStmt(c.get());
      break;
    case StmtKind::Let: onExpr(static_cast<LetStmt*>(s)->init.get()); break;
    case StmtKind::LetTuple: onExpr(static_cast<LetTupleStmt*>(s)->init.get()); break;
    case StmtKind::Assign:
      onExpr(static_cast<AssignStmt*>(s)->target.get());
      onExpr(static_cast<AssignStmt*>(s)->value.get());
      break;
    case StmtKind::If: {
      auto* i = static_cast<IfStmt*>(s);
      onExpr(i->cond.get());
      onStmt(i->thenBlock.get());
      if (i->elseStmt) onStmt(i->elseStmt.get());
      break;
    }
    case StmtKind::For:
      onExpr(static_cast<ForStmt*>(s)->iterable.get());
      onStmt(static_cast<ForStmt*>(s)->body.get());
      break;
    case StmtKind::While: {
      auto* w = static_cast<WhileStmt*>(s);
      onExpr(w->cond.get());
      if (w->bound) onExpr(w->bound.get());
      onStmt(w->body.get());
      break;
    }
    case StmtKind::Fail: onExpr(static_cast<FailStmt*>(s)->reason.get()); break;
    case StmtKind::Emit: onExpr(static_cast<EmitStmt*>(s)->record.get()); break;
    case StmtKind::Return:
      if (static_cast<ReturnStmt*>(s)->value) onExpr(static_cast<ReturnStmt*>(s)->value.get());
      break;
    case StmtKind::ExprStmt: onExpr(static_cast<ExprStmt*>(s)->expr.get()); break;
    default: break;
  }
}

}  // namespace mx
