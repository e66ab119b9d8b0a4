// TypeCheckPass.cpp — gives every expression a type and checks every use against it.
//
// Ill-typed expressions get the Error type, which is compatible with everything, so one
// mistake is reported once. Calls are checked against the built-in table (overloads in table
// order, `T` bound by the first argument that mentions it) or a fn's parameters. Emits build a
// per-sink record schema: the first emit of a field fixes its type, later emits must agree.
#include <algorithm>
#include <map>
#include <set>

#include "Constants.h"
#include "RegexCheck.h"
#include "Suggest.h"
#include "mx/compiler/Passes.h"
#include "mx/compiler/Sema.h"
#include "mx/stdlib/Builtins.h"

namespace mx {
namespace {

class TypeCheckPass : public Pass {
 public:
  const char* name() const override { return "types"; }

  void run(SemaContext& sema) override {
    s_ = &sema;
    T_ = &sema.types;
    for (TaskDecl* t : sema.tasks) task(*t);
    for (FnDecl* f : sema.fns) callable(*f, nullptr, f);
    for (AgentDecl* a : sema.agents) callable(*a, a, nullptr);
  }

 private:
  DiagnosticEngine& diags() { return s_->diags; }

  void mismatch(SourceRange r, const std::string& what, const Type* want, const Type* got) {
    diags().error(r, what + " must be '" + typeName(want) + "', not '" + typeName(got) + "'");
  }

  // ----------------------------------------------------------------------- declarations

  void task(TaskDecl& t) {
    for (auto& f : t.fields) {
      if (f.type && !f.type->isValue())
        diags().error(f.typeRef.range, "a field cannot hold " + withArticle("'" + typeName(f.type) + "'"));
      if (!f.init) continue;
      const Type* got = expr(f.init.get(), f.type);
      // Input columns are JSON; they convert to the field's type per row (a bad row fails alone).
      bool fromRow = got->is(TypeKind::Json) || (got->is(TypeKind::Optional) && got->elem->is(TypeKind::Json));
      if (!fromRow && !isAssignable(got, f.type))
        diags().error(f.init->range, "field '" + f.name + "' has type '" + typeName(f.type) +
                                         "' but its default is '" + typeName(got) + "'");
    }
  }

  void callable(CallableDecl& c, AgentDecl* agent, FnDecl* fn) {
    fn_ = fn;
    for (size_t i = 0; i < c.params.size(); ++i) {
      const Type* t = agent ? (agent->task ? agent->task->type : T_->error()) : fn->paramTypes[i];
      c.locals[i]->type = t;
    }
    block(c.body.get());
    fn_ = nullptr;
  }

  // ------------------------------------------------------------------------- statements

  void block(BlockStmt* b) {
    for (auto& s : b->stmts) stmt(s.get());
  }

  void condition(Expr* e, const char* what) {
    const Type* t = expr(e, T_->boolType());
    if (!isAssignable(t, T_->boolType()) || t->is(TypeKind::Json)) {
      if (t->is(TypeKind::Optional))
        diags().error(e->range, std::string(what) + " must be 'bool', not '" + typeName(t) +
                                    "'; compare with none ('x != none') to test presence");
      else mismatch(e->range, what, T_->boolType(), t);
    }
  }

