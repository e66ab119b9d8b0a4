// TemplateParse.cpp — template text → nodes, with Jinja's whitespace rules as transformers
// configures them (trim_blocks, lstrip_blocks) and `-` whitespace control on every tag.
#include <cctype>
#include <cstring>

#include "TemplateAst.h"

namespace mx::engine::tmpl {
namespace {

struct Piece {
  enum Kind { Text, Var, Block } kind;
  std::string content;
  int line;
};

struct ParseError {
  std::string message;
};

[[noreturn]] void fail(int line, const std::string& message) {
  throw ParseError{"line " + std::to_string(line) + ": " + message};
}

/// Splits the source into text, `{{ }}` and `{% %}` pieces; comments vanish.
std::vector<Piece> segment(const std::string& src) {
  std::vector<Piece> pieces;
  size_t pos = 0;
  int line = 1;
  bool trimNextLeading = false;  // a `-` closed the previous tag
  bool trimNextNewline = false;  // trim_blocks after a block or comment tag
  auto lineAt = [&](size_t upTo) {
    for (size_t k = pos; k < upTo; ++k) line += src[k] == '\n';
  };
  while (pos <= src.size()) {
    size_t open = src.find('{', pos);
    while (open != std::string::npos && open + 1 < src.size() && src[open + 1] != '{' && src[open + 1] != '%' &&
           src[open + 1] != '#')
      open = src.find('{', open + 1);
    if (open + 1 >= src.size()) open = std::string::npos;
    std::string text = src.substr(pos, open == std::string::npos ? std::string::npos : open - pos);
    char kind = open == std::string::npos ? 0 : src[open + 1];
    bool minusOpen = kind && open + 2 < src.size() && src[open + 2] == '-';
    bool plusOpen = kind && open + 2 < src.size() && src[open + 2] == '+';
    if (trimNextLeading) {
      size_t k = text.find_first_not_of(" \t\r\n");
      text = k == std::string::npos ? "" : text.substr(k);
    } else if (trimNextNewline && !text.empty() && text[0] == '\n') {
      text.erase(0, 1);
    } else if (trimNextNewline && text.size() > 1 && text[0] == '\r' && text[1] == '\n') {
      text.erase(0, 2);
    }
    if (minusOpen) {
      size_t k = text.find_last_not_of(" \t\r\n");
      text = k == std::string::npos ? "" : text.substr(0, k + 1);
    } else if ((kind == '%' || kind == '#') && !plusOpen) {
      // lstrip_blocks: spaces and tabs between the start of a source line and a block tag go.
      size_t k = open;
      while (k > 0 && (src[k - 1] == ' ' || src[k - 1] == '\t')) --k;
      if (k == 0 || src[k - 1] == '\n') text.resize(text.size() >= open - k ? text.size() - (open - k) : 0);
    }
    if (!text.empty()) pieces.push_back({Piece::Text, text, line});
    if (open == std::string::npos) break;
    lineAt(open);
    pos = open;
    std::string close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
    size_t end = src.find(close, open + 2);
    if (end == std::string::npos) fail(line, std::string("'{") + kind + "' is never closed");
    size_t innerBegin = open + 2 + (minusOpen || plusOpen ? 1 : 0);
    bool minusClose = end > innerBegin && src[end - 1] == '-';
    std::string inner = src.substr(innerBegin, end - innerBegin - (minusClose ? 1 : 0));
    if (kind != '#') pieces.push_back({kind == '{' ? Piece::Var : Piece::Block, inner, line});
    lineAt(end + 2);
    pos = end + 2;
    trimNextLeading = minusClose;
    trimNextNewline = kind != '{';
  }
  return pieces;
}

// ------------------------------------------------------------------- expression tokens

struct Tok {
  enum Kind { Name, Str, Int, Float, Op, End } kind;
  std::string text;
};

std::vector<Tok> lex(const std::string& s, int line) {
  std::vector<Tok> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t b = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
      out.push_back({Tok::Name, s.substr(b, i - b)});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t b = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      bool isFloat = i + 1 < s.size() && s[i] == '.' && std::isdigit(static_cast<unsigned char>(s[i + 1]));
      if (isFloat) {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      }
      out.push_back({isFloat ? Tok::Float : Tok::Int, s.substr(b, i - b)});
    } else if (c == '\'' || c == '"') {
      std::string v;
      ++i;
      while (i < s.size() && s[i] != c) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          char e = s[++i];
          v += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
        } else {
          v += s[i];
        }
        ++i;
      }
      if (i >= s.size()) fail(line, "a string literal is never closed");
      ++i;
      out.push_back({Tok::Str, v});
    } else {
      static const char* ops[] = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "~",
                                  "(", ")", "[", "]", "{", "}", ",", ":", ".", "|", "="};
      std::string op;
      for (const char* o : ops)
        if (s.compare(i, std::strlen(o), o) == 0) {
          op = o;
          break;
        }
      if (op.empty()) fail(line, std::string("unexpected character '") + c + "'");
      out.push_back({Tok::Op, op});
      i += op.size();
    }
  }
  out.push_back({Tok::End, ""});
  return out;
}

