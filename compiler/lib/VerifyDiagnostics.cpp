// VerifyDiagnostics.cpp — `mxc check --verify`: diagnostics checked beside the offending line.
//
// A comment `// expected-error {{unknown name 'x'}}` expects an error on its own line whose
// message contains the text; `expected-error@+1` / `@-2` shift the line. Every expectation must
// be met by a diagnostic and every diagnostic (and note) must be expected, as in clang -verify.
#include <ostream>
#include <regex>

#include "mx/compiler/Driver.h"

namespace mx {
namespace {

struct Expectation {
  Severity severity;
  uint32_t line;
  std::string text;
  bool met = false;
};

const char* name(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

}  // namespace

bool verifyDiagnostics(const SourceFile& file, const DiagnosticEngine& diags, std::ostream& err) {
  std::vector<Expectation> expected;
  static const std::regex re(R"(expected-(error|warning|note)(@([+-]?)(\d+))?\s*\{\{(.*?)\}\})");
  for (uint32_t line = 1; line <= file.lineCount(); ++line) {
    std::string text(file.lineText(line));
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      Severity s = m[1] == "error" ? Severity::Error : m[1] == "warning" ? Severity::Warning : Severity::Note;
      uint32_t target = line;
      if (m[2].matched) {
        uint32_t n = static_cast<uint32_t>(std::stoul(m[4]));
        target = m[3] == "+" ? line + n : m[3] == "-" ? line - n : n;
      }
      expected.push_back({s, target, m[5]});
    }
  }

  bool ok = true;
  auto match = [&](Severity s, SourceRange r, const std::string& message) {
    uint32_t line = file.lineCol(r.begin).line;
    for (auto& e : expected)
      if (!e.met && e.severity == s && e.line == line && message.find(e.text) != std::string::npos) {
        e.met = true;
        return;
      }
    LineCol lc = file.lineCol(r.begin);
    err << file.path() << ':' << lc.line << ':' << lc.col << ": unexpected " << name(s) << ": " << message << '\n';
    ok = false;
  };
  for (const auto& d : diags.diagnostics()) {
    match(d.severity, d.range, d.message);
    for (const auto& n : d.notes) match(Severity::Note, n.range, n.message);
  }
  for (const auto& e : expected)
    if (!e.met) {
      err << file.path() << ':' << e.line << ": expected " << name(e.severity) << " not produced: {{" << e.text
          << "}}\n";
      ok = false;
    }
  return ok;
}

}  // namespace mx