  void stmt(Stmt* s) {
    switch (s->kind) {
      case StmtKind::Block: block(static_cast<BlockStmt*>(s)); break;
      case StmtKind::Let: let(static_cast<LetStmt*>(s)); break;
      case StmtKind::LetTuple: {
        auto* l = static_cast<LetTupleStmt*>(s);
        const Type* t = expr(l->init.get(), nullptr);
        for (size_t i = 0; i < l->locals.size(); ++i)
          l->locals[i]->type = t->is(TypeKind::Tuple) && i < t->elements.size() ? t->elements[i] : T_->error();
        break;
      }
      case StmtKind::Assign: assign(static_cast<AssignStmt*>(s)); break;
      case StmtKind::If: {
        auto* i = static_cast<IfStmt*>(s);
        condition(i->cond.get(), "an 'if' condition");
        block(i->thenBlock.get());
        if (i->elseStmt) stmt(i->elseStmt.get());
        break;
      }
      case StmtKind::For: forStmt(static_cast<ForStmt*>(s)); break;
      case StmtKind::While: {
        auto* w = static_cast<WhileStmt*>(s);
        condition(w->cond.get(), "a 'while' condition");
        if (w->bound) {
          const Type* b = expr(w->bound.get(), T_->intType());
          if (!b->is(TypeKind::Int) && !b->is(TypeKind::Error)) mismatch(w->bound->range, "a loop bound", T_->intType(), b);
        }
        block(w->body.get());
        break;
      }
      case StmtKind::Fail: {
        auto* f = static_cast<FailStmt*>(s);
        const Type* t = expr(f->reason.get(), T_->string());
        if (!t->is(TypeKind::String) && !t->is(TypeKind::Error)) mismatch(f->reason->range, "a fail reason", T_->string(), t);
        break;
      }
      case StmtKind::Emit: emit(static_cast<EmitStmt*>(s)); break;
      case StmtKind::Return: {
        auto* r = static_cast<ReturnStmt*>(s);
        if (!fn_) {
          if (r->value) expr(r->value.get(), nullptr);
          break;  // the control-flow pass reports return in an agent
        }
        if (r->value) {
          const Type* t = expr(r->value.get(), fn_->returnType);
          if (!fn_->returnType)
            diags().error(r->value->range, "fn '" + fn_->name + "' declares no result type; add '-> " +
                                               typeName(t) + "' or return nothing");
          else if (!isAssignable(t, fn_->returnType))
            mismatch(r->value->range, "the result of fn '" + fn_->name + "'", fn_->returnType, t);
        } else if (fn_->returnType && !fn_->returnType->is(TypeKind::Error)) {
          diags().error(r->range, "fn '" + fn_->name + "' must return " + withArticle("'" + typeName(fn_->returnType) + "'"));
        }
        break;
      }
      case StmtKind::ExprStmt: {
        auto* e = static_cast<ExprStmt*>(s);
        expr(e->expr.get(), nullptr);
        if (!as<CallExpr>(e->expr.get()) && !as<AwaitExpr>(e->expr.get()) && !as<ErrorExpr>(e->expr.get()))
          diags().warning(e->expr->range, "the value of this expression is not used");
        break;
      }
      default: break;
    }
  }

  void let(LetStmt* l) {
    const Type* declared = l->declaredType ? s_->resolveType(*l->declaredType) : nullptr;
    const Type* t = expr(l->init.get(), declared);
    if (declared) {
      if (!isAssignable(t, declared)) mismatch(l->init->range, "the value of '" + l->name + "'", declared, t);
      l->local->type = declared;
      return;
    }
    if (t->is(TypeKind::None)) {
      diags().error(l->init->range, "cannot infer the type of '" + l->name + "' from 'none'; write 'let " +
                                        l->name + ": T? = none'");
      t = T_->error();
    } else if ((t->is(TypeKind::List) || t->is(TypeKind::Map)) && t->elem->is(TypeKind::None)) {
      diags().error(l->init->range, "cannot infer the element type of an empty " +
                                        std::string(t->is(TypeKind::List) ? "list" : "map") + "; write 'let " +
                                        l->name + ": " + (t->is(TypeKind::List) ? "list<T>" : "map<string, T>") +
                                        " = ...'");
      t = T_->error();
    } else if (t->is(TypeKind::Tuple)) {
      t = T_->error();  // `let x = await all(...)`: the await pass has said how to bind it
    } else if (!t->isValue() && !t->is(TypeKind::Error)) {
      diags().error(l->init->range, "'" + l->name + "' cannot hold " + withArticle("'" + typeName(t) + "'"));
      t = T_->error();
    }
    l->local->type = t;
  }

  /// Whether an expression names storage: a local, a task field, or an element of one.
  bool isLvalue(Expr* e) {
    // An unknown name was reported already; don't add "cannot assign" to it.
    if (auto* n = as<NameExpr>(e)) return n->symbol == SymbolKind::Local || n->symbol == SymbolKind::Unresolved;
    if (auto* m = as<MemberExpr>(e)) {
      if (auto* n = as<NameExpr>(m->base.get()); n && n->symbol == SymbolKind::TaskParam) return true;
      return m->base->type && m->base->type->is(TypeKind::Record) && isLvalue(m->base.get());
    }
    if (auto* i = as<IndexExpr>(e)) return isLvalue(i->base.get());
    return as<ErrorExpr>(e) != nullptr;
  }

