// LlvmModule.h — private to lib/codegen: building and optimising the llvm::Module.
#pragma once

#include <memory>
#include <string>

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "mx/compiler/StateIR.h"

namespace llvm {
class TargetMachine;
}

namespace mx::codegen {

/// Translates every function of the state IR, plus the `mx_module()` descriptor accessor.
std::unique_ptr<llvm::Module> buildLlvmModule(llvm::LLVMContext& context, const ir::Module& module,
                                              const std::string& descriptor);

/// Runs LLVM's default O2 pipeline.
void optimizeModule(llvm::Module& module, llvm::TargetMachine* machine);

/// A TargetMachine for this platform, producing position-independent code. With `hostCpu` it
/// uses every feature of this CPU (the JIT); without, a generic CPU (portable shared objects).
std::unique_ptr<llvm::TargetMachine> hostTargetMachine(std::string& error, bool hostCpu);

}  // namespace mx::codegen
