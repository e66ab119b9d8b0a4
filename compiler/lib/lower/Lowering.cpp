// Lowering.cpp — analysed AST → state IR (see StateIR.h).
//
// One FunctionLowering per agent, fn and task initializer. Expressions lower to a slot holding
// their value: names of locals and task fields lower to their own slot (no copy), everything
// else to a fresh temp. Statements thread a "current block"; an await ends it with Op::Await and
// opens the resume block. Order of evaluation: left to right; for assignments the right-hand side
// first (so `t.xs[i] = await ...` indexes after the call returns).
#include <map>

#include "SpillAnalysis.h"
#include "mx/Assert.h"
#include "mx/compiler/Sema.h"
#include "mx/compiler/StateIR.h"
#include "mx/stdlib/Builtins.h"

namespace mx::ir {
namespace {

/// Module-wide tables shared by every function being lowered.
struct ModuleState {
  SemaContext& sema;
  const SourceFile& file;
  Module& module;
  std::map<std::vector<std::string>, uint32_t> shapeIds;
  std::map<const Decl*, uint32_t> agentIndex, fnIndex, resourceIndex;
  std::map<const BuiltinSig*, uint32_t> builtinIndex;

  uint32_t loc(SourceRange r) {
    LineCol lc = file.lineCol(r.begin);
    module.locations.push_back({lc.line, lc.col});
    return static_cast<uint32_t>(module.locations.size() - 1);
  }
  uint32_t shape(std::vector<std::string> names) {
    auto [it, fresh] = shapeIds.emplace(names, static_cast<uint32_t>(module.shapes.size()));
    if (fresh) module.shapes.push_back(std::move(names));
    return it->second;
  }
  uint32_t shapeOf(const Type* record) {
    std::vector<std::string> names;
    for (const auto& f : record->fields) names.push_back(f.name);
    return shape(std::move(names));
  }
};

class FunctionLowering {
 public:
  FunctionLowering(ModuleState& m, Function& f) : m_(m), f_(f) {
    f_.blocks.emplace_back();
    f_.resumeBlocks.push_back(0);
  }

  // ------------------------------------------------------------------------ entry points

  void agent(const AgentDecl& a) {
    task_ = a.task;
    f_.fieldCount = a.task ? static_cast<uint32_t>(a.task->fields.size()) : 0;
    spills_ = analyzeSpills(a);
    block(a.body.get());
    if (!terminated()) emit({Op::Done});  // unreachable after sema; keeps the IR well-formed
  }

  void fn(const FnDecl& fn) {
    f_.paramCount = static_cast<uint32_t>(fn.params.size());
    for (size_t i = 0; i < fn.params.size(); ++i) slots_[fn.locals[i].get()] = newTemp();
    block(fn.body.get());
    if (!terminated()) emit({Op::Return});
  }

  void taskInit(const TaskDecl& t) {
    task_ = &t;
    f_.fieldCount = static_cast<uint32_t>(t.fields.size());
    f_.paramCount = 1;
    row_ = newTemp();  // the input row
    for (size_t i = 0; i < t.fields.size(); ++i) {
      const FieldDecl& field = t.fields[i];
      Slot dst = Slot::frame(static_cast<uint32_t>(i));
      if (!field.init) {
        zero(dst, field.type);
        continue;
      }
      Slot v = expr(field.init.get());
      const Type* from = field.init->type;
      if (from->is(TypeKind::Json) || (from->is(TypeKind::Optional) && from->elem->is(TypeKind::Json))) {
        Inst c{Op::Convert};
        c.dst = dst;
        c.a = v;
        c.str = typeName(field.type);  // the runtime converts element by element from the type's text
        c.keys = {field.name};
        c.loc = m_.loc(field.init->range);
        emit(c);
      } else {
        store(dst, v, from, field.type);
      }
    }
    emit({Op::Done});
  }

 private:
  // ---------------------------------------------------------------------------- plumbing