// --------------------------------------------------------------------- expressions

class ExprParser {
 public:
  ExprParser(std::vector<Tok> toks, int line) : t_(std::move(toks)), line_(line) {}

  ExprP expression() { return conditional(); }
  bool atEnd() const { return t_[p_].kind == Tok::End; }
  bool isName(const char* n) const { return t_[p_].kind == Tok::Name && t_[p_].text == n; }
  bool isOp(const char* o) const { return t_[p_].kind == Tok::Op && t_[p_].text == o; }
  std::string name() {
    if (t_[p_].kind != Tok::Name) fail(line_, "expected a name, found '" + t_[p_].text + "'");
    return t_[p_++].text;
  }
  void expectOp(const char* o) {
    if (!isOp(o)) fail(line_, std::string("expected '") + o + "', found '" + t_[p_].text + "'");
    ++p_;
  }
  void expectEnd() {
    if (!atEnd()) fail(line_, "unexpected '" + t_[p_].text + "'");
  }
  bool acceptName(const char* n) {
    if (!isName(n)) return false;
    ++p_;
    return true;
  }
  /// An expression that stops before a top-level `if` (for the `for ... if` filter).
  ExprP orExpr() { return logicalOr(); }

 private:
  ExprP make(Expr::Kind k, std::string name = "") {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->name = std::move(name);
    e->line = line_;
    return e;
  }

  ExprP conditional() {  // a if c else b
    ExprP value = logicalOr();
    if (!isName("if")) return value;
    ++p_;
    ExprP cond = logicalOr();
    ExprP otherwise = acceptName("else") ? conditional() : make(Expr::Literal);
    auto e = make(Expr::Cond);
    e->args.push_back(std::move(cond));
    e->args.push_back(std::move(value));
    e->args.push_back(std::move(otherwise));
    return e;
  }

