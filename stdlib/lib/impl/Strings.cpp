// Strings.cpp — slicing, splitting, joining, searching and building strings. Positions count
// code points (docs/language.md §12); byte offsets stay internal.
#include <string>
#include <vector>

#include "Impls.h"
#include "mx/rt/Utf8.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;

/// The byte offset of code point `index` in a string slot (O(1) for ASCII strings).
size_t offsetOf(const MxValue& s, int64_t index) {
  const rt::StrObj& obj = *rt::strObj(s);
  return obj.isAscii() ? size_t(index) : rt::utf8::byteOffset(obj.bytes, size_t(index));
}

}  // namespace

int32_t sliceString(BuiltinCall& call) {
  int64_t begin = call.integer(1), end = call.integer(2);
  sliceBounds(int64_t(rt::strObj(call.arg(0))->codePoints), begin, end);
  size_t from = offsetOf(call.arg(0), begin), to = offsetOf(call.arg(0), end);
  call.result = Value::string(call.str(0).substr(from, to - from));
  return 0;
}

int32_t splitString(BuiltinCall& call) {
  std::string_view s = call.str(0), sep = call.str(1);
  if (sep.empty()) return call.fail("split: the separator is empty");
  std::vector<Value> parts;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != s.npos; start = at + sep.size()) {
    parts.push_back(Value::string(s.substr(start, at - start)));
  }
  parts.push_back(Value::string(s.substr(start)));
  call.result = Value::list(std::move(parts));
  return 0;
}

int32_t joinStrings(BuiltinCall& call) {
  std::string out;
  std::string_view sep = call.str(1);
  bool first = true;
  for (const MxValue& part : rt::listObj(call.arg(0))->items) {
    if (!first) out += sep;
    first = false;
    out += part.tag == MX_STR ? std::string(rt::stringView(part)) : rt::toString(part);
  }
  call.result = Value::string(out);
  return 0;
}

int32_t stripString(BuiltinCall& call) {
  call.result = Value::string(rt::utf8::strip(call.str(0)));
  return 0;
}

int32_t containsString(BuiltinCall& call) {
  call.result = Value::boolean(call.str(0).find(call.str(1)) != std::string_view::npos);
  return 0;
}

int32_t startsWith(BuiltinCall& call) {
  call.result = Value::boolean(call.str(0).starts_with(call.str(1)));
  return 0;
}

int32_t endsWith(BuiltinCall& call) {
  call.result = Value::boolean(call.str(0).ends_with(call.str(1)));
  return 0;
}

// An empty `old` leaves the string as it is (there is no sensible "every occurrence" of "").
int32_t replaceAll(BuiltinCall& call) {
  std::string_view s = call.str(0), old = call.str(1), with = call.str(2);
  if (old.empty()) {
    call.result = Value::copyOf(call.arg(0));
    return 0;
  }
  std::string out;
  size_t start = 0;
  for (size_t at; (at = s.find(old, start)) != s.npos; start = at + old.size()) {
    out.append(s.substr(start, at - start)).append(with);
    if (out.size() > kMaxStringBytes) return call.fail("replace: the result is too long");
  }
  out.append(s.substr(start));
  call.result = Value::string(out);
  return 0;
}

int32_t findIn(BuiltinCall& call) {
  size_t at = call.str(0).find(call.str(1));
  call.result = Value::integer(at == std::string_view::npos
                                   ? -1
                                   : int64_t(rt::utf8::countCodePoints(call.str(0).substr(0, at))));
  return 0;
}

int32_t repeatString(BuiltinCall& call) {
  std::string_view s = call.str(0);
  int64_t n = call.integer(1);
  if (n <= 0 || s.empty()) {
    call.result = Value::string("");
    return 0;
  }
  if (uint64_t(n) > kMaxStringBytes / s.size()) {
    return call.fail("repeat: " + std::to_string(n) + " copies of " + std::to_string(s.size()) +
                     " bytes exceed the limit of " + std::to_string(kMaxStringBytes) + " bytes");
  }
  std::string out;
  out.reserve(s.size() * size_t(n));
  for (int64_t i = 0; i < n; ++i) out += s;
  call.result = Value::string(out);
  return 0;
}

}  // namespace mx::stdlib::impl
