// Diagnostics.h — clang-style diagnostics: `file:line:col: error: message`, the source line, a
// caret under the span, and notes for secondary locations.
//
// Passes report into one DiagnosticEngine; it keeps them (so --verify can compare them against
// `// expected-error {{...}}` comments) and prints them sorted by location. After `errorLimit`
// errors further ones are dropped, with one line saying so, so a garbage file cannot flood a
// terminal.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "mx/compiler/Source.h"

namespace mx {

enum class Severity { Error, Warning, Note };

struct Note {
  SourceRange range;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceRange range;
  std::string message;
  std::vector<Note> notes;
};

struct DiagnosticOptions {
  unsigned errorLimit = 50;
  bool warningsAsErrors = false;
  bool color = false;
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const SourceFile& file, DiagnosticOptions options = {});

  /// Adds a diagnostic; the returned reference stays valid until the next report (add notes now).
  Diagnostic& error(SourceRange range, std::string message);
  Diagnostic& warning(SourceRange range, std::string message);
  /// Attaches a note to the most recent diagnostic.
  void note(SourceRange range, std::string message);

  unsigned errorCount() const { return errors_; }
  unsigned warningCount() const { return warnings_; }
  bool hasErrors() const { return errors_ > 0; }
  bool limitReached() const { return errors_ >= options_.errorLimit; }
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  const SourceFile& file() const { return file_; }

  /// Prints every diagnostic in source order, then a summary line when there were any.
  void print(std::ostream& out) const;
  void printOne(std::ostream& out, Severity severity, SourceRange range,
                const std::string& message) const;

 private:
  Diagnostic& add(Severity severity, SourceRange range, std::string message);

  const SourceFile& file_;
  DiagnosticOptions options_;
  std::vector<Diagnostic> diags_;
  Diagnostic dropped_;  // receives reports past the error limit
  unsigned errors_ = 0;
  unsigned warnings_ = 0;
  bool overflowed_ = false;
};

}  // namespace mx
