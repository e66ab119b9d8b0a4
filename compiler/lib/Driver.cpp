// Driver.cpp — the front-end pipeline: tokens → parse → AST → sema passes → dumps.
#include "mx/compiler/Driver.h"

#include <ostream>

#include "mx/ExitCodes.h"
#include "mx/compiler/Parse.h"
#include "mx/compiler/Printers.h"
#include "mx/compiler/Sema.h"
#include "mx/compiler/StateIR.h"

namespace mx {

int runFrontEnd(const SourceFile& file, const FrontEndOptions& options, std::ostream& out,
                std::ostream& err) {
  DiagnosticEngine diags(file, options.diagnostics);
  auto finish = [&]() {
    if (options.verify) return verifyDiagnostics(file, diags, err) ? kExitOk : kExitProgramErrors;
    diags.print(err);
    return diags.hasErrors() ? kExitProgramErrors : kExitOk;
  };

  if (options.emit == EmitKind::Tokens) {
    dumpTokens(file, diags, out);
    return finish();
  }
  std::unique_ptr<Program> program = parseProgram(file, diags);
  if (!program || diags.hasErrors()) return finish();
  if (options.emit == EmitKind::Ast) {
    printAst(*program, file, out);
    return finish();
  }
  SemaContext sema(*program, diags);
  runSema(sema);
  if (options.emit == EmitKind::Sema) printSema(sema, file, out);
  if (diags.hasErrors()) return finish();
  if (options.emit == EmitKind::States) printStates(ir::lower(sema, file), out);
  if (options.backend) {
    int rc = options.backend(sema, file, out, err);
    if (rc != kExitOk) {
      diags.print(err);
      return rc;
    }
  }
  return finish();
}

}  // namespace mx
