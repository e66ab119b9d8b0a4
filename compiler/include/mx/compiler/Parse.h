// Parse.h — from source text to AST.
//
// The ANTLR-generated parser stays behind this header (its headers are heavy and its types
// should not leak). Input is checked before parsing for what would make a recursive parser
// misbehave: invalid UTF-8 and nesting deeper than kMaxNesting, each a located error.
#pragma once

#include <iosfwd>
#include <memory>

#include "mx/compiler/AST.h"
#include "mx/compiler/Diagnostics.h"

namespace mx {

/// Brackets, braces, parentheses and `${` may nest this deep; deeper input is rejected with a
/// diagnostic instead of risking the stack. Real pipelines stay below 20.
constexpr unsigned kMaxNesting = 256;

/// Parses a whole file. Syntax errors go to `diags`; the returned program is null when the
/// file could not be parsed, and otherwise holds every declaration that was understood.
std::unique_ptr<Program> parseProgram(const SourceFile& file, DiagnosticEngine& diags);

/// Writes the tokens, one per line: `line:col KIND 'text'` (hidden tokens skipped).
/// Returns false (with a diagnostic) when the input cannot be tokenized.
bool dumpTokens(const SourceFile& file, DiagnosticEngine& diags, std::ostream& out);

}  // namespace mx