  Block& cur() { return f_.blocks[current_]; }
  bool terminated() { return !cur().insts.empty() && cur().insts.back().isTerminator(); }
  void emit(Inst i) {
    if (terminated()) startBlock(newBlock());  // code after a terminator: unreachable but valid
    cur().insts.push_back(std::move(i));
  }
  uint32_t newBlock() {
    f_.blocks.emplace_back();
    return static_cast<uint32_t>(f_.blocks.size() - 1);
  }
  void startBlock(uint32_t b) { current_ = b; }
  void jump(uint32_t target) {
    if (terminated()) return;
    Inst j{Op::Jump};
    j.target = target;
    emit(j);
  }
  Slot newTemp() { return Slot::temp(f_.tempCount++); }
  /// A temp that is never written: temps start as none in every step, so it always reads none.
  Slot noneSlot() {
    if (!none_.valid()) none_ = newTemp();
    return none_;
  }
  Slot newSpill(const std::string& name) {
    f_.spillNames.push_back(name);
    return Slot::frame(f_.fieldCount + f_.spillCount++);
  }

  Slot localSlot(const LocalVar* v) {
    auto it = slots_.find(v);
    if (it != slots_.end()) return it->second;
    Slot s = spills_.spilled.count(v) ? newSpill(v->name) : newTemp();
    slots_[v] = s;
    return s;
  }

  Slot fieldSlot(const std::string& name) {
    for (size_t i = 0; i < task_->fields.size(); ++i)
      if (task_->fields[i].name == name) return Slot::frame(static_cast<uint32_t>(i));
    MX_ASSERT(false, "sema admitted an unknown task field");
    return {};
  }

  /// slot += 1 (loop indices and bound counters).
  void increment(Slot slot) {
    Slot one = newTemp();
    constInt(one, 1);
    Inst inc{Op::Binary};
    inc.dst = slot;
    inc.a = slot;
    inc.b = one;
    inc.imm = static_cast<int64_t>(BinaryOp::Add);
    emit(inc);
  }

  void constInt(Slot dst, int64_t v) {
    Inst i{Op::ConstInt};
    i.dst = dst;
    i.imm = v;
    emit(i);
  }

  /// The zero value of a type (fields without a default).
  void zero(Slot dst, const Type* t) {
    switch (t->kind) {
      case TypeKind::Int: constInt(dst, 0); return;
      case TypeKind::Float: { Inst i{Op::ConstFloat}; i.dst = dst; emit(i); return; }
      case TypeKind::Bool: { Inst i{Op::ConstBool}; i.dst = dst; emit(i); return; }
      case TypeKind::String: { Inst i{Op::ConstStr}; i.dst = dst; emit(i); return; }
      case TypeKind::List: { Inst i{Op::MakeList}; i.dst = dst; emit(i); return; }
      case TypeKind::Map: { Inst i{Op::MakeMap}; i.dst = dst; emit(i); return; }
      case TypeKind::Record: {
        Inst i{Op::MakeRecord};
        i.dst = dst;
        i.imm = m_.shapeOf(t);
        for (const auto& f : t->fields) {
          Slot s = newTemp();
          zero(s, f.type);
          i.args.push_back(s);
        }
        emit(i);
        return;
      }
      default: { Inst i{Op::ConstNone}; i.dst = dst; emit(i); return; }
    }
  }

  /// Copies `v` into `dst`, converting int → float where the destination is a float.
  void store(Slot dst, Slot v, const Type* from, const Type* to) {
    const Type* target = to && to->is(TypeKind::Optional) ? to->elem : to;
    if (from && target && from->is(TypeKind::Int) && target->is(TypeKind::Float)) {
      Inst c{Op::Convert};
      c.dst = dst;
      c.a = v;
      c.str = "float";
      c.keys = {"value"};
      emit(c);
      return;
    }
    if (dst == v) return;
    Inst c{Op::Copy};
    c.dst = dst;
    c.a = v;
    emit(c);
  }

  // --------------------------------------------------------------------------- statements

  void block(const BlockStmt* b) {
    for (const auto& s : b->stmts) stmt(s.get());
  }

