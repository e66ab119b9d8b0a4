// mxc — the mx compiler's command line: check pipelines and print each front-end stage.

#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "mx/ExitCodes.h"
#include "mx/LargeStack.h"
#include "mx/compiler/Codegen.h"
#include "mx/compiler/Driver.h"
#include "mx/stdlib/Builtins.h"

namespace {

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsage = R"(mxc — compiler for .mx pipelines

Usage:
  mxc check [options] FILE...      check pipelines; print diagnostics
  mxc --emit=KIND [options] FILE   print a stage: tokens, ast, sema, states or llvm
  mxc -o PIPELINE.so FILE          compile ahead of time to a shared object (`mx run --aot`)
  mxc --list-builtins              print the built-in functions and methods

Options:
  --emit=KIND           tokens | ast | sema (after semantic analysis, with types) |
                        states (agents as resumable state machines) | llvm (optimised IR)
  -o FILE               write a shared object with the compiled pipeline
  --verify              compare diagnostics with `// expected-error {{...}}` comments
  -Werror               treat warnings as errors
  --error-limit=N       stop after N errors (default 50; 0 means no limit)
  -h, --help            show this help
  --version             show the version

Exit status:
  0  no errors
  1  the program has errors (or --verify found a mismatch)
  2  bad command line
  3  a file could not be read
  4  internal error (a bug in mxc; please report it)
)";

int usageError(const std::string& message) {
  std::cerr << "mxc: " << message << "\nTry 'mxc --help'.\n";
  return mx::kExitUsage;
}


void listBuiltins() {
  const char* scopes[] = {"", "MODEL.", "TOOLS."};
  for (const auto& b : mx::stdlib::builtinSpecs())
    std::cout << scopes[static_cast<int>(b.scope)] << b.name << b.signature << (b.isAsync ? "  [await]" : "")
              << "\n    " << b.summary << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  mx::FrontEndOptions options;
  std::vector<std::string> files;
  bool check = false, emitGiven = false, emitLlvm = false;
  std::string outputPath;

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help" || a == "help") {
      std::cout << kUsage;
      return mx::kExitOk;
    } else if (a == "--version") {
      std::cout << "mxc " << kVersion << '\n';
      return mx::kExitOk;
    } else if (a == "--list-builtins") {
      listBuiltins();
      return mx::kExitOk;
    } else if (a == "check" && i == 0) {
      check = true;
    } else if (a.rfind("--emit=", 0) == 0) {
      std::string kind = a.substr(7);
      emitGiven = true;
      if (kind == "tokens") options.emit = mx::EmitKind::Tokens;
      else if (kind == "ast") options.emit = mx::EmitKind::Ast;
      else if (kind == "sema") options.emit = mx::EmitKind::Sema;
      else if (kind == "states") options.emit = mx::EmitKind::States;
      else if (kind == "llvm") emitLlvm = true;
      else return usageError("unknown --emit kind '" + kind + "' (expected tokens, ast, sema, states or llvm)");
    } else if (a == "--verify") {
      options.verify = true;
    } else if (a == "-Werror" || a == "--warnings-as-errors") {
      options.diagnostics.warningsAsErrors = true;
    } else if (a.rfind("--error-limit=", 0) == 0) {
      try {
        long n = std::stol(a.substr(14));
        if (n < 0) throw std::invalid_argument("negative");
        options.diagnostics.errorLimit = n == 0 ? ~0u : static_cast<unsigned>(n);
      } catch (...) {
        return usageError("--error-limit needs a non-negative number");
      }
    } else if (a == "-o") {
      if (i + 1 >= args.size()) return usageError("-o needs a file name");
      outputPath = args[++i];
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return usageError("unknown option '" + a + "'");
    } else {
      files.push_back(a);
    }
  }
  if (!check && !emitGiven && outputPath.empty()) {
    if (files.empty()) return usageError("no command given");
    return usageError("unknown command '" + files.front() + "' (did you mean 'mxc check " + files.front() + "'?)");
  }
  if (files.empty()) return usageError("no input file");
  if ((emitGiven || !outputPath.empty()) && files.size() > 1)
    return usageError("--emit and -o take one file");

  if (emitLlvm || !outputPath.empty()) {
    options.backend = [&](mx::SemaContext& sema, const mx::SourceFile& file, std::ostream& out,
                          std::ostream& err) {
      mx::ir::Module module = mx::ir::lower(sema, file);
      std::string descriptor = mx::buildDescriptor(sema, module, file), error;
      bool ok = emitLlvm ? mx::printLlvm(module, descriptor, out, true, error)
                         : mx::writeSharedObject(module, descriptor, outputPath, error);
      if (!ok) err << "mxc: error: " << error << '\n';
      return ok ? mx::kExitOk : mx::kExitInput;
    };
  }

  return mx::runWithLargeStack([&]() {
    int status = mx::kExitOk;
    for (const auto& path : files) {
      std::string error;
      auto file = mx::SourceFile::read(path == "-" ? "/dev/stdin" : path, error);
      if (!file) {
        std::cerr << "mxc: error: " << error << '\n';
        status = std::max<int>(status, mx::kExitInput);
        continue;
      }
      int rc = mx::runFrontEnd(*file, options, std::cout, std::cerr);
      if (rc != mx::kExitOk && status == mx::kExitOk) status = rc;
    }
    return status;
  });
}