  ExprP binary(ExprP l, std::string op, ExprP r) {
    auto e = make(Expr::Binary, std::move(op));
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  ExprP logicalOr() {
    ExprP l = logicalAnd();
    while (acceptName("or")) l = binary(std::move(l), "or", logicalAnd());
    return l;
  }
  ExprP logicalAnd() {
    ExprP l = logicalNot();
    while (acceptName("and")) l = binary(std::move(l), "and", logicalNot());
    return l;
  }
  ExprP logicalNot() {
    if (acceptName("not")) {
      auto e = make(Expr::Unary, "not");
      e->args.push_back(logicalNot());
      return e;
    }
    return comparison();
  }
  ExprP comparison() {
    ExprP l = concat();
    while (true) {
      if (isOp("==") || isOp("!=") || isOp("<") || isOp(">") || isOp("<=") || isOp(">=")) {
        std::string op = t_[p_++].text;
        l = binary(std::move(l), op, concat());
      } else if (isName("in")) {
        ++p_;
        l = binary(std::move(l), "in", concat());
      } else if (isName("not") && t_[p_ + 1].kind == Tok::Name && t_[p_ + 1].text == "in") {
        p_ += 2;
        l = binary(std::move(l), "not in", concat());
      } else if (isName("is")) {
        ++p_;
        auto e = make(Expr::Test);
        e->negated = acceptName("not");
        e->name = name();
        e->args.push_back(std::move(l));
        // `is divisibleby(3)` / `is equalto 3`: an optional argument
        if (isOp("(")) {
          ++p_;
          while (!isOp(")")) {
            e->args.push_back(expression());
            if (!isOp(")")) expectOp(",");
          }
          ++p_;
        } else if (t_[p_].kind == Tok::Str || t_[p_].kind == Tok::Int || t_[p_].kind == Tok::Float) {
          e->args.push_back(concat());
        }
        l = std::move(e);
      } else {
        return l;
      }
    }
  }
  ExprP concat() {
    ExprP l = additive();
    while (isOp("~")) {
      ++p_;
      l = binary(std::move(l), "~", additive());
    }
    return l;
  }
  ExprP additive() {
    ExprP l = multiplicative();
    while (isOp("+") || isOp("-")) {
      std::string op = t_[p_++].text;
      l = binary(std::move(l), op, multiplicative());
    }
    return l;
  }
  ExprP multiplicative() {
    ExprP l = unary();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
      std::string op = t_[p_++].text;
      l = binary(std::move(l), op, unary());
    }
    return l;
  }
  ExprP unary() {
    if (isOp("-") || isOp("+")) {
      std::string op = t_[p_++].text;
      auto e = make(Expr::Unary, op);
      e->args.push_back(unary());
      return e;
    }
    return power();
  }
  ExprP power() {
    ExprP l = filtered();
    if (isOp("**")) {
      ++p_;
      l = binary(std::move(l), "**", unary());
    }
    return l;
  }
  /// Filters bind tighter than any binary operator: `'a' + x | trim` is `'a' + (x | trim)`.
  ExprP filtered() {
    ExprP e = postfix(primary());
    while (isOp("|")) {
      ++p_;
      auto f = make(Expr::Filter, name());
      f->args.push_back(std::move(e));
      if (isOp("(")) arguments(*f);
      e = std::move(f);
    }
    return e;
  }
  void arguments(Expr& call) {
    expectOp("(");
    while (!isOp(")")) {
      if (t_[p_].kind == Tok::Name && t_[p_ + 1].kind == Tok::Op && t_[p_ + 1].text == "=") {
        call.keywords.push_back(t_[p_].text);
        p_ += 2;
      } else if (!call.keywords.empty()) {
        fail(line_, "a positional argument follows a keyword argument");
      }
      call.args.push_back(expression());
      if (!isOp(")")) expectOp(",");
    }
    ++p_;
  }
  ExprP postfix(ExprP e) {
    while (true) {
      if (isOp(".")) {
        ++p_;
        auto a = make(Expr::Attr, name());
        a->args.push_back(std::move(e));
        e = std::move(a);
      } else if (isOp("[")) {
        ++p_;
        ExprP parts[3];
        bool slice = false;
        for (int k = 0; k < 3; ++k) {
          if (!isOp(":") && !isOp("]")) parts[k] = expression();
          if (k < 2 && isOp(":")) {
            slice = true;
            ++p_;
          } else {
            break;
          }
        }
        expectOp("]");
        auto s = make(slice ? Expr::Slice : Expr::Item);
        s->args.push_back(std::move(e));
        if (slice)
          for (auto& part : parts) s->args.push_back(std::move(part));
        else
          s->args.push_back(std::move(parts[0]));
        e = std::move(s);
      } else if (isOp("(")) {
        auto c = make(Expr::Call);
        c->args.push_back(std::move(e));
        arguments(*c);
        e = std::move(c);
      } else {
        return e;
      }
    }
  }
  ExprP primary() {
    const Tok& t = t_[p_];
    if (t.kind == Tok::Str) {
      auto e = make(Expr::Literal);
      e->literal = Value::str(t.text);
      ++p_;
      while (t_[p_].kind == Tok::Str) e->literal.s += t_[p_++].text;  // 'a' 'b' concatenates
      return e;
    }
    if (t.kind == Tok::Int || t.kind == Tok::Float) {
      auto e = make(Expr::Literal);
      e->literal = t.kind == Tok::Int ? Value::integer(std::stoll(t.text)) : Value::number(std::stod(t.text));
      ++p_;
      return e;
    }
    if (t.kind == Tok::Name) {
      ++p_;
      auto e = make(Expr::Literal);
      if (t.text == "true" || t.text == "True") e->literal = Value::boolean(true);
      else if (t.text == "false" || t.text == "False") e->literal = Value::boolean(false);
      else if (t.text == "none" || t.text == "None") e->literal = Value::none();
      else return make(Expr::Name, t.text);
      return e;
    }
    if (isOp("(")) {
      ++p_;
      ExprP e = expression();
      if (isOp(",")) fail(line_, "tuples are not supported");
      expectOp(")");
      return e;
    }
    if (isOp("[")) {
      ++p_;
      auto e = make(Expr::ListLit);
      while (!isOp("]")) {
        e->args.push_back(expression());
        if (!isOp("]")) expectOp(",");
      }
      ++p_;
      return e;
    }
    if (isOp("{")) {
      ++p_;
      auto e = make(Expr::DictLit);
      while (!isOp("}")) {
        e->args.push_back(expression());
        expectOp(":");
        e->args.push_back(expression());
        if (!isOp("}")) expectOp(",");
      }
      ++p_;
      return e;
    }
    fail(line_, t.kind == Tok::End ? "an expression is missing" : "unexpected '" + t.text + "'");
  }

  std::vector<Tok> t_;
  size_t p_ = 0;
  int line_;
};

// ---------------------------------------------------------------------- statements