  void assign(AssignStmt* a) {
    const Type* target = expr(a->target.get(), nullptr);
    if (!isLvalue(a->target.get())) {
      auto* n = as<NameExpr>(a->target.get());
      diags().error(a->target->range, n && n->symbol == SymbolKind::TaskParam
                                          ? "cannot replace the task itself; assign to its fields"
                                          : "cannot assign to this expression");
      expr(a->value.get(), nullptr);
      return;
    }
    if (a->target->type && a->target->type->is(TypeKind::Json) && as<IndexExpr>(a->target.get())) {
      // Writing into a JSON value is allowed: the element becomes whatever is stored.
    }
    const Type* want = a->op == AssignOp::Set ? target : nullptr;
    if (a->op == AssignOp::Add && target->is(TypeKind::List)) want = nullptr;
    const Type* value = expr(a->value.get(), want);
    if (target->is(TypeKind::Error) || value->is(TypeKind::Error)) return;
    switch (a->op) {
      case AssignOp::Set:
        if (!isAssignable(value, target)) mismatch(a->value->range, "the assigned value", target, value);
        return;
      case AssignOp::Add:
        if (target->is(TypeKind::List)) {
          if (isAssignable(value, target->elem) || (value->is(TypeKind::List) && isAssignable(value, target))) return;
          diags().error(a->value->range, "'+=' on " + withArticle("'" + typeName(target) + "'") + " appends " +
                                             withArticle("'" + typeName(target->elem) + "'") + " or " +
                                             withArticle("'" + typeName(target) + "'") + ", not " +
                                             withArticle("'" + typeName(value) + "'"));
          return;
        }
        if (target->is(TypeKind::String)) {
          if (!value->is(TypeKind::String)) mismatch(a->value->range, "the appended value", target, value);
          return;
        }
        [[fallthrough]];
      default:
        if (!target->isNumeric()) {
          diags().error(a->target->range, "compound assignment needs a number" +
                                              std::string(a->op == AssignOp::Add ? ", string or list" : "") +
                                              ", not '" + typeName(target) + "'");
        } else if (!value->isNumeric()) {
          mismatch(a->value->range, "the right-hand side", target, value);
        } else if (target->is(TypeKind::Int) && value->is(TypeKind::Float)) {
          diags().error(a->value->range, "a 'float' result cannot be stored in an 'int'; convert with int(...)");
        }
    }
  }

  void forStmt(ForStmt* f) {
    const Type* t = expr(f->iterable.get(), nullptr);
    const Type *first = T_->error(), *second = T_->error();
    bool two = !f->var2.empty();
    if (t->is(TypeKind::List)) {
      first = t->elem;
      if (two) diags().error(f->var2Range, "a list gives one value per step; 'for x in list'");
    } else if (t->is(TypeKind::Map)) {
      first = T_->string();
      second = t->elem;
    } else if (t->is(TypeKind::Json)) {
      first = T_->json();
      second = T_->json();
    } else if (t->is(TypeKind::String)) {
      first = T_->string();
      if (two) diags().error(f->var2Range, "a string gives one character per step");
    } else if (!t->is(TypeKind::Error)) {
      diags().error(f->iterable->range, "cannot loop over " + withArticle("'" + typeName(t) + "'"));
    }
    if (first->is(TypeKind::None)) first = T_->error();
    f->local->type = first;
    if (f->local2) f->local2->type = second;
    block(f->body.get());
  }

  void emit(EmitStmt* e) {
    const Type* t = expr(e->record.get(), nullptr);
    if (!e->sinkDecl || !t->is(TypeKind::Record)) {
      if (t->is(TypeKind::Map) && e->record->entries.empty())
        diags().error(e->record->range, "an emit needs at least one field");
      else if (!t->is(TypeKind::Record) && !t->is(TypeKind::Error))
        diags().error(e->record->range, "emit takes a record with bare field names: { name: value }");
      return;
    }
    auto& schema = sinkSchemas_[e->sinkDecl];
    for (size_t i = 0; i < e->record->entries.size(); ++i) {
      const auto& entry = e->record->entries[i];
      const Type* ft = entry.value->type;
      if (!ft || ft->is(TypeKind::Error)) continue;
      auto [it, fresh] = schema.emplace(entry.key, std::make_pair(ft, entry.keyRange));
      if (fresh) {
        s_->sinkKeys[e->sinkDecl].push_back(entry.key);
        continue;
      }
      const Type* prev = it->second.first;
      if (const Type* common = commonType(*T_, ft, prev)) {
        if (common != prev) it->second = {common, entry.keyRange};  // the note points at the widening emit
        continue;
      }
      diags().error(entry.value->range, "field '" + entry.key + "' of sink '" + e->sink + "' is '" +
                                            typeName(ft) + "' here but '" + typeName(prev) + "' in an earlier emit");
      diags().note(it->second.second, "the earlier emit is here");
    }
  }

