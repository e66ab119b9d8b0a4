// Time.cpp — now() and now_iso(), the only built-ins that do not replay (docs/language.md §10.5).
#include <chrono>
#include <cstdio>
#include <ctime>

#include "Impls.h"

namespace mx::stdlib::impl {

int32_t nowSeconds(BuiltinCall& call) {
  auto since = std::chrono::system_clock::now().time_since_epoch();
  call.result = rt::Value::number(std::chrono::duration<double>(since).count());
  return 0;
}

// "2025-01-31T12:34:56.789Z": UTC with milliseconds, which sorts as text.
int32_t nowIso(BuiltinCall& call) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = std::time_t(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[80];  // room for any int the format could print
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(ms % 1000));
  call.result = rt::Value::string(text);
  return 0;
}

}  // namespace mx::stdlib::impl
