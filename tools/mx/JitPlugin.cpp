// JitPlugin.cpp — libmx_jit.so: the front end, lowering and ORC JIT behind JitPlugin.h.
#include "JitPlugin.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

#include "mx/ExitCodes.h"
#include "mx/compiler/Codegen.h"
#include "mx/compiler/Driver.h"

namespace {

char* copyText(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int mx_jit_compile_v1(const MxJitRequest* request,
                                                                        const MxModule** module, void** handle,
                                                                        char** diagnostics) {
  *module = nullptr;
  *handle = nullptr;
  std::string error;
  auto file = mx::SourceFile::read(request->path, error);
  if (!file) {
    *diagnostics = copyText("mx: error: " + error + "\n");
    return mx::kExitInput;
  }
  mx::SymbolTable host;
  for (size_t i = 0; i < request->symbolCount; ++i)
    host.emplace_back(request->symbolNames[i], request->symbolAddresses[i]);

  std::unique_ptr<mx::JitModule> jit;
  mx::FrontEndOptions options;
  options.backend = [&](mx::SemaContext& sema, const mx::SourceFile& f, std::ostream&, std::ostream& err) {
    mx::ir::Module ir = mx::ir::lower(sema, f);
    std::string descriptor = mx::buildDescriptor(sema, ir, f), why;
    jit = mx::jitCompile(ir, descriptor, host, why);
    if (!jit) err << "mx: error: " << why << '\n';
    return jit ? mx::kExitOk : mx::kExitInternal;
  };
  std::ostringstream out, err;
  int rc = mx::runFrontEnd(*file, options, out, err);
  *diagnostics = err.str().empty() ? nullptr : copyText(err.str());
  if (rc != mx::kExitOk || !jit) return rc == mx::kExitOk ? mx::kExitInternal : rc;
  *module = jit->module();
  *handle = jit.release();
  return mx::kExitOk;
}

extern "C" __attribute__((visibility("default"))) void mx_jit_release_v1(void* handle) {
  delete static_cast<mx::JitModule*>(handle);
}

extern "C" __attribute__((visibility("default"))) void mx_jit_free_text_v1(char* text) { std::free(text); }
