// ParseDriver.cpp — runs the ANTLR lexer and parser over a source file.
//
// Parsing is two-stage, as ANTLR recommends for speed: first the fast SLL prediction mode with
// a bail-out error strategy, and only if that fails the full LL mode with error recovery, whose
// syntax errors become diagnostics. Before either, the token stream is scanned for nesting
// deeper than kMaxNesting, and the parser itself refuses rule recursion deeper than
// kMaxRuleDepth (operator chains like `not not not ...` recurse without brackets).
#include <algorithm>
#include <cstring>
#include <optional>
#include <ostream>

#include "AntlrInput.h"
#include "mx/compiler/Parse.h"

namespace mx {
namespace parse {
namespace {

using mxgrammar::Mx;
using mxgrammar::MxLexer;

constexpr size_t kMaxRuleDepth = 1500;

/// Thrown by the listener after the first syntax error of a parse: the driver resumes at the next
/// declaration instead of letting ANTLR re-synchronise statement by statement (see parseProgram).
struct StopParse {
  size_t tokenIndex;
};

struct NestingTooDeep {
  antlr4::Token* token;
};

/// The generated lexer, except that a '}' with no open '{' cannot throw from popMode, and that
/// it remembers where each string opened so that a string still open at the end of the file is
/// reported there (not as a parse error at the end of the file).
class SafeLexer : public MxLexer {
 public:
  using MxLexer::MxLexer;
  void pushMode(size_t m) override {
    opens_.push_back({m, tokenStartCharIndex});
    MxLexer::pushMode(m);
  }
  size_t popMode() override {
    if (modeStack.empty()) return mode;
    if (!opens_.empty()) opens_.pop_back();
    return MxLexer::popMode();
  }
  /// The code-point index where the innermost string still open began, if any.
  std::optional<size_t> unclosedString() const {
    for (auto it = opens_.rbegin(); it != opens_.rend(); ++it)
      if (it->first == MxLexer::STR || it->first == MxLexer::TSTR) return it->second;
    return std::nullopt;
  }

 private:
  std::vector<std::pair<size_t, size_t>> opens_;  // (mode entered, where)
};

/// The generated parser with a bound on rule recursion.
class GuardedParser : public Mx {
 public:
  using Mx::Mx;
  void enterRule(antlr4::ParserRuleContext* ctx, size_t state, size_t rule) override {
    checkDepth(ctx);
    Mx::enterRule(ctx, state, rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext* ctx, size_t state, size_t rule,
                          int precedence) override {
    checkDepth(ctx);
    Mx::enterRecursionRule(ctx, state, rule, precedence);
  }

 private:
  void checkDepth(antlr4::ParserRuleContext* ctx) {
    size_t depth = 0;
    for (antlr4::tree::ParseTree* p = ctx; p && depth <= kMaxRuleDepth; p = p->parent) ++depth;
    if (depth > kMaxRuleDepth) throw NestingTooDeep{getCurrentToken()};
  }
};

/// Turns ANTLR's syntax errors into diagnostics. A parser error stops the parse (StopParse): after
/// a mistake, ANTLR's recovery misreads the rest of the declaration (a missing '{' makes the next
/// declaration look like a statement), so later errors there are echoes, and recovering
/// statement by statement can cost cubic time on pathological input.
class DiagnosticListener : public antlr4::BaseErrorListener {
 public:
  DiagnosticListener(const OffsetMap& map, const SourceFile& file, DiagnosticEngine& diags)
      : map_(map), file_(file), diags_(diags) {}

  /// Reports a string left open at the end of the file; later errors are its echoes.
  void unclosedString(size_t codePoint) {
    uint32_t at = map_.byteOffset(codePoint);
    bool triple = file_.text().compare(at, 3, "\"\"\"") == 0;
    diags_.error({at, at + (triple ? 3u : 1u)}, triple ? "this \"\"\" string is never closed"
                                                        : "this string is never closed");
    silenced_ = true;
  }

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* token, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    SourceRange range;
    if (token && token->getType() != antlr4::Token::EOF) {
      range = tokenRange(map_, token);
    } else if (token) {
      range = {static_cast<uint32_t>(file_.text().size()), static_cast<uint32_t>(file_.text().size())};
    } else {
      // Lexer errors carry a line and a code-point column; walk the line to find the byte.
      uint32_t lineStart = 0;
      for (uint32_t l = 1, i = 0; i < file_.text().size() && l < line; ++i)
        if (file_.text()[i] == '\n') { ++l; lineStart = i + 1; }
      uint32_t b = lineStart;
      for (size_t c = 0; c < col && b < file_.text().size(); ++c) {
        ++b;
        while (b < file_.text().size() && (static_cast<unsigned char>(file_.text()[b]) & 0xC0) == 0x80) ++b;
      }
      range = {b, b + 1};
    }
    if (silenced_) return;
    bool fromParser = dynamic_cast<antlr4::Parser*>(recognizer) != nullptr;
    uint32_t errLine = file_.lineCol(range.begin).line;
    if (errLine != lastLine_ || fromParser) diags_.error(range, friendly(msg));
    lastLine_ = errLine;
    if (fromParser) throw StopParse{token ? token->getTokenIndex() : 0};
  }

