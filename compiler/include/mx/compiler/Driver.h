// Driver.h — the front end as one call: parse, analyse, print what was asked, return an exit
// code. `mxc`, the tests and the fuzzer all enter here, so they exercise the same path.
#pragma once

#include <functional>
#include <iosfwd>

#include "mx/compiler/Diagnostics.h"
#include "mx/compiler/Source.h"

namespace mx {

struct SemaContext;

enum class EmitKind { None, Tokens, Ast, Sema, States };

struct FrontEndOptions {
  DiagnosticOptions diagnostics;
  EmitKind emit = EmitKind::None;
  /// Compare diagnostics against `// expected-error {{...}}` comments instead of printing them.
  bool verify = false;
  /// Runs after semantic analysis succeeds (code generation lives in another library, so the
  /// front end does not link LLVM). Returns an mx::ExitCode.
  std::function<int(SemaContext&, const SourceFile&, std::ostream& out, std::ostream& err)> backend;
};

/// Runs the front end over `file`, writing dumps to `out` and diagnostics to `err`. Returns an
/// mx::ExitCode: kExitOk, or kExitProgramErrors when the program (or a --verify check) fails.
int runFrontEnd(const SourceFile& file, const FrontEndOptions& options, std::ostream& out,
                std::ostream& err);

/// Checks emitted diagnostics against the file's `expected-error/warning/note {{text}}`
/// comments (optionally `@+N` / `@-N` for another line). Reports every mismatch to `err`.
bool verifyDiagnostics(const SourceFile& file, const DiagnosticEngine& diags, std::ostream& err);

}  // namespace mx
