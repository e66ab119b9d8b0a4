// NameResolutionPass.cpp — binds every name to what it means.
//
// Scopes: a block's `let`s are visible after the let to the end of the block; `for` variables
// inside the loop body; parameters in the whole body. Then the top-level declarations, then the
// built-ins. `row` means the input row, only in the fields of a task bound to a source.
#include <map>

#include "AstWalk.h"
#include "Suggest.h"
#include "mx/compiler/Passes.h"
#include "mx/compiler/Sema.h"

namespace mx {
namespace {

class NameResolutionPass : public Pass {
 public:
  const char* name() const override { return "names"; }

  void run(SemaContext& sema) override {
    s_ = &sema;
    for (TaskDecl* t : sema.tasks) {
      rowAllowed_ = t->sourceDecl != nullptr;
      rowTask_ = t;
      for (auto& f : t->fields)
        if (f.init) expr(f.init.get());
      rowTask_ = nullptr;
    }
    rowAllowed_ = false;
    for (AgentDecl* a : sema.agents) callable(*a, true);
    for (FnDecl* f : sema.fns) callable(*f, false);
  }

 private:
  using Scope = std::map<std::string, LocalVar*>;

  void callable(CallableDecl& c, bool isAgent) {
    owner_ = &c;
    scopes_.assign(1, {});
    for (const Param& p : c.params) declare(p.name, p.nameRange, "parameter");
    isAgent_ = isAgent;
    block(c.body.get());
    scopes_.clear();
  }

  LocalVar* declare(const std::string& name, SourceRange range, const char* what = nullptr) {
    auto local = std::make_unique<LocalVar>();
    local->name = name;
    local->range = range;
    LocalVar* raw = local.get();
    owner_->locals.push_back(std::move(local));
    auto [it, fresh] = scopes_.back().emplace(name, raw);
    if (!fresh) {
      s_->diags.error(range, what ? std::string(what) + " '" + name + "' is declared twice"
                                  : "redefinition of '" + name + "' in the same block");
      s_->diags.note(it->second->range, "previous definition is here");
      it->second = raw;
    } else if (s_->globals.count(name)) {
      s_->diags.warning(range, "'" + name + "' hides the " +
                                   declKindName(s_->globals[name]->kind) + " of the same name");
    }
    return raw;
  }

  void block(BlockStmt* b) {
    scopes_.emplace_back();
    for (auto& st : b->stmts) stmt(st.get());
    scopes_.pop_back();
  }

  void stmt(Stmt* s) {
    switch (s->kind) {
      case StmtKind::Block: block(static_cast<BlockStmt*>(s)); return;
      case StmtKind::Let: {
        auto* l = static_cast<LetStmt*>(s);
        expr(l->init.get());  // the initializer cannot see the name it defines
        l->local = declare(l->name, l->nameRange);
        return;
      }
      case StmtKind::LetTuple: {
        auto* l = static_cast<LetTupleStmt*>(s);
        expr(l->init.get());
        for (size_t i = 0; i < l->names.size(); ++i) l->locals.push_back(declare(l->names[i], l->nameRanges[i]));
        return;
      }
      case StmtKind::For: {
        auto* f = static_cast<ForStmt*>(s);
        expr(f->iterable.get());
        scopes_.emplace_back();
        f->local = declare(f->var, f->varRange);
        if (!f->var2.empty()) f->local2 = declare(f->var2, f->var2Range);
        block(f->body.get());
        scopes_.pop_back();
        return;
      }
      case StmtKind::Goto: {
        auto* g = static_cast<GotoStmt*>(s);
        auto it = s_->globals.find(g->target);
        if (it != s_->globals.end() && it->second->kind == DeclKind::Agent) {
          g->agent = it->second;
        } else {
          s_->diags.error(g->targetRange, it == s_->globals.end()
                                              ? "unknown agent '" + g->target + "'"
                                              : "'" + g->target + "' is " +
                                                    withArticle(declKindName(it->second->kind)) + ", not an agent");
          std::vector<std::string> names;
          for (AgentDecl* a : s_->agents) names.push_back(a->name);
          suggest(s_->diags, g->targetRange, g->target, names);
        }
        return;
      }
      case StmtKind::Emit: {
        auto* e = static_cast<EmitStmt*>(s);
        auto it = s_->globals.find(e->sink);
        if (it != s_->globals.end() && it->second->kind == DeclKind::Sink) {
          e->sinkDecl = it->second;
        } else {
          s_->diags.error(e->sinkRange, it == s_->globals.end()
                                            ? "unknown sink '" + e->sink + "'"
                                            : "'" + e->sink + "' is " +
                                                  withArticle(declKindName(it->second->kind)) + ", not a sink");
          std::vector<std::string> names;
          for (ResourceDecl* r : s_->resources)
            if (r->kind == DeclKind::Sink) names.push_back(r->name);
          suggest(s_->diags, e->sinkRange, e->sink, names);
        }
        expr(e->record.get());
        return;
      }
      default:
        forEachChild(s, [&](Stmt* c) { stmt(c); }, [&](Expr* e) { expr(e); });
    }
  }

