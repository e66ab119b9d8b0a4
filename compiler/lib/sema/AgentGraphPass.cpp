// AgentGraphPass.cpp — the graph of agents that goto connects, and what it tells about fields.
//
// Warnings, not errors: an agent no pipeline reaches is dead code; a task field that has no
// default, is never assigned and is still read always holds its zero value, which is almost
// always a forgotten assignment or a misspelled column. Errors: a goto that hands a task to an
// agent of another task type.
#include <map>
#include <set>

#include "AstWalk.h"
#include "mx/compiler/Passes.h"
#include "mx/compiler/Sema.h"

namespace mx {
namespace {

class AgentGraphPass : public Pass {
 public:
  const char* name() const override { return "agent graph"; }

  void run(SemaContext& sema) override {
    s_ = &sema;
    for (AgentDecl* a : sema.agents) {
      current_ = a;
      stmt(a->body.get());
    }
    reachability();
    fieldsReadNeverSet();
  }

 private:
  void stmt(Stmt* s) {
    if (auto* g = as<GotoStmt>(s); g && g->agent) {
      auto* target = static_cast<AgentDecl*>(g->agent);
      edges_[current_].insert(target);
      if (current_->task && target->task && current_->task != target->task) {
        s_->diags.error(g->targetRange, "'goto " + target->name + "' hands " +
                                            withArticle("'" + current_->task->name + "'") +
                                            " task to an agent that takes " + withArticle("'" + target->task->name + "'"));
        s_->diags.note(target->nameRange, "'" + target->name + "' is declared here");
      }
    }
    if (auto* a = as<AssignStmt>(s)) {
      if (FieldDecl* f = rootField(a->target.get())) written_.insert(f);
      else expr(a->target.get());
      expr(a->value.get());
      return;
    }
    forEachChild(s, [&](Stmt* c) { stmt(c); }, [&](Expr* e) { expr(e); });
  }

  void expr(Expr* e) {
    if (auto* m = as<MemberExpr>(e)) {
      if (auto* n = as<NameExpr>(m->base.get()); n && n->symbol == SymbolKind::TaskParam && current_->task)
        if (const FieldDecl* f = current_->task->field(m->member))
          read_.emplace(const_cast<FieldDecl*>(f), m->memberRange);
    }
    forEachChildExpr(e, [&](Expr* c) { expr(c); });
  }

  /// The task field an assignment target is rooted at (`t.f`, `t.f[i]`, `t.f.g`), if any.
  FieldDecl* rootField(Expr* e) {
    while (true) {
      if (auto* i = as<IndexExpr>(e)) {
        expr(i->index.get());
        e = i->base.get();
        continue;
      }
      auto* m = as<MemberExpr>(e);
      if (!m) return nullptr;
      if (auto* n = as<NameExpr>(m->base.get()); n && n->symbol == SymbolKind::TaskParam) {
        if (!current_->task) return nullptr;
        return const_cast<FieldDecl*>(current_->task->field(m->member));
      }
      e = m->base.get();
    }
  }

  void reachability() {
    if (s_->pipelines.empty()) return;
    std::set<AgentDecl*> seen;
    std::vector<AgentDecl*> work;
    for (PipelineDecl* p : s_->pipelines)
      if (p->start && seen.insert(p->start).second) work.push_back(p->start);
    while (!work.empty()) {
      AgentDecl* a = work.back();
      work.pop_back();
      for (AgentDecl* next : edges_[a])
        if (seen.insert(next).second) work.push_back(next);
    }
    for (AgentDecl* a : s_->agents)
      if (!seen.count(a))
        s_->diags.warning(a->nameRange, "agent '" + a->name + "' is never reached from any pipeline's start");
  }

  void fieldsReadNeverSet() {
    for (TaskDecl* t : s_->tasks)
      for (auto& f : t->fields) {
        if (f.init || written_.count(&f)) continue;
        auto it = read_.find(&f);
        if (it == read_.end()) continue;
        s_->diags.warning(it->second, "field '" + f.name + "' is read but never set; it always holds its zero value");
        s_->diags.note(f.nameRange, "give it a default or assign it in an agent");
      }
  }

  SemaContext* s_ = nullptr;
  AgentDecl* current_ = nullptr;
  std::map<AgentDecl*, std::set<AgentDecl*>> edges_;
  std::set<FieldDecl*> written_;
  std::map<FieldDecl*, SourceRange> read_;  // first read of each field
};

}  // namespace

std::unique_ptr<Pass> createAgentGraphPass() { return std::make_unique<AgentGraphPass>(); }

}  // namespace mx