class StmtParser {
 public:
  explicit StmtParser(std::vector<Piece> pieces) : pieces_(std::move(pieces)) {}

  /// Parses nodes until a block tag whose keyword is in `stops`; returns that keyword ("" at end).
  std::string body(Body& out, std::initializer_list<const char*> stops) {
    while (i_ < pieces_.size()) {
      const Piece& p = pieces_[i_];
      if (p.kind == Piece::Text) {
        auto n = node(Node::Text, p.line);
        n->text = p.content;
        out.push_back(std::move(n));
        ++i_;
        continue;
      }
      if (p.kind == Piece::Var) {
        ExprParser e(lex(p.content, p.line), p.line);
        auto n = node(Node::Output, p.line);
        n->expr = e.expression();
        e.expectEnd();
        out.push_back(std::move(n));
        ++i_;
        continue;
      }
      ExprParser e(lex(p.content, p.line), p.line);
      std::string kw = e.atEnd() ? "" : e.name();
      for (const char* s : stops)
        if (kw == s) return kw;  // the caller consumes it
      ++i_;
      if (kw == "if") out.push_back(ifNode(e, p.line));
      else if (kw == "for") out.push_back(forNode(e, p.line));
      else if (kw == "set") out.push_back(setNode(e, p.line));
      else if (kw == "break" || kw == "continue") {
        e.expectEnd();
        out.push_back(node(kw == "break" ? Node::Break : Node::Continue, p.line));
      } else if (kw == "generation" || kw == "endgeneration") {
        e.expectEnd();  // transformers' assistant-mask markers: no output of their own
      } else {
        fail(p.line, kw.empty() ? "empty tag" : "unsupported tag '" + kw + "'");
      }
    }
    return "";
  }

 private:
  static NodeP node(Node::Kind k, int line) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->line = line;
    return n;
  }

  /// Consumes the block tag that ended a body and returns a parser positioned after its keyword.
  ExprParser closing(const std::string& kw, int openLine, const char* construct) {
    if (kw.empty()) fail(openLine, std::string("'") + construct + "' is never closed");
    const Piece& p = pieces_[i_++];
    ExprParser e(lex(p.content, p.line), p.line);
    e.name();
    return e;
  }

  NodeP ifNode(ExprParser& head, int line) {
    auto n = node(Node::If, line);
    ExprP cond = head.expression();
    head.expectEnd();
    while (true) {
      Body b;
      std::string kw = body(b, {"elif", "else", "endif"});
      n->branches.emplace_back(std::move(cond), std::move(b));
      ExprParser tail = closing(kw, line, "if");
      if (kw == "elif") {
        cond = tail.expression();
        tail.expectEnd();
        continue;
      }
      tail.expectEnd();
      if (kw == "else") {
        std::string end = body(n->elseBody, {"endif"});
        closing(end, line, "if").expectEnd();
      }
      return n;
    }
  }

  NodeP forNode(ExprParser& head, int line) {
    auto n = node(Node::For, line);
    n->targets.push_back(head.name());
    while (head.isOp(",")) {
      head.expectOp(",");
      n->targets.push_back(head.name());
    }
    if (!head.acceptName("in")) fail(line, "expected 'in' in a for loop");
    n->expr = head.orExpr();
    if (head.acceptName("if")) n->filter = head.orExpr();
    if (head.acceptName("recursive")) fail(line, "unsupported: recursive loops");
    head.expectEnd();
    std::string kw = body(n->body, {"else", "endfor"});
    closing(kw, line, "for").expectEnd();
    if (kw == "else") {
      std::string end = body(n->elseBody, {"endfor"});
      closing(end, line, "for").expectEnd();
    }
    return n;
  }

  NodeP setNode(ExprParser& head, int line) {
    auto n = node(Node::Set, line);
    n->targets.push_back(head.name());
    if (head.isOp(".")) {
      head.expectOp(".");
      n->targets.push_back(head.name());
    }
    if (!head.isOp("=")) fail(line, "unsupported: block assignment ('set' without '=')");
    head.expectOp("=");
    n->expr = head.expression();
    head.expectEnd();
    return n;
  }

  std::vector<Piece> pieces_;
  size_t i_ = 0;
};

}  // namespace

bool parseTemplate(const std::string& source, Body& out, std::string& error) {
  try {
    StmtParser parser(segment(source));
    std::string stray = parser.body(out, {"elif", "else", "endif", "endfor"});
    if (!stray.empty()) {
      error = "'" + stray + "' without a matching opening tag";
      return false;
    }
    return true;
  } catch (const ParseError& e) {
    error = e.message;
    return false;
  }
}

}  // namespace mx::engine::tmpl