  void stmt(const Stmt* s) {
    switch (s->kind) {
      case StmtKind::Block: block(static_cast<const BlockStmt*>(s)); return;
      case StmtKind::Let: {
        auto* l = static_cast<const LetStmt*>(s);
        Slot v = expr(l->init.get());
        store(localSlot(l->local), v, l->init->type, l->local->type);
        return;
      }
      case StmtKind::LetTuple: {
        auto* l = static_cast<const LetTupleStmt*>(s);
        awaitAll(static_cast<const AwaitExpr*>(l->init.get()), l->locals);
        return;
      }
      case StmtKind::Assign: assign(static_cast<const AssignStmt*>(s)); return;
      case StmtKind::If: {
        auto* i = static_cast<const IfStmt*>(s);
        Slot c = expr(i->cond.get());
        uint32_t thenB = newBlock(), elseB = newBlock(), join = i->elseStmt ? newBlock() : elseB;
        branch(c, thenB, elseB);
        startBlock(thenB);
        block(i->thenBlock.get());
        jump(join);
        if (i->elseStmt) {
          startBlock(elseB);
          stmt(i->elseStmt.get());
          jump(join);
        }
        startBlock(join);
        return;
      }
      case StmtKind::For: forLoop(static_cast<const ForStmt*>(s)); return;
      case StmtKind::While: whileLoop(static_cast<const WhileStmt*>(s)); return;
      case StmtKind::Break: jump(loops_.back().exit); return;
      case StmtKind::Continue: jump(loops_.back().next); return;
      case StmtKind::Goto: {
        Inst g{Op::Goto};
        g.imm = m_.agentIndex.at(static_cast<const GotoStmt*>(s)->agent);
        g.str = static_cast<const GotoStmt*>(s)->target;
        emit(g);
        return;
      }
      case StmtKind::Done: emit({Op::Done}); return;
      case StmtKind::Fail: {
        auto* f = static_cast<const FailStmt*>(s);
        Inst i{Op::Fail};
        i.a = expr(f->reason.get());
        i.loc = m_.loc(f->range);
        emit(i);
        return;
      }
      case StmtKind::Emit: {
        auto* e = static_cast<const EmitStmt*>(s);
        Inst i{Op::Emit};
        i.a = expr(e->record.get());
        i.imm = m_.resourceIndex.at(e->sinkDecl);
        i.str = e->sink;
        i.loc = m_.loc(e->range);
        emit(i);
        return;
      }
      case StmtKind::Return: {
        auto* r = static_cast<const ReturnStmt*>(s);
        Inst i{Op::Return};
        if (r->value) {
          Slot v = expr(r->value.get());
          const Type* want = static_cast<const FnDecl*>(f_.decl)->returnType;
          if (want && want->is(TypeKind::Float) && r->value->type->is(TypeKind::Int)) {
            Slot c = newTemp();
            store(c, v, r->value->type, want);
            v = c;
          }
          i.a = v;
        }
        emit(i);
        return;
      }
      case StmtKind::ExprStmt: {
        auto* e = static_cast<const ExprStmt*>(s);
        expr(e->expr.get());
        return;
      }
    }
  }

  void branch(Slot cond, uint32_t t, uint32_t f) {
    Inst b{Op::Branch};
    b.a = cond;
    b.target = t;
    b.target2 = f;
    emit(b);
  }

  struct LoopTargets {
    uint32_t next, exit;
  };

  /// for x in xs: hidden iterable and index slots, spilled when the body awaits.
  void forLoop(const ForStmt* f) {
    bool spill = spills_.loopsWithAwait.count(f) > 0;
    Slot iterable = spill ? newSpill("for." + f->var + ".iterable") : newTemp();
    Slot index = spill ? newSpill("for." + f->var + ".index") : newTemp();
    Slot v = expr(f->iterable.get());
    store(iterable, v, nullptr, nullptr);
    constInt(index, 0);
    uint32_t head = newBlock(), body = newBlock(), next = newBlock(), exit = newBlock();
    jump(head);
    startBlock(head);
    Inst it{Op::IterNext};
    it.dst = newTemp();
    it.a = iterable;
    it.b = index;
    // `for x in list` gives elements; `for k, v in map` keys and values; `for k in map` keys.
    Slot first = localSlot(f->local);
    Slot second = f->local2 ? localSlot(f->local2) : newTemp();
    bool keyed = f->iterable->type->is(TypeKind::Map) ||
                 (f->iterable->type->is(TypeKind::Json) && f->local2);
    if (keyed) it.args = {second, first};
    else it.args = {first, newTemp()};
    Slot more = it.dst;
    emit(it);
    branch(more, body, exit);
    startBlock(body);
    loops_.push_back({next, exit});
    block(f->body.get());
    loops_.pop_back();
    jump(next);
    startBlock(next);
    increment(index);
    jump(head);
    startBlock(exit);
  }