  // ------------------------------------------------------------------------ expressions

  /// Types `e`; `expected` (may be null) only gives empty literals their element type.
  const Type* expr(Expr* e, const Type* expected) {
    const Type* t = exprInner(e, expected);
    e->type = t;
    return t;
  }

  const Type* exprInner(Expr* e, const Type* expected) {
    switch (e->kind) {
      case ExprKind::Int: return T_->intType();
      case ExprKind::Float: return T_->floatType();
      case ExprKind::Bool: return T_->boolType();
      case ExprKind::None: return T_->none();
      case ExprKind::String: {
        for (auto& p : static_cast<StringExpr*>(e)->parts) {
          if (!p.expr) continue;
          const Type* t = expr(p.expr.get(), nullptr);
          if (!t->isValue() && !t->is(TypeKind::Error))
            diags().error(p.expr->range, "cannot interpolate " + withArticle("'" + typeName(t) + "'") + " into a string");
        }
        return T_->string();
      }
      case ExprKind::Name: return name(static_cast<NameExpr*>(e));
      case ExprKind::Member: return member(static_cast<MemberExpr*>(e));
      case ExprKind::Index: return index(static_cast<IndexExpr*>(e));
      case ExprKind::Call: return call(static_cast<CallExpr*>(e));
      case ExprKind::Await: {
        // A misplaced await was reported by the await pass; its type would only cascade.
        Expr* op = static_cast<AwaitExpr*>(e)->operand.get();
        const Type* t = expr(op, expected);
        auto* call = as<CallExpr>(op);
        bool valid = call && (call->isAsync || t->is(TypeKind::Tuple));
        return valid ? t : T_->error();
      }
      case ExprKind::Unary: return unary(static_cast<UnaryExpr*>(e));
      case ExprKind::Binary: return binary(static_cast<BinaryExpr*>(e), expected);
      case ExprKind::Conditional: {
        auto* c = static_cast<ConditionalExpr*>(e);
        condition(c->cond.get(), "a '?:' condition");
        const Type* a = expr(c->thenExpr.get(), expected);
        const Type* b = expr(c->elseExpr.get(), expected);
        if (const Type* common = commonType(*T_, a, b)) return common;
        diags().error(c->range, "the branches of '?:' have different types, '" + typeName(a) + "' and '" +
                                    typeName(b) + "'");
        return T_->error();
      }
      case ExprKind::List: {
        auto* l = static_cast<ListExpr*>(e);
        const Type* elemWant = expected && expected->is(TypeKind::List) ? expected->elem : nullptr;
        const Type* elem = elemWant ? elemWant : T_->none();
        bool first = !elemWant;
        for (auto& x : l->elements) {
          const Type* t = expr(x.get(), elemWant);
          if (elemWant) {
            if (!isAssignable(t, elemWant)) {
              mismatch(x->range, "a list element", elemWant, t);
              return T_->error();
            }
            continue;
          }
          if (first) {
            elem = t;
            first = false;
            continue;
          }
          const Type* common = commonType(*T_, t, elem);
          if (!common) {
            diags().error(x->range, "list elements must have one type: '" + typeName(t) + "' after '" +
                                        typeName(elem) + "'");
            return T_->error();
          }
          elem = common;
        }
        if (!elem->isValue() && !elem->is(TypeKind::None) && !elem->is(TypeKind::Error)) {
          diags().error(l->range, "a list cannot hold " + withArticle("'" + typeName(elem) + "'"));
          return T_->error();
        }
        return T_->list(elem);
      }
      case ExprKind::Record: return record(static_cast<RecordExpr*>(e), expected);
      case ExprKind::Error: return T_->error();
    }
    return T_->error();
  }

  const Type* name(NameExpr* n) {
    switch (n->symbol) {
      case SymbolKind::Local: case SymbolKind::TaskParam:
        return n->local->type ? n->local->type : T_->error();
      case SymbolKind::Row: return T_->json();
      case SymbolKind::Model: return T_->model();
      case SymbolKind::Tools: return T_->tools();
      case SymbolKind::Sink: return T_->sink();
      case SymbolKind::Source: return T_->source();
      case SymbolKind::Fn: case SymbolKind::Builtin:
        diags().error(n->range, "'" + n->name + "' is a function; call it with '" + n->name + "(...)'");
        return T_->error();
      case SymbolKind::Unresolved: return T_->error();
    }
    return T_->error();
  }

