// ParseFuzzer.cpp — libFuzzer target over the whole front end (parse + every sema pass).
//
// Built with clang and -fsanitize=fuzzer when MX_FUZZ=ON (`make fuzz`). In the ordinary build a
// stand-in main() (StandaloneMain.cpp) feeds it every file of the corpus, so ctest replays what
// the fuzzer found without needing clang.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "mx/compiler/Driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mx::SourceFile file("fuzz.mx", std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out, err;
  for (auto emit : {mx::EmitKind::Tokens, mx::EmitKind::Sema})
    mx::runFrontEnd(file, {{}, emit, false}, out, err);
  return 0;
}
