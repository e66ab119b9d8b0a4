// Diagnostics.cpp — collecting and printing diagnostics.
#include "mx/compiler/Diagnostics.h"

#include <algorithm>
#include <ostream>

namespace mx {

DiagnosticEngine::DiagnosticEngine(const SourceFile& file, DiagnosticOptions options)
    : file_(file), options_(options) {}

Diagnostic& DiagnosticEngine::add(Severity severity, SourceRange range, std::string message) {
  if (severity == Severity::Warning && options_.warningsAsErrors) severity = Severity::Error;
  if (severity == Severity::Error && errors_ >= options_.errorLimit) {
    overflowed_ = true;
    dropped_ = {};
    return dropped_;
  }
  (severity == Severity::Error ? errors_ : warnings_)++;
  diags_.push_back({severity, range, std::move(message), {}});
  return diags_.back();
}

Diagnostic& DiagnosticEngine::error(SourceRange range, std::string message) {
  return add(Severity::Error, range, std::move(message));
}

Diagnostic& DiagnosticEngine::warning(SourceRange range, std::string message) {
  return add(Severity::Warning, range, std::move(message));
}

void DiagnosticEngine::note(SourceRange range, std::string message) {
  if (overflowed_ || diags_.empty()) return;
  diags_.back().notes.push_back({range, std::move(message)});
}

static const char* severityName(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

void DiagnosticEngine::printOne(std::ostream& out, Severity severity, SourceRange range,
                                const std::string& message) const {
  LineCol lc = file_.lineCol(range.begin);
  out << file_.path() << ':' << lc.line << ':' << lc.col << ": " << severityName(severity) << ": "
      << message << '\n';
  std::string_view line = file_.lineText(lc.line);
  // Very long lines (minified or generated input) are not worth echoing in full.
  if (line.size() > 300) return;
  out << line << '\n';
  // Pad by characters, not bytes, so the caret sits under the span after non-ASCII text.
  auto isContinuation = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
  std::string caret;
  for (uint32_t i = 0; i + 1 < lc.col && i < line.size(); ++i)
    if (!isContinuation(line[i])) caret += line[i] == '\t' ? '\t' : ' ';
  caret += '^';
  uint32_t lineStart = range.begin - (lc.col - 1);
  uint32_t end = std::min(range.end, lineStart + static_cast<uint32_t>(line.size()));
  for (uint32_t i = range.begin + 1; i < end; ++i)
    if (!isContinuation(line[i - lineStart])) caret += '~';
  out << caret << '\n';
}

void DiagnosticEngine::print(std::ostream& out) const {
  std::vector<const Diagnostic*> order;
  for (const auto& d : diags_) order.push_back(&d);
  std::stable_sort(order.begin(), order.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return a->range.begin < b->range.begin;
  });
  for (const Diagnostic* d : order) {
    printOne(out, d->severity, d->range, d->message);
    for (const Note& n : d->notes) printOne(out, Severity::Note, n.range, n.message);
  }
  if (overflowed_)
    out << file_.path() << ": error: too many errors (" << options_.errorLimit
        << "), stopping now\n";
  if (errors_ || warnings_) {
    auto plural = [](unsigned n, const char* w) {
      return std::to_string(n) + " " + w + (n == 1 ? "" : "s");
    };
    if (errors_ && warnings_) out << plural(warnings_, "warning") << " and " << plural(errors_, "error");
    else if (errors_) out << plural(errors_, "error");
    else out << plural(warnings_, "warning");
    out << " generated.\n";
  }
}

}  // namespace mx