  /// while c max N: a hidden counter checked against the bound on every iteration.
  void whileLoop(const WhileStmt* w) {
    bool spill = spills_.loopsWithAwait.count(w) > 0;
    Slot counter = spill ? newSpill("while.count") : newTemp();
    constInt(counter, 0);
    uint32_t head = newBlock(), body = newBlock(), exit = newBlock();
    jump(head);
    startBlock(head);
    Slot c = expr(w->cond.get());
    branch(c, body, exit);
    startBlock(body);
    increment(counter);
    Inst bound{Op::LoopBound};
    bound.a = counter;
    bound.b = expr(w->bound.get());
    bound.loc = m_.loc(w->range);
    emit(bound);
    loops_.push_back({head, exit});
    block(w->body.get());
    loops_.pop_back();
    jump(head);
    startBlock(exit);
  }

  // -------------------------------------------------------------------------- assignment

  /// One step of an lvalue path: `.field` (record), `[index]` or `.key` on json.
  struct PathStep {
    enum { Field, Index, JsonKey, JsonIndex } kind;
    uint32_t field = 0;
    Slot index;
    std::string key;
    uint32_t loc = 0;
  };

  void assign(const AssignStmt* a) {
    Slot value = expr(a->value.get());  // right-hand side first: it may await
    std::vector<PathStep> path;
    Slot root = lvalue(a->target.get(), path);
    const Type* targetType = a->target->type;
    if (a->op == AssignOp::Set) {
      Slot v = value;
      if (targetType->is(TypeKind::Float) && a->value->type->is(TypeKind::Int)) {
        v = newTemp();
        store(v, value, a->value->type, targetType);
      }
      writePath(root, path, 0, v);
      return;
    }
    // Compound: read the current value, combine, write back. A plain slot is updated in place,
    // so `t.log += m` appends without copying the list (copy-on-write sees one owner).
    Slot current = readPath(root, path);
    Slot result = path.empty() ? root : newTemp();
    if (a->op == AssignOp::Add && targetType->is(TypeKind::List)) {
      store(result, current, nullptr, nullptr);
      bool extend = a->value->type->is(TypeKind::List) && !isAssignable(a->value->type, targetType->elem);
      Inst i{extend ? Op::Extend : Op::Append};
      i.dst = result;
      i.a = value;
      emit(i);
    } else {
      static const BinaryOp ops[] = {BinaryOp::Add, BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div};
      Inst i{Op::Binary};
      i.dst = result;
      i.a = current;
      i.b = value;
      i.imm = static_cast<int64_t>(ops[static_cast<int>(a->op)]);
      i.loc = m_.loc(a->range);
      emit(i);
    }
    if (!path.empty()) writePath(root, path, 0, result);
  }

  /// Resolves an assignable expression to its root slot and the steps below it.
  Slot lvalue(const Expr* e, std::vector<PathStep>& path) {
    if (auto* n = as<NameExpr>(e)) return localSlot(n->local);
    if (auto* m = as<MemberExpr>(e)) {
      if (auto* n = as<NameExpr>(m->base.get()); n && n->symbol == SymbolKind::TaskParam)
        return fieldSlot(m->member);
      Slot root = lvalue(m->base.get(), path);
      PathStep step{};
      if (m->base->type->is(TypeKind::Json)) {
        step.kind = PathStep::JsonKey;
        step.key = m->member;
      } else {
        step.kind = PathStep::Field;
        step.field = fieldIndex(m->base->type, m->member);
      }
      path.push_back(step);
      return root;
    }
    auto* i = as<IndexExpr>(e);
    MX_ASSERT(i, "sema admitted a non-assignable target");
    Slot root = lvalue(i->base.get(), path);
    PathStep step{};
    step.kind = PathStep::Index;
    step.index = expr(i->index.get());
    step.loc = m_.loc(i->range);
    path.push_back(step);
    return root;
  }

