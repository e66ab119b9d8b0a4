// AstBuilder.cpp — turns the ANTLR parse tree into the AST.
//
// It runs only on trees that parsed without syntax errors, so every required child exists. What
// the grammar accepts but the language does not (a bad escape, an integer too large, `while`
// without `max`) is reported here with the exact range. Expression depth is bounded because
// left-associative chains (`a + a + ...`) are built by ANTLR in a loop but walked recursively by
// every later pass.
#include <charconv>
#include <cstdlib>

#include "AntlrInput.h"

namespace mx::parse {
namespace {

using mxgrammar::Mx;
// Every recursive pass walks expressions; 500 levels stay well inside an 8 MiB stack even with
// sanitizer-sized frames (ASan gives the type checker ~8 KB per level). Brackets are already
// limited to kMaxNesting, so only long operator chains come near this.
constexpr unsigned kMaxExprDepth = 500;

class AstBuilder {
 public:
  AstBuilder(const OffsetMap& map, const SourceFile& file, DiagnosticEngine& diags)
      : map_(map), file_(file), diags_(diags) {}

  std::unique_ptr<Program> program(Mx::ProgramContext* ctx) {
    auto prog = std::make_unique<Program>();
    for (auto* d : ctx->decl())
      if (DeclPtr decl = declaration(d)) prog->decls.push_back(std::move(decl));
    return prog;
  }

 private:
  SourceRange range(antlr4::ParserRuleContext* ctx) const { return ruleRange(map_, ctx); }
  SourceRange range(antlr4::Token* t) const { return tokenRange(map_, t); }
  SourceRange range(antlr4::tree::TerminalNode* n) const { return tokenRange(map_, n->getSymbol()); }
  std::string text(antlr4::tree::TerminalNode* n) const { return std::string(file_.slice(range(n))); }
  std::string text(antlr4::Token* t) const { return std::string(file_.slice(range(t))); }

  // ------------------------------------------------------------------------- declarations

  /// decl : resourceDecl | taskDecl | agentDecl | fnDecl | pipelineDecl
  DeclPtr declaration(Mx::DeclContext* ctx) {
    if (auto* c = ctx->resourceDecl()) return resource(c);
    if (auto* c = ctx->taskDecl()) return task(c);
    if (auto* c = ctx->agentDecl()) return agent(c);
    if (auto* c = ctx->fnDecl()) return fn(c);
    if (auto* c = ctx->pipelineDecl()) return pipeline(c);
    return nullptr;
  }

  /// resourceDecl : (MODEL|SOURCE|SINK|TOOLS) IDENT '=' IDENT '(' argList? ')' optionBlock?
  DeclPtr resource(Mx::ResourceDeclContext* ctx) {
    DeclKind kind = ctx->kind->getType() == Mx::MODEL    ? DeclKind::Model
                    : ctx->kind->getType() == Mx::SOURCE ? DeclKind::Source
                    : ctx->kind->getType() == Mx::SINK   ? DeclKind::Sink
                                                         : DeclKind::Tools;
    auto d = std::make_unique<ResourceDecl>(kind, range(ctx));
    d->name = text(ctx->name);
    d->nameRange = range(ctx->name);
    d->ctor = text(ctx->ctor);
    d->ctorRange = range(ctx->ctor);
    if (auto* args = ctx->argList()) d->args = argList(args);
    if (auto* block = ctx->optionBlock()) {
      d->hasOptionBlock = true;
      d->options = options(block);
    }
    return d;
  }

  /// optionBlock : '{' (option (',' option)* ','?)? '}' ;  option : IDENT (':' expr)?
  std::vector<Option> options(Mx::OptionBlockContext* ctx) {
    std::vector<Option> out;
    for (auto* o : ctx->option()) {
      Option opt;
      opt.key = text(o->IDENT());
      opt.keyRange = range(o->IDENT());
      if (o->expr()) opt.value = expr(o->expr());
      out.push_back(std::move(opt));
    }
    return out;
  }

