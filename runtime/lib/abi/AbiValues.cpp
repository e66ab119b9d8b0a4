// AbiValues.cpp — the "values" section of Abi.h: releasing, copying and moving slots, and
// constants. (mx_rt_convert is in AbiConvert.cpp.)
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

void mx_rt_set_int(MxValue* out, int64_t v) { assign(out, intValue(v)); }
void mx_rt_set_float(MxValue* out, double v) { assign(out, floatValue(v)); }
void mx_rt_set_bool(MxValue* out, int32_t v) { assign(out, boolValue(v != 0)); }

void mx_rt_clear_array(MxValue* slots, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) release(slots[i]);
}

}  // extern "C"
