// BuiltinTable.* — the implementation table agrees with the signature table, and
// mx_rt_builtin refuses what it must not run.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(BuiltinTable, ImplementationsMatchTheSignatureTable) {
  EXPECT_EQ(stdlib::checkBuiltinImpls(), "");
  EXPECT_EQ(stdlib::builtinImpls().size(), stdlib::builtinSpecs().size());
}

TEST(BuiltinTable, EverySynchronousGlobalBuiltinIsImplemented) {
  auto specs = stdlib::builtinSpecs();
  auto impls = stdlib::builtinImpls();
  int implemented = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].scope == stdlib::BuiltinScope::Global && specs[i].name != "all") {
      EXPECT_NE(impls[i].fn, nullptr) << specs[i].name << specs[i].signature;
      ++implemented;
    }
  }
  EXPECT_GE(implemented, 70);
}

TEST(BuiltinTable, AsynchronousMethodsFailAsInternalErrorsHere) {
  Harness h;
  EXPECT_EQ(h.fails("chat", "", {}),
            "internal error: built-in 'chat' is not called through mx_rt_builtin (it runs as an "
            "await)");
  EXPECT_NE(h.fails("call", "", {N()}).find("internal error: built-in 'call'"), std::string::npos);
  // describe() and matches() do run here, on the run's tool provider; a context without one
  // (no `tools` declaration reached the run) fails the task with a message.
  EXPECT_EQ(h.fails("describe", "", {Value::integer(0)}), "this run has no tool provider for the declaration");
  EXPECT_NE(h.fails("all", "", {N()}).find("internal error: built-in 'all'"), std::string::npos);
}

TEST(BuiltinTable, BadIdsAndTooFewArgumentsFailAsInternalErrors) {
  Harness h;
  Value out;
  EXPECT_NE(mx_rt_builtin(&h.ctx, 1, 100000, out.slot(), nullptr, 0), 0);
  EXPECT_EQ(h.takeFailure(), "internal error: unknown built-in id 100000");
  EXPECT_EQ(h.fails("replace", "", {S("a"), S("b")}),
            "internal error: built-in 'replace' takes 3 arguments, got 2");
}

TEST(BuiltinTable, ResultMayOverwriteAnArgument) {
  Harness h;
  Value s = S("  padded  ");
  ASSERT_EQ(mx_rt_builtin(&h.ctx, 1, builtinId("strip"), s.slot(), s.slot(), 1), 0);
  EXPECT_EQ(s, S("padded"));
}

}  // namespace
}  // namespace mx::test