 private:
  /// ANTLR speaks in token names and lists every token it could accept; say `identifier` and
  /// `end of file`, and name the category (a statement, an expression) when the list is long.
  static std::string friendly(std::string msg) {
    static const std::pair<const char*, const char*> names[] = {
        {"<EOF>", "end of file"}, {"TDQUOTE", "string"}, {"TSTR_END", "'\"\"\"'"},
        {"STR_END", "'\"'"}, {"STR_NEWLINE", "end of line"}, {"STR_INTERP", "'${'"},
        {"STR_ESCAPE", "an escape"}, {"STR_DOLLAR", "'$'"}, {"STR_TEXT", "text"},
        {"BAD_NUMBER", "number"}, {"RAW_STRING_UNTERMINATED", "string"}, {"PLAIN_STRING", "string"},
        {"RAW_STRING", "string"}, {"DQUOTE", "string"}, {"IDENT", "identifier"},
        {"INT", "integer"}, {"FLOAT", "number"}};
    for (const auto& [from, to] : names)
      for (size_t at; (at = msg.find(from)) != std::string::npos;) msg.replace(at, strlen(from), to);
    if (size_t at = msg.find(" expecting {"); at != std::string::npos) {
      std::string set = msg.substr(at + 12, msg.rfind('}') - at - 12);
      size_t items = std::count(set.begin(), set.end(), ',') + 1;
      if (items > 5) {
        std::string what = set.find("'let'") != std::string::npos     ? "a statement or '}'"
                           : set.find("'model'") != std::string::npos ? "a declaration"
                           : set.find("'await'") != std::string::npos ? "an expression"
                                                                      : "";
        msg = msg.substr(0, at) + (what.empty() ? "" : "; expected " + what);
      } else {
        msg = msg.substr(0, at) + "; expected one of " + set;
      }
    } else if (size_t at = msg.find(" expecting "); at != std::string::npos) {
      msg.replace(at, 11, "; expected ");
    }
    if (msg.rfind("mismatched input ", 0) == 0) msg.replace(0, 17, "unexpected ");
    if (msg.rfind("extraneous input ", 0) == 0) msg.replace(0, 17, "unexpected ");
    if (msg.rfind("no viable alternative at input ", 0) == 0)
      msg = "cannot parse " + msg.substr(31);
    if (msg.rfind("token recognition error at: ", 0) == 0)
      msg = "unexpected character " + msg.substr(28);
    return msg;
  }

  const OffsetMap& map_;
  const SourceFile& file_;
  DiagnosticEngine& diags_;
  size_t lastLine_ = 0;
  bool silenced_ = false;
};

/// Rejects nesting deeper than kMaxNesting before the recursive parser sees it.
bool checkNesting(antlr4::CommonTokenStream& tokens, const OffsetMap& map, DiagnosticEngine& diags) {
  unsigned depth = 0, prefixRun = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    switch (t->getType()) {
      case Mx::LPAREN: case Mx::LBRACK: case Mx::LBRACE: case Mx::STR_INTERP: case Mx::TSTR_INTERP:
        ++depth;
        break;
      case Mx::RPAREN: case Mx::RBRACK: case Mx::RBRACE:
        if (depth) --depth;
        break;
      default: break;
    }
    bool prefix = t->getType() == Mx::MINUS || t->getType() == Mx::NOT || t->getType() == Mx::AWAIT;
    prefixRun = prefix ? prefixRun + 1 : 0;
    if (depth > kMaxNesting || prefixRun > kMaxNesting) {
      diags.error(tokenRange(map, t), "nesting is deeper than " + std::to_string(kMaxNesting) +
                                          " levels; split this into smaller pieces");
      return false;
    }
  }
  return true;
}

constexpr size_t kNoToken = ~size_t(0);

/// The index of the first declaration keyword at or after `from` that starts a line or lies
/// outside every brace, or kNoToken.
size_t nextDeclaration(antlr4::CommonTokenStream& tokens, size_t from) {
  const auto& all = tokens.getTokens();
  int depth = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    antlr4::Token* t = all[i];
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    size_t type = t->getType();
    if (i >= from) {
      bool keyword = type == Mx::MODEL || type == Mx::SOURCE || type == Mx::SINK || type == Mx::TOOLS ||
                     type == Mx::TASK || type == Mx::AGENT || type == Mx::FN || type == Mx::PIPELINE;
      if (keyword && (depth <= 0 || t->getCharPositionInLine() == 0)) return i;
      if (type == antlr4::Token::EOF) return kNoToken;
    }
    if (type == Mx::LBRACE || type == Mx::STR_INTERP || type == Mx::TSTR_INTERP) ++depth;
    if (type == Mx::RBRACE) --depth;
  }
  return kNoToken;
}

}  // namespace