  static uint32_t fieldIndex(const Type* record, const std::string& name) {
    for (size_t k = 0; k < record->fields.size(); ++k)
      if (record->fields[k].name == name) return static_cast<uint32_t>(k);
    MX_ASSERT(false, "unknown record field after sema");
    return 0;
  }

  Slot readStep(Slot base, const PathStep& step) {
    Slot out = newTemp();
    static const Op ops[] = {Op::FieldGet, Op::IndexGet, Op::JsonMember, Op::JsonIndex};
    Inst i{ops[step.kind]};
    i.dst = out;
    i.a = base;
    i.imm = step.field;
    i.b = step.index;
    i.str = step.key;
    i.loc = step.loc;
    emit(i);
    return out;
  }

  Slot readPath(Slot root, const std::vector<PathStep>& path) {
    Slot s = root;
    for (const auto& step : path) s = readStep(s, step);
    return s;
  }

  /// root.path[k..] = value, writing modified intermediates back up the chain.
  void writePath(Slot root, const std::vector<PathStep>& path, size_t k, Slot value) {
    if (k == path.size()) {
      store(root, value, nullptr, nullptr);
      return;
    }
    const PathStep& step = path[k];
    Slot target = value;
    if (k + 1 < path.size()) {
      target = readStep(root, step);
      writePath(target, path, k + 1, value);
    }
    Inst i{step.kind == PathStep::Field ? Op::FieldSet : Op::IndexSet};
    i.dst = root;
    i.imm = step.field;
    if (step.kind == PathStep::Field) {
      i.a = target;
    } else {
      i.a = step.index;
      if (step.kind == PathStep::JsonKey) {
        i.a = newTemp();
        Inst k2{Op::ConstStr};
        k2.dst = i.a;
        k2.str = step.key;
        emit(k2);
      }
      i.b = target;
    }
    i.loc = step.loc;
    emit(i);
  }

  // -------------------------------------------------------------------------- expressions

