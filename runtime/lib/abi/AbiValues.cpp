// AbiValues.cpp — the "values" section of Abi.h: releasing, copying, moving slots and string
// constants.
#include <string>

#include "mx/rt/Abi.h"
#include "mx/rt/Value.h"

using namespace mx::rt;

extern "C" {

void mx_rt_clear(MxValue* slot) { release(*slot); }

void mx_rt_copy(MxValue* dst, const MxValue* src) {
  if (dst == src) return;
  retain(*src);
  assign(dst, *src);
}

void mx_rt_move(MxValue* dst, MxValue* src) {
  if (dst == src) return;
  MxValue v = *src;
  *src = MxValue{};
  assign(dst, v);
}

void mx_rt_const_str(MxValue* out, const char* utf8, uint64_t len) {
  assign(out, newString(std::string(utf8, size_t(len))));
}

}  // extern "C"
