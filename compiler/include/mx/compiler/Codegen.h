// Codegen.h — from the state IR to machine code: the module descriptor, LLVM IR, the ORC JIT
// and ahead-of-time shared objects.
//
// LLVM's headers stay in lib/codegen (they are heavy to compile); this header exposes only what
// the tools need. The JIT resolves mx_rt_* through a symbol table the caller passes in, so the
// compiler library never links the runtime: `mx` hands over the addresses it links itself.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mx/compiler/StateIR.h"
#include "mx/rt/Abi.h"

namespace mx {

struct SemaContext;

/// The JSON description of the pipeline that a compiled module carries (see MxModule).
std::string buildDescriptor(const SemaContext& sema, const ir::Module& module, const SourceFile& file);

/// Writes the module as textual LLVM IR (`mxc --emit=llvm`), optimised unless `optimize` is false.
bool printLlvm(const ir::Module& module, const std::string& descriptor, std::ostream& out,
               bool optimize, std::string& error);

/// Compiles to an object file and links it into a shared object with the system `cc`
/// (`mxc -o pipeline.so`). The object's mx_rt_* references resolve against the loading binary.
bool writeSharedObject(const ir::Module& module, const std::string& descriptor,
                       const std::string& path, std::string& error);

/// Host symbols the JIT may call: every mx_rt_* function with its address.
using SymbolTable = std::vector<std::pair<std::string, void*>>;

/// A pipeline compiled in process. Keeps the JIT (and its code) alive.
class JitModule {
 public:
  virtual ~JitModule() = default;
  virtual const MxModule* module() const = 0;
};

std::unique_ptr<JitModule> jitCompile(const ir::Module& module, const std::string& descriptor,
                                      const SymbolTable& host, std::string& error);

}  // namespace mx