  const Type* member(MemberExpr* m) {
    const Type* base = expr(m->base.get(), nullptr);
    switch (base->kind) {
      case TypeKind::Error: return T_->error();
      case TypeKind::Json: return T_->json();
      case TypeKind::Record: {
        if (const RecordField* f = base->field(m->member)) return f->type;
        std::string what = base->name.empty() ? "this record" : "'" + base->name + "'";
        bool isTask = !base->name.empty() && s_->globals.count(base->name);
        diags().error(m->memberRange, (isTask ? "task " : "") + what + " has no field '" + m->member + "'");
        std::vector<std::string> names;
        for (const auto& f : base->fields) names.push_back(f.name);
        suggest(diags(), m->memberRange, m->member, names);
        return T_->error();
      }
      case TypeKind::Optional:
        diags().error(m->memberRange, "'" + typeName(base) + "' may be none; unwrap it with '?\?' before using '." +
                                          m->member + "'");
        return T_->error();
      case TypeKind::Model: case TypeKind::Tools:
        diags().error(m->range, "'" + m->member + "' is a method; call it with '(...)'");
        return T_->error();
      default:
        diags().error(m->memberRange, withArticle("'" + typeName(base) + "'") + " has no fields");
        return T_->error();
    }
  }

  const Type* index(IndexExpr* i) {
    const Type* base = expr(i->base.get(), nullptr);
    const Type* idx = expr(i->index.get(), nullptr);
    if (base->is(TypeKind::Error) || idx->is(TypeKind::Error)) return T_->error();
    auto want = [&](const Type* t) {
      if (!isAssignable(idx, t) || idx->is(TypeKind::Json)) mismatch(i->index->range, "the index", t, idx);
    };
    switch (base->kind) {
      case TypeKind::List: want(T_->intType()); return base->elem;
      case TypeKind::Map: want(T_->string()); return base->elem;
      case TypeKind::String: want(T_->intType()); return T_->string();
      case TypeKind::Json:
        if (!idx->is(TypeKind::Int) && !idx->is(TypeKind::String))
          diags().error(i->index->range, "a json value is indexed by an int or a string, not '" + typeName(idx) + "'");
        return T_->json();
      default:
        diags().error(i->base->range, "cannot index " + withArticle("'" + typeName(base) + "'"));
        return T_->error();
    }
  }

  const Type* unary(UnaryExpr* u) {
    const Type* t = expr(u->operand.get(), nullptr);
    if (t->is(TypeKind::Error)) return t;
    if (u->op == UnaryOp::Not) {
      if (!t->is(TypeKind::Bool)) mismatch(u->operand->range, "the operand of 'not'", T_->boolType(), t);
      return T_->boolType();
    }
    if (!t->isNumeric()) {
      diags().error(u->operand->range, "cannot negate " + withArticle("'" + typeName(t) + "'"));
      return T_->error();
    }
    return t;
  }