bool OffsetMap::build(const SourceFile& file, DiagnosticEngine& diags) {
  const std::string& s = file.text();
  ascii_ = true;
  for (unsigned char c : s)
    if (c >= 0x80) { ascii_ = false; break; }
  if (ascii_) return true;
  starts_.clear();
  starts_.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len > 1) {  // reject overlong forms and surrogates, as ANTLR's decoder would
      uint32_t cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
      static const uint32_t minCp[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= minCp[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!ok) {
      char hex[8];
      snprintf(hex, sizeof hex, "0x%02X", c);
      diags.error({static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)},
                  std::string("the file is not valid UTF-8 (byte ") + hex + "); is it a binary file?");
      return false;
    }
    starts_.push_back(static_cast<uint32_t>(i));
    i += len;
  }
  starts_.push_back(static_cast<uint32_t>(s.size()));
  return true;
}

SourceRange tokenRange(const OffsetMap& map, const antlr4::Token* token) {
  if (!token || token->getType() == antlr4::Token::EOF) {
    uint32_t at = token ? map.byteOffset(token->getStartIndex()) : 0;
    return {at, at};
  }
  return {map.byteOffset(token->getStartIndex()), map.byteOffset(token->getStopIndex() + 1)};
}

SourceRange ruleRange(const OffsetMap& map, antlr4::ParserRuleContext* ctx) {
  SourceRange first = tokenRange(map, ctx->getStart());
  const antlr4::Token* stop = ctx->getStop();
  if (!stop || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) return first;
  return {first.begin, tokenRange(map, stop).end};
}

}  // namespace parse

std::unique_ptr<Program> parseProgram(const SourceFile& file, DiagnosticEngine& diags) {
  using namespace parse;
  OffsetMap map;
  if (!map.build(file, diags)) return nullptr;

  antlr4::ANTLRInputStream input(file.text());
  SafeLexer lexer(&input);
  DiagnosticListener listener(map, file, diags);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  if (auto open = lexer.unclosedString()) listener.unclosedString(*open);
  if (!checkNesting(tokens, map, diags)) return nullptr;

  GuardedParser parser(&tokens);
  parser.removeErrorListeners();
  Mx::ProgramContext* tree = nullptr;
  try {
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      tree = parser.program();
    } catch (antlr4::ParseCancellationException&) {
      // Slow path: full LL prediction, one error per broken declaration. After an error the
      // parse resumes at the next declaration keyword that starts a line or sits outside any
      // braces, so each declaration is parsed at most once.
      tree = nullptr;
      parser.addErrorListener(&listener);
      parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
          antlr4::atn::PredictionMode::LL);
      size_t from = 0;
      while (true) {
        tokens.seek(from);
        parser.reset();
        tokens.seek(from);
        try {
          // Only a parse from the first token yields the tree; a resumed one only finds errors.
          Mx::ProgramContext* parsed = parser.program();
          if (from == 0) tree = parsed;
          break;
        } catch (const StopParse& stop) {
          size_t next = nextDeclaration(tokens, std::max(stop.tokenIndex, from) + 1);
          if (next == kNoToken || diags.limitReached()) break;
          from = next;
        }
      }
    }
  } catch (const NestingTooDeep& e) {
    diags.error(tokenRange(map, e.token),
                "expression is nested too deeply; split it into smaller pieces");
    return nullptr;
  }
  if (diags.hasErrors() || !tree) return nullptr;
  return buildAst(tree, map, file, diags);
}

bool dumpTokens(const SourceFile& file, DiagnosticEngine& diags, std::ostream& out) {
  using namespace parse;
  OffsetMap map;
  if (!map.build(file, diags)) return false;
  antlr4::ANTLRInputStream input(file.text());
  SafeLexer lexer(&input);
  DiagnosticListener listener(map, file, diags);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  if (auto open = lexer.unclosedString()) listener.unclosedString(*open);
  const antlr4::dfa::Vocabulary& vocab = lexer.getVocabulary();
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    SourceRange r = tokenRange(map, t);
    LineCol lc = file.lineCol(r.begin);
    out << lc.line << ':' << lc.col << ' '
        << (t->getType() == antlr4::Token::EOF ? "EOF" : vocab.getSymbolicName(t->getType()));
    if (t->getType() != antlr4::Token::EOF) {
      out << " '";
      for (char c : file.slice(r)) {
        if (c == '\n') out << "\\n";
        else if (c == '\'') out << "\\'";
        else if (c == '\\') out << "\\\\";
        else out << c;
      }
      out << '\'';
    }
    out << '\n';
  }
  return !diags.hasErrors();
}

}  // namespace mx