  void expr(Expr* e) {
    if (auto* n = as<NameExpr>(e)) {
      resolve(*n);
      return;
    }
    forEachChildExpr(e, [&](Expr* c) { expr(c); });
  }

  void resolve(NameExpr& n) {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto found = it->find(n.name);
      if (found != it->end()) {
        n.local = found->second;
        n.symbol = isAgent_ && n.local == owner_->locals.front().get() ? SymbolKind::TaskParam
                                                                      : SymbolKind::Local;
        return;
      }
    }
    if (n.name == "row") {
      if (rowAllowed_) {
        n.symbol = SymbolKind::Row;
      } else {
        s_->diags.error(n.range, rowTask_ ? "'row' needs a source: write 'task " + rowTask_->name +
                                                " from SOURCE { ... }'"
                                          : std::string("'row' is only available in task field defaults"));
      }
      return;
    }
    if (auto it = s_->globals.find(n.name); it != s_->globals.end()) {
      Decl* d = it->second;
      n.decl = d;
      switch (d->kind) {
        case DeclKind::Fn: n.symbol = SymbolKind::Fn; return;
        case DeclKind::Model: n.symbol = SymbolKind::Model; return;
        case DeclKind::Tools: n.symbol = SymbolKind::Tools; return;
        case DeclKind::Sink: n.symbol = SymbolKind::Sink; return;
        case DeclKind::Source: n.symbol = SymbolKind::Source; return;
        default:
          s_->diags.error(n.range, "'" + n.name + "' is " + withArticle(declKindName(d->kind)) +
                                       (d->kind == DeclKind::Agent ? "; use 'goto " + n.name + "' to route a task there"
                                                                   : ", not a value"));
          return;
      }
    }
    if (s_->builtins.lookup(0, n.name)) {
      n.symbol = SymbolKind::Builtin;
      return;
    }
    s_->diags.error(n.range, "unknown name '" + n.name + "'");
    std::vector<std::string> names;
    for (auto& scope : scopes_)
      for (auto& [k, v] : scope) names.push_back(k);
    for (auto& [k, v] : s_->globals) names.push_back(k);
    for (const auto& b : s_->builtins.all())
      if (b.scope == 0) names.push_back(b.name);
    suggest(s_->diags, n.range, n.name, names);
  }

  SemaContext* s_ = nullptr;
  CallableDecl* owner_ = nullptr;
  std::vector<Scope> scopes_;
  bool isAgent_ = false;
  bool rowAllowed_ = false;
  TaskDecl* rowTask_ = nullptr;
};

}  // namespace

std::unique_ptr<Pass> createNameResolutionPass() { return std::make_unique<NameResolutionPass>(); }

}  // namespace mx