  Slot expr(const Expr* e) {
    switch (e->kind) {
      case ExprKind::Int: { Slot d = newTemp(); constInt(d, static_cast<const IntExpr*>(e)->value); return d; }
      case ExprKind::Float: {
        Inst i{Op::ConstFloat};
        i.dst = newTemp();
        i.fimm = static_cast<const FloatExpr*>(e)->value;
        emit(i);
        return i.dst;
      }
      case ExprKind::Bool: {
        Inst i{Op::ConstBool};
        i.dst = newTemp();
        i.imm = static_cast<const BoolExpr*>(e)->value;
        emit(i);
        return i.dst;
      }
      case ExprKind::None: { Inst i{Op::ConstNone}; i.dst = newTemp(); emit(i); return i.dst; }
      case ExprKind::String: return string(static_cast<const StringExpr*>(e));
      case ExprKind::Name: return name(static_cast<const NameExpr*>(e));
      case ExprKind::Member: {
        auto* m = static_cast<const MemberExpr*>(e);
        if (auto* n = as<NameExpr>(m->base.get()); n && n->symbol == SymbolKind::TaskParam) return fieldSlot(m->member);
        Slot base = expr(m->base.get());
        PathStep step{};
        if (m->base->type->is(TypeKind::Json)) {
          step.kind = PathStep::JsonKey;
          step.key = m->member;
        } else {
          step.kind = PathStep::Field;
          step.field = fieldIndex(m->base->type, m->member);
        }
        return readStep(base, step);
      }
      case ExprKind::Index: {
        auto* i = static_cast<const IndexExpr*>(e);
        Slot base = expr(i->base.get());
        PathStep step{};
        step.kind = i->base->type->is(TypeKind::Json) ? PathStep::JsonIndex : PathStep::Index;
        step.index = expr(i->index.get());
        step.loc = m_.loc(i->range);
        return readStep(base, step);
      }
      case ExprKind::Call: return call(static_cast<const CallExpr*>(e));
      case ExprKind::Await: return awaitOne(static_cast<const AwaitExpr*>(e));
      case ExprKind::Unary: {
        auto* u = static_cast<const UnaryExpr*>(e);
        Inst i{Op::Unary};
        i.a = expr(u->operand.get());
        i.dst = newTemp();
        i.imm = static_cast<int64_t>(u->op);
        i.loc = m_.loc(u->range);
        emit(i);
        return i.dst;
      }
      case ExprKind::Binary: return binary(static_cast<const BinaryExpr*>(e));
      case ExprKind::Conditional: {
        auto* c = static_cast<const ConditionalExpr*>(e);
        Slot out = newTemp();
        Slot cond = expr(c->cond.get());
        uint32_t t = newBlock(), f = newBlock(), join = newBlock();
        branch(cond, t, f);
        startBlock(t);
        store(out, expr(c->thenExpr.get()), c->thenExpr->type, e->type);
        jump(join);
        startBlock(f);
        store(out, expr(c->elseExpr.get()), c->elseExpr->type, e->type);
        jump(join);
        startBlock(join);
        return out;
      }
      case ExprKind::List: {
        auto* l = static_cast<const ListExpr*>(e);
        Inst i{Op::MakeList};
        for (const auto& x : l->elements) {
          Slot v = expr(x.get());
          if (e->type->elem->is(TypeKind::Float) && x->type->is(TypeKind::Int)) {
            Slot c = newTemp();
            store(c, v, x->type, e->type->elem);
            v = c;
          }
          i.args.push_back(v);
        }
        i.dst = newTemp();
        emit(i);
        return i.dst;
      }
      case ExprKind::Record: {
        auto* r = static_cast<const RecordExpr*>(e);
        Inst i{r->isMap() ? Op::MakeMap : Op::MakeRecord};
        std::vector<std::string> names;
        for (const auto& entry : r->entries) {
          i.args.push_back(expr(entry.value.get()));
          names.push_back(entry.key);
        }
        if (r->isMap()) i.keys = names;
        else i.imm = m_.shape(names);
        i.dst = newTemp();
        emit(i);
        return i.dst;
      }
      case ExprKind::Error: break;
    }
    MX_ASSERT(false, "lowering an expression sema rejected");
    return {};
  }

  Slot string(const StringExpr* s) {
    if (s->parts.size() == 1 && !s->parts[0].expr) {
      Inst i{Op::ConstStr};
      i.dst = newTemp();
      i.str = s->parts[0].text;
      emit(i);
      return i.dst;
    }
    Inst cat{Op::Concat};
    for (const auto& p : s->parts) {
      if (p.expr) {
        cat.args.push_back(expr(p.expr.get()));
      } else {
        Inst c{Op::ConstStr};
        c.dst = newTemp();
        c.str = p.text;
        emit(c);
        cat.args.push_back(c.dst);
      }
    }
    cat.dst = newTemp();
    emit(cat);
    return cat.dst;
  }

  Slot name(const NameExpr* n) {
    switch (n->symbol) {
      case SymbolKind::Local: return localSlot(n->local);
      case SymbolKind::Row: return row_;
      case SymbolKind::Model: case SymbolKind::Tools: case SymbolKind::Sink: case SymbolKind::Source: {
        // A declaration passed as an argument (`tools: shop`) travels as its resource index.
        Slot d = newTemp();
        constInt(d, m_.resourceIndex.at(n->decl));
        return d;
      }
      case SymbolKind::TaskParam: {  // the task as a record value: its fields in order
        Inst i{Op::MakeRecord};
        i.imm = m_.shapeOf(task_->type);
        for (size_t k = 0; k < task_->fields.size(); ++k) i.args.push_back(Slot::frame(static_cast<uint32_t>(k)));
        i.dst = newTemp();
        emit(i);
        return i.dst;
      }
      default: break;
    }
    MX_ASSERT(false, "a name that is not a value reached lowering");
    return {};
  }

