// FrontEnd.* — the whole front end on small programs: what it accepts, what it reports, and
// that hostile input ends in a diagnostic, never a crash.
#include <gtest/gtest.h>

#include <sstream>

#include "mx/ExitCodes.h"
#include "mx/compiler/Driver.h"

namespace mx {
namespace {

struct Result {
  int code;
  std::string out, err;
};

Result check(const std::string& text, EmitKind emit = EmitKind::None) {
  SourceFile file("t.mx", text);
  std::ostringstream out, err;
  int code = runFrontEnd(file, {{}, emit, false}, out, err);
  return {code, out.str(), err.str()};
}

const char* kValid = R"(
source rows = jsonl("rows.jsonl")
sink out = jsonl("out.jsonl")
model m = local("models/tiny-arith") { temperature: 0.5, max_tokens: 16 }
task T from rows { q: string = row.question, n: int = 0, log: list<message> = [] }
agent ask(t: T) {
  t.log += user("Q: ${t.q}")
  let r = await m.chat(t.log)
  t.log += r
  t.n += 1
  if t.n < 3 { goto ask }
  emit out { q: t.q, a: r.content, turns: t.n }
  done
}
pipeline p { start: ask, max_in_flight: 8 }
)";

TEST(FrontEnd, AcceptsAValidPipeline) {
  Result r = check(kValid);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST(FrontEnd, SemaDumpShowsTypesAndGraph) {
  Result r = check(kValid, EmitKind::Sema);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("Local r : message"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Call [model method] [async] : message"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("agent ask (T) -> ask"), std::string::npos) << r.out;
}

TEST(FrontEnd, ReportsManyErrorsWithLocations) {
  Result r = check(R"(
task T { a: int = 0 }
agent x(t: T) {
  t.b = 1
  let y: string = 3
  goto nowhere
}
pipeline p { start: x }
)");
  EXPECT_EQ(r.code, kExitProgramErrors);
  EXPECT_NE(r.err.find("t.mx:4:5: error: task 'T' has no field 'b'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("t.mx:5:19: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("t.mx:6:8: error: unknown agent 'nowhere'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 errors generated."), std::string::npos) << r.err;
}

TEST(FrontEnd, AgentMustRouteOnEveryPath) {
  Result r = check(R"(
task T { a: int = 0 }
agent x(t: T) { if t.a > 0 { done } }
pipeline p { start: x }
)");
  EXPECT_EQ(r.code, kExitProgramErrors);
  EXPECT_NE(r.err.find("can reach its end without 'goto', 'done' or 'fail'"), std::string::npos) << r.err;
}

TEST(FrontEnd, EmptyInputIsAnEmptyProgram) {
  EXPECT_EQ(check("").code, kExitOk);
  EXPECT_EQ(check("   \n// only a comment\n").code, kExitOk);
}

TEST(FrontEnd, BinaryInputIsAnErrorNotACrash) {
  std::string bytes = "task \xff\xfe\x00\x01 {";
  bytes.push_back('\0');
  Result r = check(bytes);
  EXPECT_EQ(r.code, kExitProgramErrors);
  EXPECT_NE(r.err.find("not valid UTF-8"), std::string::npos) << r.err;
}

TEST(FrontEnd, DeepNestingIsRejectedCleanly) {
  for (const char* open : {"(", "[", "{\"a\": "}) {
    std::string s = "fn f() -> int { return ";
    for (int i = 0; i < 10000; ++i) s += open;
    Result r = check(s);
    EXPECT_EQ(r.code, kExitProgramErrors);
    EXPECT_NE(r.err.find("nesting is deeper than"), std::string::npos) << r.err.substr(0, 300);
  }
}

TEST(FrontEnd, LongOperatorChainsAreBounded) {
  std::string prefix = "fn f() -> bool { return ";
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  Result r = check(prefix + nots + "true }");
  EXPECT_EQ(r.code, kExitProgramErrors);

  std::string sum = "fn g() -> int { return 1";
  for (int i = 0; i < 10000; ++i) sum += " + 1";
  r = check(sum + " }");
  EXPECT_EQ(r.code, kExitProgramErrors);
  EXPECT_NE(r.err.find("nested too deeply"), std::string::npos) << r.err.substr(0, 300);

  std::string ternary = "fn h(b: bool) -> int { return ";
  for (int i = 0; i < 10000; ++i) ternary += "b ? 1 : ";
  r = check(ternary + "0 }");
  EXPECT_EQ(r.code, kExitProgramErrors);
}

}  // namespace
}  // namespace mx
