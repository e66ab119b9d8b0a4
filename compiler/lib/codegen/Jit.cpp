// Jit.cpp — compiling a pipeline in process with ORC LLJIT.
//
// Host functions are registered explicitly (orc::absoluteSymbols) from the table the caller
// passes, instead of exporting the whole binary's symbols: the JIT'd code can reach exactly the
// mx_rt_* ABI and nothing else.
#include "LlvmModule.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"
#include "mx/compiler/Codegen.h"

namespace mx {
namespace {

class OrcModule : public JitModule {
 public:
  OrcModule(std::unique_ptr<llvm::orc::LLJIT> jit, const MxModule* module)
      : jit_(std::move(jit)), module_(module) {}
  const MxModule* module() const override { return module_; }

 private:
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  const MxModule* module_;
};

std::string message(llvm::Error e) { return llvm::toString(std::move(e)); }

}  // namespace

std::unique_ptr<JitModule> jitCompile(const ir::Module& module, const std::string& descriptor,
                                      const SymbolTable& host, std::string& error) {
  auto machine = codegen::hostTargetMachine(error, true);
  if (!machine) return nullptr;
  auto context = std::make_unique<llvm::LLVMContext>();
  auto llvmModule = codegen::buildLlvmModule(*context, module, descriptor);
  llvmModule->setDataLayout(machine->createDataLayout());
  codegen::optimizeModule(*llvmModule, machine.get());

  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit) {
    error = "cannot start the JIT: " + message(jit.takeError());
    return nullptr;
  }
  llvm::orc::SymbolMap symbols;
  for (const auto& [name, address] : host)
    symbols[(*jit)->mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                              llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  if (auto e = (*jit)->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    error = "cannot register runtime symbols: " + message(std::move(e));
    return nullptr;
  }
  if (auto e = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(llvmModule), std::move(context)))) {
    error = "cannot add the pipeline to the JIT: " + message(std::move(e));
    return nullptr;
  }
  auto entry = (*jit)->lookup("mx_module");
  if (!entry) {
    error = "cannot link the pipeline: " + message(entry.takeError());
    return nullptr;
  }
  const MxModule* info = entry->toPtr<MxModuleFn>()();
  return std::make_unique<OrcModule>(std::move(*jit), info);
}

}  // namespace mx