  const Type* binary(BinaryExpr* b, const Type* expected) {
    const Type* l = expr(b->lhs.get(), b->op == BinaryOp::Coalesce ? expected : nullptr);
    const Type* r = expr(b->rhs.get(),
                         b->op == BinaryOp::Coalesce && l->is(TypeKind::Optional) ? l->elem : nullptr);
    if (l->is(TypeKind::Error) || r->is(TypeKind::Error)) {
      switch (b->op) {
        case BinaryOp::Eq: case BinaryOp::Ne: case BinaryOp::Lt: case BinaryOp::Le: case BinaryOp::Gt:
        case BinaryOp::Ge: case BinaryOp::In: case BinaryOp::And: case BinaryOp::Or:
          return T_->boolType();
        default: return T_->error();
      }
    }
    std::string op = binaryOpSpelling(b->op);
    auto bad = [&]() {
      diags().error(b->opRange, "'" + op + "' cannot combine '" + typeName(l) + "' and '" + typeName(r) + "'");
      return T_->error();
    };
    switch (b->op) {
      case BinaryOp::Add:
        if (l->is(TypeKind::String) && r->is(TypeKind::String)) return l;
        if (l->is(TypeKind::List) && r->is(TypeKind::List)) {
          if (const Type* c = commonType(*T_, l, r)) return c;
          return bad();
        }
        [[fallthrough]];
      case BinaryOp::Sub: case BinaryOp::Mul: case BinaryOp::Div:
        if (!l->isNumeric() || !r->isNumeric()) return bad();
        return l->is(TypeKind::Float) || r->is(TypeKind::Float) ? T_->floatType() : T_->intType();
      case BinaryOp::Mod:
        if (!l->is(TypeKind::Int) || !r->is(TypeKind::Int)) return bad();
        return T_->intType();
      case BinaryOp::Coalesce:
        if (l->is(TypeKind::Optional)) {
          if (isAssignable(r, l->elem)) return l->elem;
          if (isAssignable(r, l)) return l;
          return bad();
        }
        if (l->is(TypeKind::Json)) return isAssignable(r, l) ? l : bad();
        diags().warning(b->lhs->range, "the left side of '?\?' is " + withArticle("'" + typeName(l) + "'") + ", which is never none");
        return l;
      case BinaryOp::Eq: case BinaryOp::Ne: {
        bool noneL = l->is(TypeKind::None), noneR = r->is(TypeKind::None);
        if (noneL != noneR) {
          const Type* other = noneL ? r : l;
          if (!other->is(TypeKind::Optional) && !other->is(TypeKind::Json))
            diags().warning(b->opRange, withArticle("'" + typeName(other) + "'") +
                                            " is never none; this comparison is always " +
                                            (b->op == BinaryOp::Eq ? "false" : "true"));
          return T_->boolType();
        }
        if (!isAssignable(l, r) && !isAssignable(r, l) && !(l->isNumeric() && r->isNumeric())) return bad();
        return T_->boolType();
      }
      case BinaryOp::Lt: case BinaryOp::Le: case BinaryOp::Gt: case BinaryOp::Ge:
        if ((l->isNumeric() && r->isNumeric()) || (l->is(TypeKind::String) && r->is(TypeKind::String)))
          return T_->boolType();
        bad();
        return T_->boolType();
      case BinaryOp::In:
        if ((r->is(TypeKind::String) && l->is(TypeKind::String)) ||
            (r->is(TypeKind::List) && isAssignable(l, r->elem)) ||
            (r->is(TypeKind::Map) && l->is(TypeKind::String)) || r->is(TypeKind::Json))
          return T_->boolType();
        bad();
        return T_->boolType();
      case BinaryOp::And: case BinaryOp::Or:
        if (!l->is(TypeKind::Bool)) mismatch(b->lhs->range, "the left side of '" + op + "'", T_->boolType(), l);
        if (!r->is(TypeKind::Bool)) mismatch(b->rhs->range, "the right side of '" + op + "'", T_->boolType(), r);
        return T_->boolType();
    }
    return T_->error();
  }

  const Type* record(RecordExpr* r, const Type* expected) {
    std::set<std::string> seen;
    for (auto& entry : r->entries)
      if (!seen.insert(entry.key).second) diags().error(entry.keyRange, "key '" + entry.key + "' appears twice");
    if (r->isMap()) {
      const Type* want = expected && expected->is(TypeKind::Map) ? expected->elem : nullptr;
      const Type* elem = want ? want : T_->none();
      bool first = !want;
      for (auto& entry : r->entries) {
        const Type* t = expr(entry.value.get(), want);
        if (first) {
          elem = t;
          first = false;
        } else if (const Type* c = commonType(*T_, t, elem)) {
          elem = c;
        } else {
          diags().error(entry.value->range, "map values must have one type: '" + typeName(t) + "' after '" +
                                                typeName(elem) + "'");
          return T_->error();
        }
      }
      return T_->map(elem);
    }
    std::vector<RecordField> fields;
    for (auto& entry : r->entries) {
      const Type* t = expr(entry.value.get(), nullptr);
      if (!t->isValue() && !t->is(TypeKind::None) && !t->is(TypeKind::Error))
        diags().error(entry.value->range, "a record field cannot hold " + withArticle("'" + typeName(t) + "'"));
      fields.push_back({entry.key, t});
    }
    return T_->record(std::move(fields));
  }

  // ------------------------------------------------------------------------------ calls