  Slot binary(const BinaryExpr* b) {
    Slot out = newTemp();
    if (b->op == BinaryOp::And || b->op == BinaryOp::Or || b->op == BinaryOp::Coalesce) {
      // Short-circuit: the right side runs only when the left doesn't decide.
      Slot l = expr(b->lhs.get());
      store(out, l, b->lhs->type, b->type);
      uint32_t rhsB = newBlock(), join = newBlock();
      if (b->op == BinaryOp::Coalesce) {
        Inst isNone{Op::Binary};
        isNone.dst = newTemp();
        isNone.a = l;
        Inst none{Op::ConstNone};
        none.dst = newTemp();
        emit(none);
        isNone.b = none.dst;
        isNone.imm = static_cast<int64_t>(BinaryOp::Eq);
        emit(isNone);
        branch(isNone.dst, rhsB, join);
      } else if (b->op == BinaryOp::And) {
        branch(l, rhsB, join);
      } else {
        branch(l, join, rhsB);
      }
      startBlock(rhsB);
      store(out, expr(b->rhs.get()), b->rhs->type, b->type);
      jump(join);
      startBlock(join);
      return out;
    }
    Inst i{Op::Binary};
    i.a = expr(b->lhs.get());
    i.b = expr(b->rhs.get());
    i.dst = out;
    i.imm = static_cast<int64_t>(b->op);
    i.loc = m_.loc(b->opRange);
    emit(i);
    return out;
  }

  /// Arguments in signature order: positional, then keyword (absent ones none).
  std::vector<Slot> arguments(const CallExpr* c, const BuiltinSig* sig) {
    std::vector<Slot> args;
    if (!sig) {
      for (const auto& a : c->args) args.push_back(expr(a.value.get()));
      return args;
    }
    std::vector<Slot> values(c->args.size());
    for (size_t k = 0; k < c->args.size(); ++k) values[k] = expr(c->args[k].value.get());
    size_t positional = 0;
    for (const auto& p : sig->params) {
      Slot s;
      if (!p.keyword) {
        s = values[positional++];
      } else {
        for (size_t k = 0; k < c->args.size(); ++k)
          if (c->args[k].name == p.name) s = values[k];
        if (!s.valid()) s = noneSlot();
      }
      args.push_back(s);
    }
    return args;
  }

  Slot call(const CallExpr* c) {
    Inst i{Op::Builtin};
    i.loc = m_.loc(c->range);
    if (c->target == CallTarget::Fn) {
      i.op = Op::CallFn;
      auto* fn = static_cast<const FnDecl*>(static_cast<const NameExpr*>(c->callee.get())->decl);
      i.imm = m_.fnIndex.at(fn);
      i.str = fn->name;
      for (size_t k = 0; k < c->args.size(); ++k) {
        Slot v = expr(c->args[k].value.get());
        const Type* want = fn->locals[k]->type;
        if (want && want->is(TypeKind::Float) && c->args[k].value->type->is(TypeKind::Int)) {
          Slot conv = newTemp();
          store(conv, v, c->args[k].value->type, want);
          v = conv;
        }
        i.args.push_back(v);
      }
    } else {
      MX_ASSERT(c->builtin, "a call without a resolved built-in reached lowering");
      i.imm = m_.builtinIndex.at(c->builtin);
      i.str = c->builtin->name;
      i.args = arguments(c, c->builtin);
      if (c->builtin->scope == static_cast<int>(stdlib::BuiltinScope::Tools)) {
        // A synchronous tools method (describe, matches) runs on its declaration's provider:
        // the resource index travels as an extra first argument.
        auto* member = static_cast<const MemberExpr*>(c->callee.get());
        Slot resource = newTemp();
        constInt(resource, m_.resourceIndex.at(static_cast<const NameExpr*>(member->base.get())->decl));
        i.args.insert(i.args.begin(), resource);
      }
    }
    i.dst = newTemp();
    emit(i);
    return i.dst;
  }

  /// Starts one model/tool call of an await as result `slot`.
  void startCall(const CallExpr* c, uint32_t slot) {
    auto* m = static_cast<const MemberExpr*>(c->callee.get());
    auto* base = static_cast<const NameExpr*>(m->base.get());
    Inst i{Op::AwaitCall};
    i.imm = m_.builtinIndex.at(c->builtin);
    i.imm2 = m_.resourceIndex.at(base->decl);
    i.imm3 = slot;
    i.str = base->name + "." + m->member;
    i.args = arguments(c, c->builtin);
    i.loc = m_.loc(c->range);
    emit(i);
  }

