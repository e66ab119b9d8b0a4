// Collections.cpp — list and map built-ins: slice, contains, range, sort, reverse, sum, keys,
// values, has. Each returns a new list that shares the elements (copy-on-write).
#include <algorithm>
#include <string>
#include <vector>

#include "Impls.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;

const std::vector<MxValue>& items(const BuiltinCall& call, size_t i) {
  return rt::listObj(call.arg(i))->items;
}

/// A new list sharing `slots[begin, end)`.
Value shareRange(const std::vector<MxValue>& slots, size_t begin, size_t end) {
  std::vector<MxValue> out(slots.begin() + ptrdiff_t(begin), slots.begin() + ptrdiff_t(end));
  for (const MxValue& v : out) rt::retain(v);
  return Value::adopt(rt::newList(std::move(out)));
}

}  // namespace

void sliceBounds(int64_t size, int64_t& begin, int64_t& end) {
  auto clamp = [size](int64_t i) {
    if (i < 0) i = i < -size ? 0 : i + size;
    return std::min(i, size);
  };
  begin = clamp(begin);
  end = std::max(clamp(end), begin);
}

int32_t sliceList(BuiltinCall& call) {
  int64_t begin = call.integer(1), end = call.integer(2);
  sliceBounds(int64_t(items(call, 0).size()), begin, end);
  call.result = shareRange(items(call, 0), size_t(begin), size_t(end));
  return 0;
}

int32_t containsList(BuiltinCall& call) {
  const auto& xs = items(call, 0);
  call.result = Value::boolean(std::any_of(
      xs.begin(), xs.end(), [&](const MxValue& v) { return rt::equals(v, call.arg(1)); }));
  return 0;
}

int32_t rangeList(BuiltinCall& call) {
  int64_t begin = call.integer(0), end = call.integer(1);
  uint64_t count = end > begin ? uint64_t(end) - uint64_t(begin) : 0;
  if (count > kMaxListLength) {
    return call.fail("range(" + std::to_string(begin) + ", " + std::to_string(end) + ") has " +
                     std::to_string(count) + " elements, more than the limit of " +
                     std::to_string(kMaxListLength));
  }
  std::vector<MxValue> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) out.push_back(rt::intValue(int64_t(uint64_t(begin) + i)));
  call.result = Value::adopt(rt::newList(std::move(out)));
  return 0;
}

int32_t sortList(BuiltinCall& call) {
  call.result = shareRange(items(call, 0), 0, items(call, 0).size());
  auto& out = rt::listObj(call.result.raw())->items;  // a fresh list only `result` holds
  std::stable_sort(out.begin(), out.end(),
                   [](const MxValue& a, const MxValue& b) { return rt::compare(a, b) < 0; });
  return 0;
}

int32_t reverseList(BuiltinCall& call) {
  call.result = shareRange(items(call, 0), 0, items(call, 0).size());
  auto& out = rt::listObj(call.result.raw())->items;
  std::reverse(out.begin(), out.end());
  return 0;
}

int32_t sumInt(BuiltinCall& call) {
  int64_t total = 0;
  for (const MxValue& v : items(call, 0)) {
    if (__builtin_add_overflow(total, v.as.i, &total)) return call.fail("integer overflow in sum");
  }
  call.result = Value::integer(total);
  return 0;
}

int32_t sumFloat(BuiltinCall& call) {
  double total = 0;
  for (const MxValue& v : items(call, 0)) total += rt::toDouble(v);
  call.result = Value::number(total);
  return 0;
}

int32_t mapKeys(BuiltinCall& call) {
  std::vector<Value> out;
  for (const auto& [key, v] : rt::mapObj(call.arg(0))->entries) out.push_back(Value::string(key));
  call.result = Value::list(std::move(out));
  return 0;
}

int32_t mapValues(BuiltinCall& call) {
  std::vector<Value> out;
  for (const auto& [key, v] : rt::mapObj(call.arg(0))->entries) out.push_back(Value::copyOf(v));
  call.result = Value::list(std::move(out));
  return 0;
}

int32_t mapHas(BuiltinCall& call) {
  call.result = Value::boolean(rt::mapObj(call.arg(0))->find(call.str(1)) >= 0);
  return 0;
}

}  // namespace mx::stdlib::impl