  const Type* call(CallExpr* c) {
    if (auto* n = as<NameExpr>(c->callee.get())) {
      if (n->symbol == SymbolKind::Builtin) {
        c->target = CallTarget::Builtin;
        if (n->name == "all") return allCall(c);
        return overloads(c, *s_->builtins.lookup(0, n->name), n->name);
      }
      if (n->symbol == SymbolKind::Fn) return fnCall(c, static_cast<FnDecl*>(n->decl));
      if (n->symbol == SymbolKind::Unresolved) {
        for (auto& a : c->args) expr(a.value.get(), nullptr);
        return T_->error();
      }
    }
    if (auto* m = as<MemberExpr>(c->callee.get())) {
      if (auto* n = as<NameExpr>(m->base.get());
          n && (n->symbol == SymbolKind::Model || n->symbol == SymbolKind::Tools)) {
        n->type = n->symbol == SymbolKind::Model ? T_->model() : T_->tools();
        auto scope = n->symbol == SymbolKind::Model ? stdlib::BuiltinScope::Model : stdlib::BuiltinScope::Tools;
        const auto* sigs = s_->builtins.lookup(static_cast<int>(scope), m->member);
        if (!sigs) {
          std::vector<std::string> names;
          std::string list;
          for (const auto& b : s_->builtins.all())
            if (b.scope == static_cast<int>(scope) && std::find(names.begin(), names.end(), b.name) == names.end()) {
              names.push_back(b.name);
              list += (list.empty() ? "'" : ", '") + b.name + "'";
            }
          diags().error(m->memberRange, std::string(n->symbol == SymbolKind::Model ? "a model" : "tools") +
                                            " has no method '" + m->member + "'; it has " + list);
          suggest(diags(), m->memberRange, m->member, names);
          for (auto& a : c->args) expr(a.value.get(), nullptr);
          return T_->error();
        }
        c->target = n->symbol == SymbolKind::Model ? CallTarget::ModelMethod : CallTarget::ToolsMethod;
        return overloads(c, *sigs, n->name + "." + m->member);
      }
    }
    const Type* t = expr(c->callee.get(), nullptr);
    for (auto& a : c->args) expr(a.value.get(), nullptr);
    if (!t->is(TypeKind::Error)) diags().error(c->callee->range, "this expression cannot be called");
    return T_->error();
  }

  const Type* allCall(CallExpr* c) {
    std::vector<const Type*> results;
    for (auto& a : c->args) results.push_back(expr(a.value.get(), nullptr));
    return T_->tuple(results);
  }

  const Type* fnCall(CallExpr* c, FnDecl* f) {
    c->target = CallTarget::Fn;
    for (size_t i = 0; i < c->args.size(); ++i) {
      auto& a = c->args[i];
      expr(a.value.get(), i < f->paramTypes.size() ? f->paramTypes[i] : nullptr);  // context types `[]`
      if (!a.name.empty()) diags().error(a.nameRange, "fn arguments are positional; remove '" + a.name + ":'");
    }
    if (c->args.size() != f->params.size()) {
      diags().error(c->range, "fn '" + f->name + "' takes " + std::to_string(f->params.size()) +
                                  " argument" + (f->params.size() == 1 ? "" : "s") + ", got " +
                                  std::to_string(c->args.size()));
      diags().note(f->nameRange, "'" + f->name + "' is declared here");
    } else {
      for (size_t i = 0; i < c->args.size(); ++i) {
        const Type* want = f->paramTypes[i];
        if (!isAssignable(c->args[i].value->type, want))
          mismatch(c->args[i].value->range, "argument " + std::to_string(i + 1) + " of '" + f->name + "'", want,
                   c->args[i].value->type);
      }
    }
    return f->returnType ? f->returnType : T_->voidType();
  }

  /// Binds the type variable T while matching an argument against a parameter type.
  static bool matchType(const Type* arg, const Type* param, const Type*& bound, TypeContext& types) {
    if (param->is(TypeKind::Var)) {
      if (!arg->isValue() && !arg->is(TypeKind::None)) return false;
      if (!bound || bound->is(TypeKind::None)) {
        bound = arg;
        return true;
      }
      return isAssignable(arg, bound);
    }
    if ((param->is(TypeKind::List) || param->is(TypeKind::Map)) && param->kind == arg->kind)
      return matchType(arg->elem, param->elem, bound, types) || arg->elem->is(TypeKind::None);
    if (param->is(TypeKind::Optional) && !arg->is(TypeKind::None)) {
      const Type* inner = arg->is(TypeKind::Optional) ? arg->elem : arg;
      return matchType(inner, param->elem, bound, types);
    }
    if (arg->is(TypeKind::Json) && !param->is(TypeKind::Json) && !param->is(TypeKind::Any)) return false;
    // A scalar passed where a built-in wants json would pick the json overload silently
    // (`len(42)`); built-ins take json only from json values and containers.
    if (param->is(TypeKind::Json) && (arg->isNumeric() || arg->is(TypeKind::Bool) || arg->is(TypeKind::String)))
      return false;
    return isAssignable(arg, param);
  }

