// Json.cpp — json_parse, json_dump and json_get.
#include <algorithm>
#include <string>
#include <vector>

#include "Impls.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;

/// One step of a json_get path: a key, or an array index.
struct PathStep {
  bool isIndex;
  std::string_view key;
  int64_t index;
};

/// Splits "a.b[0][2].c" into steps. Keys are the text between '.', '[' and the ends (no quoting,
/// so a key cannot contain '.' or '['); indices are non-negative decimal integers. Returns "" or
/// what is wrong.
std::string parsePath(std::string_view path, std::vector<PathStep>& steps) {
  auto at = [](size_t pos) { return " at offset " + std::to_string(pos); };
  for (size_t i = 0; i < path.size();) {
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == path.npos) return "unclosed '['" + at(i);
      std::string_view digits = path.substr(i + 1, close - i - 1);
      // 18 digits always fit in an int64.
      if (digits.empty() || digits.size() > 18 ||
          digits.find_first_not_of("0123456789") != digits.npos) {
        return "expected an index between '[' and ']'" + at(i);
      }
      steps.push_back({true, {}, std::stoll(std::string(digits))});
      i = close + 1;
      continue;
    }
    if (!steps.empty()) {  // after the first step, a key follows a '.'
      if (path[i] != '.') return "expected '.' or '['" + at(i);
      ++i;
    }
    size_t end = std::min(path.find_first_of(".[", i), path.size());
    if (end == i) return "empty key" + at(i);
    steps.push_back({false, path.substr(i, end - i), 0});
    i = end;
  }
  return "";
}

}  // namespace

int32_t jsonParse(BuiltinCall& call) {
  std::string error;
  call.result = Value::fromJson(call.str(0), error);
  if (!error.empty()) return call.fail("invalid JSON: " + error);
  return 0;
}

int32_t jsonDump(BuiltinCall& call) {
  call.result = Value::string(rt::toJson(call.arg(0)));
  return 0;
}

int32_t jsonGet(BuiltinCall& call) {
  std::vector<PathStep> steps;
  std::string error = parsePath(call.str(1), steps);
  if (!error.empty()) {
    return call.fail("json_get: invalid path " + rt::quoteForError(call.str(1)) + ": " + error);
  }
  Value current = Value::copyOf(call.arg(0));
  for (const PathStep& step : steps) {
    if (current.isNone()) break;
    Value next;
    if (step.isIndex) {
      rt::jsonIndex(next.slot(), current.raw(), rt::intValue(step.index));
    } else {
      rt::jsonMember(next.slot(), current.raw(), step.key);
    }
    current = std::move(next);
  }
  call.result = std::move(current);
  return 0;
}

}  // namespace mx::stdlib::impl