  /// taskDecl : TASK IDENT (FROM IDENT)? '{' fieldDecl* '}'
  DeclPtr task(Mx::TaskDeclContext* ctx) {
    auto d = std::make_unique<TaskDecl>(range(ctx));
    d->name = text(ctx->name);
    d->nameRange = range(ctx->name);
    if (ctx->source) {
      d->source = text(ctx->source);
      d->sourceRange = range(ctx->source);
    }
    for (auto* f : ctx->fieldDecl()) {
      FieldDecl field;
      field.name = text(f->IDENT());
      field.nameRange = range(f->IDENT());
      field.typeRef = type(f->type());
      if (f->expr()) field.init = expr(f->expr());
      d->fields.push_back(std::move(field));
    }
    return d;
  }

  /// agentDecl : AGENT IDENT '(' param ')' block
  DeclPtr agent(Mx::AgentDeclContext* ctx) {
    auto d = std::make_unique<AgentDecl>(range(ctx));
    d->name = text(ctx->name);
    d->nameRange = range(ctx->name);
    d->params.push_back(param(ctx->param()));
    d->body = block(ctx->block());
    d->closingBrace = range(ctx->block()->RBRACE());
    return d;
  }

  /// fnDecl : FN IDENT '(' (param (',' param)*)? ')' ('->' type)? block
  DeclPtr fn(Mx::FnDeclContext* ctx) {
    auto d = std::make_unique<FnDecl>(range(ctx));
    d->name = text(ctx->name);
    d->nameRange = range(ctx->name);
    for (auto* p : ctx->param()) d->params.push_back(param(p));
    if (ctx->type()) d->returnTypeRef = std::make_unique<TypeRef>(type(ctx->type()));
    d->body = block(ctx->block());
    d->closingBrace = range(ctx->block()->RBRACE());
    return d;
  }

  Param param(Mx::ParamContext* ctx) {
    return {text(ctx->IDENT()), range(ctx->IDENT()), type(ctx->type())};
  }

  /// pipelineDecl : PIPELINE IDENT optionBlock
  DeclPtr pipeline(Mx::PipelineDeclContext* ctx) {
    auto d = std::make_unique<PipelineDecl>(range(ctx));
    d->name = text(ctx->name);
    d->nameRange = range(ctx->name);
    d->options = options(ctx->optionBlock());
    return d;
  }

  /// type : IDENT ('<' type (',' type)* '>')? '?'?
  TypeRef type(Mx::TypeContext* ctx) {
    TypeRef t;
    t.range = range(ctx);
    t.name = text(ctx->IDENT());
    for (auto* a : ctx->type()) t.args.push_back(type(a));
    t.optional = ctx->QUESTION() != nullptr;
    return t;
  }

  // --------------------------------------------------------------------------- statements

  /// block : '{' stmt* '}'
  std::unique_ptr<BlockStmt> block(Mx::BlockContext* ctx) {
    auto b = std::make_unique<BlockStmt>(range(ctx));
    for (auto* s : ctx->stmt())
      if (StmtPtr st = stmt(s)) b->stmts.push_back(std::move(st));
    return b;
  }

