// AstPrinter.cpp — the indented tree dumps behind --emit=ast and --emit=sema.
#include <ostream>

#include "mx/compiler/Printers.h"
#include "mx/compiler/Sema.h"
#include "mx/compiler/Types.h"

namespace mx {
namespace {

const char* symbolName(SymbolKind k) {
  switch (k) {
    case SymbolKind::Unresolved: return "unresolved";
    case SymbolKind::Local: return "local";
    case SymbolKind::TaskParam: return "task";
    case SymbolKind::Row: return "row";
    case SymbolKind::Fn: return "fn";
    case SymbolKind::Model: return "model";
    case SymbolKind::Tools: return "tools";
    case SymbolKind::Sink: return "sink";
    case SymbolKind::Source: return "source";
    case SymbolKind::Builtin: return "builtin";
  }
  return "?";
}

std::string quoted(const std::string& s) { return quoteForDump(s); }

std::string typeRefText(const TypeRef& t) {
  std::string s = t.name;
  if (!t.args.empty()) {
    s += "<";
    for (size_t i = 0; i < t.args.size(); ++i) s += (i ? ", " : "") + typeRefText(t.args[i]);
    s += ">";
  }
  return t.optional ? s + "?" : s;
}

class Printer {
 public:
  Printer(const SourceFile& file, std::ostream& out, bool types) : file_(file), out_(out), types_(types) {}

  void program(const Program& p) {
    line(0, "Program", {0, 0}, false);
    for (const auto& d : p.decls) decl(*d, 1);
  }

 private:
  void line(int depth, const std::string& text, SourceRange r, bool withLoc = true) {
    out_ << std::string(depth * 2, ' ') << text;
    if (withLoc) {
      LineCol lc = file_.lineCol(r.begin);
      out_ << " <" << lc.line << ':' << lc.col << '>';
    }
    out_ << '\n';
  }

  std::string typed(const Expr& e) {
    return types_ && e.type ? " : " + typeName(e.type) : "";
  }

  void options(const std::vector<Option>& opts, int depth) {
    for (const auto& o : opts) {
      line(depth, "Option " + o.key, o.keyRange);
      if (o.value) expr(*o.value, depth + 1);
    }
  }

  void decl(const Decl& d, int depth) {
    if (auto* r = asResource(const_cast<Decl*>(&d))) {
      line(depth, std::string(r->kind == DeclKind::Model ? "ModelDecl" : r->kind == DeclKind::Source ? "SourceDecl"
                              : r->kind == DeclKind::Sink ? "SinkDecl" : "ToolsDecl") +
                      " " + r->name + " = " + r->ctor,
           r->range);
      for (const auto& a : r->args) arg(a, depth + 1);
      options(r->options, depth + 1);
      return;
    }
    switch (d.kind) {
      case DeclKind::Task: {
        auto& t = static_cast<const TaskDecl&>(d);
        line(depth, "TaskDecl " + t.name + (t.source.empty() ? "" : " from " + t.source), t.range);
        for (const auto& f : t.fields) {
          line(depth + 1, "Field " + f.name + ": " + (types_ && f.type ? typeName(f.type) : typeRefText(f.typeRef)),
               f.nameRange);
          if (f.init) expr(*f.init, depth + 2);
        }
        return;
      }
      case DeclKind::Agent: case DeclKind::Fn: {
        auto& c = static_cast<const CallableDecl&>(d);
        std::string head = std::string(d.kind == DeclKind::Agent ? "AgentDecl " : "FnDecl ") + c.name + "(";
        for (size_t i = 0; i < c.params.size(); ++i)
          head += (i ? ", " : "") + c.params[i].name + ": " + typeRefText(c.params[i].typeRef);
        head += ")";
        if (d.kind == DeclKind::Fn) {
          auto& f = static_cast<const FnDecl&>(d);
          if (f.returnTypeRef) head += " -> " + typeRefText(*f.returnTypeRef);
        }
        line(depth, head, c.range);
        if (types_) {
          for (const auto& l : c.locals)
            line(depth + 1, "Local " + l->name + (l->type ? " : " + typeName(l->type) : ""), l->range);
        }
        stmt(*c.body, depth + 1);
        return;
      }
      case DeclKind::Pipeline: {
        auto& p = static_cast<const PipelineDecl&>(d);
        line(depth, "PipelineDecl " + p.name, p.range);
        options(p.options, depth + 1);
        return;
      }
      default: return;
    }
  }

  void arg(const Arg& a, int depth) {
    if (a.name.empty()) {
      expr(*a.value, depth);
    } else {
      line(depth, "NamedArg " + a.name, a.nameRange);
      expr(*a.value, depth + 1);
    }
  }

