// Aot.cpp — `mxc --emit=llvm` and `mxc -o pipeline.so`: LLVM IR as text, and shared objects.
//
// The object file is written by LLVM's target machine and linked by the system C compiler
// driver (`cc -shared`), which knows the platform's linker flags. Its mx_rt_* references stay
// undefined and resolve against the `mx` binary that dlopens it.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ostream>

#include "LlvmModule.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "mx/compiler/Codegen.h"

namespace mx {
namespace {

/// The module translated for `machine`'s target, optimised when asked.
std::unique_ptr<llvm::Module> prepare(llvm::LLVMContext& context, const ir::Module& module,
                                      const std::string& descriptor, llvm::TargetMachine& machine, bool optimize) {
  auto m = codegen::buildLlvmModule(context, module, descriptor);
  m->setDataLayout(machine.createDataLayout());
  m->setTargetTriple(machine.getTargetTriple().str());
  if (optimize) codegen::optimizeModule(*m, &machine);
  return m;
}

}  // namespace

bool printLlvm(const ir::Module& module, const std::string& descriptor, std::ostream& out, bool optimize,
               std::string& error) {
  auto machine = codegen::hostTargetMachine(error, false);  // the same text on every machine
  if (!machine) return false;
  llvm::LLVMContext context;
  auto m = prepare(context, module, descriptor, *machine, optimize);
  std::string text;
  llvm::raw_string_ostream os(text);
  m->print(os, nullptr);
  out << os.str();
  return true;
}

bool writeSharedObject(const ir::Module& module, const std::string& descriptor, const std::string& path,
                       std::string& error) {
  // A shared object may run on another machine than the one that built it: generic x86-64.
  auto machine = codegen::hostTargetMachine(error, false);
  if (!machine) return false;
  llvm::LLVMContext context;
  auto m = prepare(context, module, descriptor, *machine, true);

  std::string object = path + ".o";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(object, ec, llvm::sys::fs::OF_None);
    if (ec) {
      error = "cannot write '" + object + "': " + ec.message();
      return false;
    }
    llvm::legacy::PassManager pm;
    if (machine->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      error = "the target cannot emit object files";
      return false;
    }
    pm.run(*m);
  }
  std::string command = "cc -shared -o '" + path + "' '" + object + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buf[512];
  while (pipe && fgets(buf, sizeof buf, pipe)) output += buf;
  int status = pipe ? pclose(pipe) : -1;
  unlink(object.c_str());
  if (status != 0) {
    error = "linking '" + path + "' failed: " + (output.empty() ? "cannot run cc" : output);
    return false;
  }
  return true;
}

}  // namespace mx