  uint32_t suspend() {
    Inst a{Op::Await};
    uint32_t resume = newBlock();
    a.imm = static_cast<int64_t>(f_.resumeBlocks.size());
    a.target = resume;
    f_.resumeBlocks.push_back(resume);
    emit(a);
    startBlock(resume);
    return resume;
  }

  Slot awaitOne(const AwaitExpr* a) {
    startCall(static_cast<const CallExpr*>(a->operand.get()), 0);
    suspend();
    Inst r{Op::AwaitResult};
    r.dst = newTemp();
    r.imm = 0;
    emit(r);
    return r.dst;
  }

  void awaitAll(const AwaitExpr* a, const std::vector<LocalVar*>& targets) {
    auto* all = static_cast<const CallExpr*>(a->operand.get());
    for (size_t k = 0; k < all->args.size(); ++k)
      startCall(static_cast<const CallExpr*>(all->args[k].value.get()), static_cast<uint32_t>(k));
    suspend();
    for (size_t k = 0; k < targets.size(); ++k) {
      Inst r{Op::AwaitResult};
      r.dst = localSlot(targets[k]);
      r.imm = static_cast<int64_t>(k);
      emit(r);
    }
  }

  ModuleState& m_;
  Function& f_;
  uint32_t current_ = 0;
  const TaskDecl* task_ = nullptr;
  Slot row_;
  Slot none_;
  SpillInfo spills_;
  std::map<const LocalVar*, Slot> slots_;
  std::vector<LoopTargets> loops_;
};

}  // namespace

bool Inst::isFallible() const {
  switch (op) {
    case Op::Binary: case Op::Unary: case Op::Builtin: case Op::CallFn: case Op::IndexGet:
    case Op::IndexSet: case Op::LoopBound: case Op::Emit: case Op::Convert:
      return true;
    default: return false;
  }
}

Module lower(SemaContext& sema, const SourceFile& file) {
  Module module;
  module.locations.push_back({0, 0});
  ModuleState state{sema, file, module};
  for (size_t i = 0; i < sema.agents.size(); ++i) state.agentIndex[sema.agents[i]] = static_cast<uint32_t>(i);
  for (size_t i = 0; i < sema.fns.size(); ++i) state.fnIndex[sema.fns[i]] = static_cast<uint32_t>(i);
  for (size_t i = 0; i < sema.resources.size(); ++i) state.resourceIndex[sema.resources[i]] = static_cast<uint32_t>(i);
  const auto& all = sema.builtins.all();
  // Built-in ids are positions in stdlib::builtinSpecs(); the registry keeps them in that order.
  for (size_t i = 0; i < all.size(); ++i) {
    const auto* overloads = sema.builtins.lookup(all[i].scope, all[i].name);
    for (const auto& sig : *overloads)
      if (sig.signature == all[i].signature) state.builtinIndex[&sig] = static_cast<uint32_t>(i);
  }

  // Every function exists before any is lowered: calls refer to fns by index.
  auto add = [&](Function::Kind kind, const Decl* d) {
    module.functions.emplace_back();
    module.functions.back().kind = kind;
    module.functions.back().name = d->name;
    module.functions.back().decl = d;
  };
  for (AgentDecl* a : sema.agents) add(Function::Agent, a);
  for (FnDecl* fn : sema.fns) add(Function::Fn, fn);
  for (TaskDecl* t : sema.tasks) add(Function::TaskInit, t);
  size_t k = 0;
  for (AgentDecl* a : sema.agents) FunctionLowering(state, module.functions[k++]).agent(*a);
  for (FnDecl* fn : sema.fns) FunctionLowering(state, module.functions[k++]).fn(*fn);
  for (TaskDecl* t : sema.tasks) FunctionLowering(state, module.functions[k++]).taskInit(*t);
  return module;
}

}  // namespace mx::ir