  StmtPtr stmt(Mx::StmtContext* ctx) {
    SourceRange r = range(ctx);
    if (auto* c = dynamic_cast<Mx::LetStmtContext*>(ctx)) {
      auto s = std::make_unique<LetStmt>(r);
      s->name = text(c->IDENT());
      s->nameRange = range(c->IDENT());
      if (c->type()) s->declaredType = std::make_unique<TypeRef>(type(c->type()));
      s->init = expr(c->expr());
      return s;
    }
    if (auto* c = dynamic_cast<Mx::LetTupleStmtContext*>(ctx)) {
      auto s = std::make_unique<LetTupleStmt>(r);
      for (auto* id : c->IDENT()) {
        s->names.push_back(text(id));
        s->nameRanges.push_back(range(id));
      }
      s->init = expr(c->expr());
      return s;
    }
    if (auto* c = dynamic_cast<Mx::IfStmtAltContext*>(ctx)) return ifStmt(c->ifStmt());
    if (auto* c = dynamic_cast<Mx::ForStmtContext*>(ctx)) {
      auto s = std::make_unique<ForStmt>(r);
      auto ids = c->IDENT();
      s->var = text(ids[0]);
      s->varRange = range(ids[0]);
      if (ids.size() > 1) {
        s->var2 = text(ids[1]);
        s->var2Range = range(ids[1]);
      }
      s->iterable = expr(c->expr());
      s->body = block(c->block());
      return s;
    }
    if (auto* c = dynamic_cast<Mx::WhileStmtContext*>(ctx)) {
      auto s = std::make_unique<WhileStmt>(r);
      s->cond = expr(c->cond);
      if (c->bound) {
        if (text(c->bound) != "max")
          diags_.error(range(c->bound), "expected 'max' after the loop condition, found '" +
                                            text(c->bound) + "'");
        s->bound = expr(c->limit);
      }
      s->body = block(c->block());
      return s;
    }
    if (dynamic_cast<Mx::BreakStmtContext*>(ctx)) return std::make_unique<BreakStmt>(r);
    if (dynamic_cast<Mx::ContinueStmtContext*>(ctx)) return std::make_unique<ContinueStmt>(r);
    if (auto* c = dynamic_cast<Mx::GotoStmtContext*>(ctx)) {
      auto s = std::make_unique<GotoStmt>(r);
      s->target = text(c->IDENT());
      s->targetRange = range(c->IDENT());
      return s;
    }
    if (dynamic_cast<Mx::DoneStmtContext*>(ctx)) return std::make_unique<DoneStmt>(r);
    if (auto* c = dynamic_cast<Mx::FailStmtContext*>(ctx)) {
      auto s = std::make_unique<FailStmt>(r);
      s->reason = expr(c->expr());
      return s;
    }
    if (auto* c = dynamic_cast<Mx::EmitStmtContext*>(ctx)) {
      auto s = std::make_unique<EmitStmt>(r);
      s->sink = text(c->IDENT());
      s->sinkRange = range(c->IDENT());
      s->record = recordLit(c->recordLit());
      return s;
    }
    if (auto* c = dynamic_cast<Mx::ReturnStmtContext*>(ctx)) {
      auto s = std::make_unique<ReturnStmt>(r);
      if (c->expr()) s->value = expr(c->expr());
      return s;
    }
    if (auto* c = dynamic_cast<Mx::ExprStmtContext*>(ctx)) {
      if (!c->op) {
        auto s = std::make_unique<ExprStmt>(r);
        s->expr = expr(c->target);
        return s;
      }
      auto s = std::make_unique<AssignStmt>(r);
      switch (c->op->getType()) {
        case Mx::PLUS_ASSIGN: s->op = AssignOp::Add; break;
        case Mx::MINUS_ASSIGN: s->op = AssignOp::Sub; break;
        case Mx::STAR_ASSIGN: s->op = AssignOp::Mul; break;
        case Mx::SLASH_ASSIGN: s->op = AssignOp::Div; break;
        default: s->op = AssignOp::Set; break;
      }
      s->target = expr(c->target);
      s->value = expr(c->value);
      return s;
    }
    return nullptr;  // emptyStmt: a lone ';'
  }

  /// ifStmt : IF expr block (ELSE (ifStmt | block))?
  StmtPtr ifStmt(Mx::IfStmtContext* ctx) {
    auto s = std::make_unique<IfStmt>(range(ctx));
    s->cond = expr(ctx->expr());
    auto blocks = ctx->block();
    s->thenBlock = block(blocks[0]);
    if (ctx->ifStmt()) s->elseStmt = ifStmt(ctx->ifStmt());
    else if (blocks.size() > 1) s->elseStmt = block(blocks[1]);
    return s;
  }

  // -------------------------------------------------------------------------- expressions

  ExprPtr expr(Mx::ExprContext* ctx) {
    if (depth_ >= kMaxExprDepth) {
      if (!depthReported_)
        diags_.error(range(ctx), "expression is nested too deeply (more than " +
                                     std::to_string(kMaxExprDepth) + " levels)");
      depthReported_ = true;
      return std::make_unique<ErrorExpr>(range(ctx));
    }
    ++depth_;
    ExprPtr e = exprInner(ctx);
    --depth_;
    return e;
  }