  void stmt(const Stmt& s, int depth) {
    switch (s.kind) {
      case StmtKind::Block:
        line(depth, "Block", s.range);
        for (const auto& c : static_cast<const BlockStmt&>(s).stmts) stmt(*c, depth + 1);
        return;
      case StmtKind::Let: {
        auto& l = static_cast<const LetStmt&>(s);
        line(depth, "Let " + l.name + (l.declaredType ? ": " + typeRefText(*l.declaredType) : ""), s.range);
        expr(*l.init, depth + 1);
        return;
      }
      case StmtKind::LetTuple: {
        auto& l = static_cast<const LetTupleStmt&>(s);
        std::string names;
        for (const auto& n : l.names) names += (names.empty() ? "" : ", ") + n;
        line(depth, "LetTuple (" + names + ")", s.range);
        expr(*l.init, depth + 1);
        return;
      }
      case StmtKind::Assign: {
        auto& a = static_cast<const AssignStmt&>(s);
        static const char* ops[] = {"=", "+=", "-=", "*=", "/="};
        line(depth, std::string("Assign ") + ops[static_cast<int>(a.op)], s.range);
        expr(*a.target, depth + 1);
        expr(*a.value, depth + 1);
        return;
      }
      case StmtKind::If: {
        auto& i = static_cast<const IfStmt&>(s);
        line(depth, "If", s.range);
        expr(*i.cond, depth + 1);
        stmt(*i.thenBlock, depth + 1);
        if (i.elseStmt) {
          line(depth, "Else", i.elseStmt->range);
          stmt(*i.elseStmt, depth + 1);
        }
        return;
      }
      case StmtKind::For: {
        auto& f = static_cast<const ForStmt&>(s);
        line(depth, "For " + f.var + (f.var2.empty() ? "" : ", " + f.var2), s.range);
        expr(*f.iterable, depth + 1);
        stmt(*f.body, depth + 1);
        return;
      }
      case StmtKind::While: {
        auto& w = static_cast<const WhileStmt&>(s);
        line(depth, "While", s.range);
        expr(*w.cond, depth + 1);
        if (w.bound) {
          line(depth + 1, "Max", w.bound->range);
          expr(*w.bound, depth + 2);
        }
        stmt(*w.body, depth + 1);
        return;
      }
      case StmtKind::Break: line(depth, "Break", s.range); return;
      case StmtKind::Continue: line(depth, "Continue", s.range); return;
      case StmtKind::Goto: {
        auto& g = static_cast<const GotoStmt&>(s);
        line(depth, "Goto " + g.target + (types_ ? (g.agent ? " -> agent" : " -> unresolved") : ""), s.range);
        return;
      }
      case StmtKind::Done: line(depth, "Done", s.range); return;
      case StmtKind::Fail:
        line(depth, "Fail", s.range);
        expr(*static_cast<const FailStmt&>(s).reason, depth + 1);
        return;
      case StmtKind::Emit: {
        auto& e = static_cast<const EmitStmt&>(s);
        line(depth, "Emit " + e.sink, s.range);
        expr(*e.record, depth + 1);
        return;
      }
      case StmtKind::Return: {
        auto& r = static_cast<const ReturnStmt&>(s);
        line(depth, "Return", s.range);
        if (r.value) expr(*r.value, depth + 1);
        return;
      }
      case StmtKind::ExprStmt:
        line(depth, "ExprStmt", s.range);
        expr(*static_cast<const ExprStmt&>(s).expr, depth + 1);
        return;
    }
  }

