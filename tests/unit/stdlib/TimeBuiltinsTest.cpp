// TimeBuiltins.* — now() and now_iso().
#include <chrono>
#include <regex>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(TimeBuiltins, NowIsUnixSeconds) {
  Harness h;
  double before =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  double now = h.call("now", "", {}).asFloat();
  EXPECT_GE(now, before - 1);
  EXPECT_LT(now, before + 60);
  EXPECT_GT(now, 1.7e9);  // after 2023
}

TEST(TimeBuiltins, NowIsoIsUtcIso8601) {
  Harness h;
  std::string iso(h.call("now_iso", "", {}).asString());
  EXPECT_TRUE(std::regex_match(iso, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << iso;
}

}  // namespace
}  // namespace mx::test