  ExprPtr exprInner(Mx::ExprContext* ctx) {
    SourceRange r = range(ctx);
    if (auto* c = dynamic_cast<Mx::PrimaryExprContext*>(ctx)) return primary(c->primary());
    if (auto* c = dynamic_cast<Mx::MemberExprContext*>(ctx))
      return std::make_unique<MemberExpr>(r, expr(c->expr()), text(c->IDENT()), range(c->IDENT()));
    if (auto* c = dynamic_cast<Mx::IndexExprContext*>(ctx))
      return std::make_unique<IndexExpr>(r, expr(c->expr(0)), expr(c->expr(1)));
    if (auto* c = dynamic_cast<Mx::CallExprContext*>(ctx)) {
      auto call = std::make_unique<CallExpr>(r, expr(c->expr()));
      if (c->argList()) call->args = argList(c->argList());
      return call;
    }
    if (auto* c = dynamic_cast<Mx::AwaitExprContext*>(ctx))
      return std::make_unique<AwaitExpr>(r, expr(c->expr()));
    if (auto* c = dynamic_cast<Mx::UnaryExprContext*>(ctx))
      return std::make_unique<UnaryExpr>(r, c->op->getType() == Mx::NOT ? UnaryOp::Not : UnaryOp::Neg,
                                         expr(c->expr()));
    if (auto* c = dynamic_cast<Mx::BinaryExprContext*>(ctx))
      return std::make_unique<BinaryExpr>(r, binaryOp(c->op->getType()), expr(c->expr(0)),
                                          expr(c->expr(1)), range(c->op));
    if (auto* c = dynamic_cast<Mx::ConditionalExprContext*>(ctx))
      return std::make_unique<ConditionalExpr>(r, expr(c->expr(0)), expr(c->expr(1)), expr(c->expr(2)));
    return std::make_unique<ErrorExpr>(r);
  }

  static BinaryOp binaryOp(size_t token) {
    switch (token) {
      case Mx::STAR: return BinaryOp::Mul;
      case Mx::SLASH: return BinaryOp::Div;
      case Mx::PERCENT: return BinaryOp::Mod;
      case Mx::PLUS: return BinaryOp::Add;
      case Mx::MINUS: return BinaryOp::Sub;
      case Mx::COALESCE: return BinaryOp::Coalesce;
      case Mx::EQ: return BinaryOp::Eq;
      case Mx::NE: return BinaryOp::Ne;
      case Mx::LT: return BinaryOp::Lt;
      case Mx::LE: return BinaryOp::Le;
      case Mx::GT: return BinaryOp::Gt;
      case Mx::GE: return BinaryOp::Ge;
      case Mx::IN: return BinaryOp::In;
      case Mx::AND: return BinaryOp::And;
      default: return BinaryOp::Or;
    }
  }

  /// argList : arg (',' arg)* ','? ;  arg : (IDENT ':')? expr
  std::vector<Arg> argList(Mx::ArgListContext* ctx) {
    std::vector<Arg> out;
    for (auto* a : ctx->arg()) {
      Arg arg;
      if (a->name) {
        arg.name = text(a->name);
        arg.nameRange = range(a->name);
      }
      arg.value = expr(a->expr());
      out.push_back(std::move(arg));
    }
    return out;
  }