  void expr(const Expr& e, int depth) {
    std::string t = typed(e);
    switch (e.kind) {
      case ExprKind::Int: line(depth, "Int " + std::to_string(static_cast<const IntExpr&>(e).value) + t, e.range); return;
      case ExprKind::Float: {
        std::string v = std::to_string(static_cast<const FloatExpr&>(e).value);
        line(depth, "Float " + v + t, e.range);
        return;
      }
      case ExprKind::Bool: line(depth, std::string("Bool ") + (static_cast<const BoolExpr&>(e).value ? "true" : "false") + t, e.range); return;
      case ExprKind::None: line(depth, "None" + t, e.range); return;
      case ExprKind::String: {
        auto& s = static_cast<const StringExpr&>(e);
        if (s.parts.size() == 1 && !s.parts[0].expr) {
          line(depth, "String " + quoted(s.parts[0].text) + t, e.range);
          return;
        }
        line(depth, "Template" + t, e.range);
        for (const auto& p : s.parts) {
          if (p.expr) expr(*p.expr, depth + 1);
          else line(depth + 1, "Text " + quoted(p.text), e.range, false);
        }
        return;
      }
      case ExprKind::Name: {
        auto& n = static_cast<const NameExpr&>(e);
        line(depth, "Name " + n.name + (types_ ? std::string(" [") + symbolName(n.symbol) + "]" : "") + t, e.range);
        return;
      }
      case ExprKind::Member: {
        auto& m = static_cast<const MemberExpr&>(e);
        line(depth, "Member ." + m.member + t, e.range);
        expr(*m.base, depth + 1);
        return;
      }
      case ExprKind::Index: {
        auto& i = static_cast<const IndexExpr&>(e);
        line(depth, "Index" + t, e.range);
        expr(*i.base, depth + 1);
        expr(*i.index, depth + 1);
        return;
      }
      case ExprKind::Call: {
        auto& c = static_cast<const CallExpr&>(e);
        std::string what;
        if (types_) {
          static const char* targets[] = {"", " [builtin]", " [fn]", " [model method]", " [tools method]"};
          what = targets[static_cast<int>(c.target)];
          if (c.isAsync) what += " [async]";
        }
        line(depth, "Call" + what + t, e.range);
        expr(*c.callee, depth + 1);
        for (const auto& a : c.args) arg(a, depth + 1);
        return;
      }
      case ExprKind::Await:
        line(depth, "Await" + t, e.range);
        expr(*static_cast<const AwaitExpr&>(e).operand, depth + 1);
        return;
      case ExprKind::Unary: {
        auto& u = static_cast<const UnaryExpr&>(e);
        line(depth, std::string("Unary ") + (u.op == UnaryOp::Not ? "not" : "-") + t, e.range);
        expr(*u.operand, depth + 1);
        return;
      }
      case ExprKind::Binary: {
        auto& b = static_cast<const BinaryExpr&>(e);
        line(depth, std::string("Binary ") + binaryOpSpelling(b.op) + t, e.range);
        expr(*b.lhs, depth + 1);
        expr(*b.rhs, depth + 1);
        return;
      }
      case ExprKind::Conditional: {
        auto& c = static_cast<const ConditionalExpr&>(e);
        line(depth, "Conditional" + t, e.range);
        expr(*c.cond, depth + 1);
        expr(*c.thenExpr, depth + 1);
        expr(*c.elseExpr, depth + 1);
        return;
      }
      case ExprKind::List:
        line(depth, "List" + t, e.range);
        for (const auto& x : static_cast<const ListExpr&>(e).elements) expr(*x, depth + 1);
        return;
      case ExprKind::Record: {
        auto& r = static_cast<const RecordExpr&>(e);
        line(depth, std::string(r.isMap() ? "Map" : "Record") + t, e.range);
        for (const auto& entry : r.entries) {
          line(depth + 1, (entry.quotedKey ? quoted(entry.key) : entry.key) + ":", entry.keyRange);
          expr(*entry.value, depth + 2);
        }
        return;
      }
      case ExprKind::Error: line(depth, "Error", e.range); return;
    }
  }

  const SourceFile& file_;
  std::ostream& out_;
  bool types_;
};

}  // namespace

std::string quoteForDump(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

void printAst(const Program& program, const SourceFile& file, std::ostream& out) {
  Printer(file, out, false).program(program);
}

void printSema(const SemaContext& sema, const SourceFile& file, std::ostream& out) {
  Printer(file, out, true).program(sema.program);
  out << "AgentGraph\n";
  for (const PipelineDecl* p : sema.pipelines)
    out << "  pipeline " << p->name << " start " << (p->start ? p->start->name : "?") << '\n';
  for (const AgentDecl* a : sema.agents) {
    out << "  agent " << a->name << " (" << (a->task ? a->task->name : "?") << ")";
    std::vector<std::string> targets;
    std::vector<const Stmt*> work = {a->body.get()};
    while (!work.empty()) {
      const Stmt* s = work.back();
      work.pop_back();
      if (auto* g = as<GotoStmt>(s)) targets.push_back(g->target);
      if (auto* b = as<BlockStmt>(s)) for (auto it = b->stmts.rbegin(); it != b->stmts.rend(); ++it) work.push_back(it->get());
      if (auto* i = as<IfStmt>(s)) {
        if (i->elseStmt) work.push_back(i->elseStmt.get());
        work.push_back(i->thenBlock.get());
      }
      if (auto* f = as<ForStmt>(s)) work.push_back(f->body.get());
      if (auto* w = as<WhileStmt>(s)) work.push_back(w->body.get());
    }
    for (const auto& t : targets) out << " -> " << t;
    out << '\n';
  }
}

}  // namespace mx