  static const Type* substitute(const Type* t, const Type* bound, TypeContext& types) {
    if (!bound) bound = types.error();
    switch (t->kind) {
      case TypeKind::Var: return bound;
      case TypeKind::List: return types.list(substitute(t->elem, bound, types));
      case TypeKind::Map: return types.map(substitute(t->elem, bound, types));
      case TypeKind::Optional: return types.optional(substitute(t->elem, bound, types));
      default: return t;
    }
  }

  /// Picks the first overload the arguments fit and reports a precise error when none does.
  const Type* overloads(CallExpr* c, const std::vector<BuiltinSig>& sigs, const std::string& shown) {
    bool anyError = false;
    for (auto& a : c->args) anyError |= expr(a.value.get(), nullptr)->is(TypeKind::Error);
    if (anyError) {
      c->builtin = &sigs.front();
      return sigs.size() == 1 && !sigs.front().result->is(TypeKind::Var) ? sigs.front().result : T_->error();
    }
    std::string firstProblem;
    SourceRange problemRange = c->range;
    for (const BuiltinSig& sig : sigs) {
      std::string problem;
      SourceRange where = c->range;
      const Type* bound = nullptr;
      size_t positional = 0;
      for (const auto& p : sig.params) positional += !p.keyword;
      size_t pos = 0;
      std::set<std::string> named;
      for (auto& a : c->args) {
        const BuiltinParam* p = nullptr;
        if (a.name.empty()) {
          if (!named.empty()) {
            problem = "positional arguments must come before named ones";
            where = a.value->range;
            break;
          }
          if (pos < positional) p = &sig.params[pos++];
          else {
            problem = "'" + shown + "' takes " + std::to_string(positional) + " argument" +
                      (positional == 1 ? "" : "s") + ", got " + std::to_string(c->args.size());
            break;
          }
        } else {
          for (const auto& q : sig.params)
            if (q.keyword && q.name == a.name) p = &q;
          if (!p) {
            problem = "'" + shown + "' has no option '" + a.name + "'";
            where = a.nameRange;
            break;
          }
          if (!named.insert(a.name).second) {
            problem = "option '" + a.name + "' is given twice";
            where = a.nameRange;
            break;
          }
        }
        if (!matchType(a.value->type, p->type, bound, *T_)) {
          problem = "argument '" + p->name + "' of '" + shown + "' must be '" +
                    typeName(substitute(p->type, bound, *T_)) + "', not '" + typeName(a.value->type) + "'";
          where = a.value->range;
          break;
        }
      }
      if (problem.empty() && pos < positional)
        problem = "'" + shown + "' takes " + std::to_string(positional) + " argument" +
                  (positional == 1 ? "" : "s") + ", got " + std::to_string(pos);
      if (problem.empty()) {
        c->builtin = &sig;
        checkConstantPattern(c, sig);
        return substitute(sig.result, bound, *T_);
      }
      if (firstProblem.empty()) {
        firstProblem = problem;
        problemRange = where;
      }
    }
    if (sigs.size() == 1) {
      diags().error(problemRange, firstProblem);
      diags().note(c->callee->range, shown + sigs.front().signature);
    } else {
      std::string args;
      for (auto& a : c->args) args += (args.empty() ? "" : ", ") + typeName(a.value->type);
      diags().error(c->range, "no form of '" + shown + "' takes (" + args + ")");
      for (const auto& sig : sigs) diags().note(c->callee->range, "candidate: " + shown + sig.signature);
    }
    return T_->error();
  }

  /// A constant regular expression is compiled now, so a typo in it is a compile error.
  void checkConstantPattern(CallExpr* c, const BuiltinSig& sig) {
    if (sig.scope != 0 || sig.params.size() < 2 || sig.params[1].name != "pattern" || c->args.size() < 2) return;
    const Expr* pattern = c->args[1].value.get();
    auto constant = evaluateConstant(pattern);
    if (!constant || constant->kind != Constant::String) return;
    if (auto problem = regexProblem(constant->s))
      diags().error(pattern->range, "invalid regular expression: " + *problem);
  }

  SemaContext* s_ = nullptr;
  TypeContext* T_ = nullptr;
  FnDecl* fn_ = nullptr;
  std::map<Decl*, std::map<std::string, std::pair<const Type*, SourceRange>>> sinkSchemas_;
};

}  // namespace

const char* binaryOpSpelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Coalesce: return "??";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::In: return "in";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
  }
  return "?";
}

std::unique_ptr<Pass> createTypeCheckPass() { return std::make_unique<TypeCheckPass>(); }

}  // namespace mx