  ExprPtr primary(Mx::PrimaryContext* ctx) {
    SourceRange r = range(ctx);
    if (dynamic_cast<Mx::IntLitContext*>(ctx)) {
      std::string digits;
      for (char ch : file_.slice(r))
        if (ch != '_') digits += ch;
      int64_t v = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (ec != std::errc() || end != digits.data() + digits.size())
        diags_.error(r, "integer literal is too large for a 64-bit int");
      return std::make_unique<IntExpr>(r, v);
    }
    if (dynamic_cast<Mx::BadNumberLitContext*>(ctx)) {
      std::string t(file_.slice(r));
      bool dot = t.find('.') != std::string::npos;
      std::string why = t.size() > 1 && (t[1] == 'x' || t[1] == 'X') ? "hexadecimal numbers are not supported"
                        : dot && (t.back() == '.' || t.find("._") != std::string::npos)
                            ? "a float needs digits after the '.'"
                        : t.find("__") != std::string::npos || t.back() == '_' || t.find("_.") != std::string::npos
                            ? "a '_' must stand between two digits"
                        : (t.back() == 'e' || t.back() == 'E' || t.back() == '+' || t.back() == '-')
                            ? "an exponent needs digits"
                            : "a number cannot be followed by letters";
      diags_.error(r, "invalid number '" + t + "': " + why);
      return std::make_unique<ErrorExpr>(r);
    }
    if (dynamic_cast<Mx::FloatLitContext*>(ctx)) {
      std::string digits;
      for (char ch : file_.slice(r))
        if (ch != '_') digits += ch;
      return std::make_unique<FloatExpr>(r, std::strtod(digits.c_str(), nullptr));
    }
    if (auto* c = dynamic_cast<Mx::BoolLitContext*>(ctx))
      return std::make_unique<BoolExpr>(r, c->TRUE() != nullptr);
    if (dynamic_cast<Mx::NoneLitContext*>(ctx)) return std::make_unique<NoneExpr>(r);
    if (auto* c = dynamic_cast<Mx::StringLitAltContext*>(ctx)) return stringLit(c->stringLit());
    if (auto* c = dynamic_cast<Mx::NameRefContext*>(ctx))
      return std::make_unique<NameExpr>(r, text(c->IDENT()));
    if (auto* c = dynamic_cast<Mx::ParenExprContext*>(ctx)) return expr(c->expr());
    if (auto* c = dynamic_cast<Mx::ListLitContext*>(ctx)) {
      auto list = std::make_unique<ListExpr>(r);
      for (auto* e : c->expr()) list->elements.push_back(expr(e));
      return list;
    }
    if (auto* c = dynamic_cast<Mx::RecordLitAltContext*>(ctx)) return recordLit(c->recordLit());
    return std::make_unique<ErrorExpr>(r);
  }

  /// recordLit : '{' (recordEntry (',' recordEntry)* ','?)? '}' ;  recordEntry : key ':' expr
  std::unique_ptr<RecordExpr> recordLit(Mx::RecordLitContext* ctx) {
    auto rec = std::make_unique<RecordExpr>(range(ctx));
    bool sawQuoted = false, sawBare = false;
    for (auto* e : ctx->recordEntry()) {
      RecordExpr::Entry entry;
      entry.keyRange = range(e->key);
      entry.quotedKey = e->key->getType() == Mx::PLAIN_STRING;
      std::string k = text(e->key);
      entry.key = entry.quotedKey ? k.substr(1, k.size() - 2) : k;
      (entry.quotedKey ? sawQuoted : sawBare) = true;
      if (sawQuoted && sawBare) {
        diags_.error(entry.keyRange, "mixes quoted keys (a map) and bare field names (a record)");
        sawQuoted = sawBare = false;  // report once
      }
      entry.value = expr(e->expr());
      rec->entries.push_back(std::move(entry));
    }
    return rec;
  }

  /// stringLit : '"' stringPart* '"' | '"""' tstringPart* '"""' | RAW_STRING | PLAIN_STRING
  ExprPtr stringLit(Mx::StringLitContext* ctx) {
    auto s = std::make_unique<StringExpr>(range(ctx));
    auto addText = [&](std::string t) {
      if (!s->parts.empty() && !s->parts.back().expr) s->parts.back().text += t;
      else s->parts.push_back({std::move(t), nullptr});
    };
    if (auto* t = ctx->RAW_STRING()) {
      std::string raw = text(t);
      addText(raw.substr(2, raw.size() - 3));
    } else if (auto* t = ctx->RAW_STRING_UNTERMINATED()) {
      diags_.error(range(t), "raw string is missing its closing '\"' (raw strings cannot span lines)");
      addText(text(t).substr(2));
    } else if (auto* t = ctx->PLAIN_STRING()) {
      std::string raw = text(t);
      addText(raw.substr(1, raw.size() - 2));
    } else {
      for (auto* child : ctx->children) {
        auto* part = dynamic_cast<antlr4::ParserRuleContext*>(child);
        if (!part) {
          auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child);
          if (term && term->getSymbol()->getType() == Mx::STR_NEWLINE)
            diags_.error(range(term), "string literal is missing its closing '\"' (use \"\"\" for "
                                      "multi-line strings)");
          continue;
        }
        antlr4::Token* first = part->getStart();
        switch (first->getType()) {
          case Mx::STR_INTERP: case Mx::TSTR_INTERP: {
            auto* e = dynamic_cast<Mx::ExprContext*>(part->children.at(1));
            s->parts.push_back({"", expr(e)});
            break;
          }
          case Mx::STR_ESCAPE: case Mx::TSTR_ESCAPE: addText(escape(first)); break;
          default: {  // plain text, minus the `{HEX}` of a preceding \u escape
            std::string t = text(first);
            size_t skip = std::min(pendingSkip_, t.size());
            pendingSkip_ -= skip;
            addText(t.substr(skip));
            break;
          }
        }
      }
    }
    if (s->parts.empty()) s->parts.push_back({"", nullptr});
    return s;
  }

  /// Decodes one escape: \n \t \r \0 \" \\ \$ \' and \u{hex}.
  std::string escape(antlr4::Token* t) {
    std::string raw = text(t);
    char c = raw.size() > 1 ? raw[1] : '\\';
    switch (c) {
      case 'n': return "\n";
      case 't': return "\t";
      case 'r': return "\r";
      case '0': return std::string(1, '\0');
      case '"': case '\\': case '$': case '\'': return std::string(1, c);
      case 'u': return unicodeEscape(t);
      default:
        diags_.error(range(t), "unknown escape sequence '" + raw + "'");
        return raw;
    }
  }

  /// \u{1F600}: the braces follow the escape token as ordinary string text.
  std::string unicodeEscape(antlr4::Token* t) {
    SourceRange r = range(t);
    std::string_view rest = std::string_view(file_.text()).substr(r.end);
    size_t close = rest.find('}');
    if (rest.empty() || rest[0] != '{' || close == std::string_view::npos || close < 2 || close > 9) {
      diags_.error(r, "expected '\\u{HEX}' with 1 to 8 hex digits");
      return "";
    }
    pendingSkip_ = close + 1;  // consumed from the following text token
    uint32_t cp = 0;
    for (char ch : rest.substr(1, close - 1)) {
      int v = std::isdigit(static_cast<unsigned char>(ch)) ? ch - '0'
              : std::isxdigit(static_cast<unsigned char>(ch)) ? (std::tolower(ch) - 'a' + 10) : -1;
      if (v < 0) {
        diags_.error(r, "expected '\\u{HEX}' with 1 to 8 hex digits");
        return "";
      }
      cp = cp * 16 + v;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      diags_.error(r, "\\u{...} is not a Unicode scalar value");
      return "";
    }
    std::string out;
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) { out += char(0xC0 | cp >> 6); out += char(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) { out += char(0xE0 | cp >> 12); out += char(0x80 | (cp >> 6 & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
    else { out += char(0xF0 | cp >> 18); out += char(0x80 | (cp >> 12 & 0x3F)); out += char(0x80 | (cp >> 6 & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
    return out;
  }

  const OffsetMap& map_;
  const SourceFile& file_;
  DiagnosticEngine& diags_;
  unsigned depth_ = 0;
  bool depthReported_ = false;
  size_t pendingSkip_ = 0;
};

}  // namespace

std::unique_ptr<Program> buildAst(Mx::ProgramContext* tree, const OffsetMap& map,
                                  const SourceFile& file, DiagnosticEngine& diags) {
  return AstBuilder(map, file, diags).program(tree);
}

}  // namespace mx::parse
