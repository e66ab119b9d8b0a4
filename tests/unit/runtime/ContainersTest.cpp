// Containers.* — building containers, templates, len, `for` iteration and the `while` bound.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(Containers, MakeListSharesTheElements) {
  Value a = S("x"), b = L({I(1)});
  MxValue parts[] = {a.raw(), b.raw(), rt::intValue(3)};
  Value out;
  mx_rt_make_list(out.slot(), parts, 3);
  EXPECT_EQ(out, L({S("x"), L({I(1)}), I(3)}));
  EXPECT_EQ(a.raw().as.obj->refs.load(), 2u);
  mx_rt_make_list(out.slot(), nullptr, 0);  // [] as a zero value
  EXPECT_EQ(out, L({}));
}

TEST(Containers, MakeMapKeepsOrderAndTheLastValueOfARepeatedKey) {
  const char* keys[] = {"b", "a", "b"};
  MxValue values[] = {rt::intValue(1), rt::intValue(2), rt::intValue(3)};
  Value out;
  mx_rt_make_map(out.slot(), keys, values, 3);
  EXPECT_EQ(out.toJsonText(), R"({"b":3,"a":2})");
  mx_rt_make_map(out.slot(), nullptr, nullptr, 0);
  EXPECT_EQ(out.toJsonText(), "{}");
}

TEST(Containers, MakeRecordUsesTheModuleShapeTable) {
  Harness h;
  uint32_t id =
      h.shapes.add(std::make_shared<const rt::Shape>(rt::Shape{"Q", {"question", "tries"}}));
  Value q = S("2+2?");
  MxValue values[] = {q.raw(), rt::intValue(0)};
  Value out;
  mx_rt_make_record(&h.ctx, out.slot(), id, values);
  EXPECT_EQ(out.tag(), MX_RECORD);
  EXPECT_EQ(out.toJsonText(), R"({"question":"2+2?","tries":0})");
  EXPECT_EQ(rt::recordObj(out.raw())->shape->name, "Q");
  EXPECT_EQ(h.shapes.find(id + 1), nullptr);
}

TEST(Containers, ConcatFormatsEachPartAsStrDoes) {
  Value parts = L({S("n="), I(3), S(", x="), F(0.5), S(", none="), N(), S(", xs="),
                   L({S("a"), F(1.0)}), S(", ok="), B(true)});
  Value out;
  mx_rt_concat(out.slot(), rt::listObj(parts.raw())->items.data(), uint32_t(parts.size()));
  EXPECT_EQ(out, S(R"(n=3, x=0.5, none=none, xs=["a",1.0], ok=true)"));
  mx_rt_concat(out.slot(), nullptr, 0);
  EXPECT_EQ(out, S(""));
}

TEST(Containers, LenOfEveryKind) {
  EXPECT_EQ(mx_rt_len(S("héllo😀").slot()), 6);
  EXPECT_EQ(mx_rt_len(S("").slot()), 0);
  EXPECT_EQ(mx_rt_len(L({I(1), I(2)}).slot()), 2);
  EXPECT_EQ(mx_rt_len(J(R"({"a":1,"b":2,"c":3})").slot()), 3);
  EXPECT_EQ(mx_rt_len(Value::record(rt::messageShape(), {S(""), S(""), L({})}).slot()), 3);
  EXPECT_EQ(mx_rt_len(N().slot()), 0);  // json null
  EXPECT_EQ(mx_rt_len(I(5).slot()), 0);
}

/// Runs mx_rt_iter_next to the end; "key=value" per step ("value" when there is no key).
std::vector<std::string> iterate(const Value& iterable, bool withKey) {
  std::vector<std::string> steps;
  Value out, key;
  for (int64_t i = 0;
       mx_rt_iter_next(iterable.slot(), i, out.slot(), withKey ? key.slot() : nullptr); ++i) {
    steps.push_back(withKey ? key.str() + "=" + out.str() : out.str());
  }
  return steps;
}

TEST(Containers, IterationOverListsStringsMapsAndRecords) {
  using V = std::vector<std::string>;
  EXPECT_EQ(iterate(L({I(1), S("b")}), false), (V{"1", "b"}));
  EXPECT_EQ(iterate(L({I(1), S("b")}), true), (V{"0=1", "1=b"}));
  EXPECT_EQ(iterate(S("aé😀"), false), (V{"a", "é", "😀"}));
  EXPECT_EQ(iterate(S("ab"), false), (V{"a", "b"}));
  EXPECT_EQ(iterate(J(R"({"z": 1, "a": [2]})"), true), (V{"z=1", "a=[2]"}));
  EXPECT_EQ(iterate(Value::record(rt::toolCallShape(), {S("c"), S("f"), N()}), true),
            (V{"id=c", "name=f", "arguments=none"}));
  EXPECT_EQ(iterate(N(), true), V{});
  EXPECT_EQ(iterate(L({}), false), V{});
  EXPECT_EQ(mx_rt_iter_next(L({I(1)}).slot(), -1, Value().slot(), nullptr), 0);
}

TEST(Containers, LoopBoundFailsOnEnteringTheBodyOnceTooOften) {
  Harness h;
  Value bound = I(3);
  for (int64_t entry = 1; entry <= 3; ++entry) {
    EXPECT_EQ(mx_rt_loop_bound(&h.ctx, 9, entry, bound.slot()), 0) << entry;
  }
  EXPECT_NE(mx_rt_loop_bound(&h.ctx, 9, 4, bound.slot()), 0);
  EXPECT_EQ(h.ctx.failLoc, 9u);
  EXPECT_EQ(h.takeFailure(), "loop exceeded its bound of 3 iterations");
  Value zero = I(0);
  EXPECT_NE(mx_rt_loop_bound(&h.ctx, 9, 1, zero.slot()), 0);  // max 0: the body never runs
}

TEST(Containers, TheFirstFailureOfAStepWins) {
  Harness h;
  Value zero = I(0), one = I(1), out;
  EXPECT_NE(mx_rt_binary(&h.ctx, 1, 1 /* Div */, out.slot(), one.slot(), zero.slot()), 0);
  EXPECT_NE(mx_rt_loop_bound(&h.ctx, 2, 5, one.slot()), 0);
  EXPECT_EQ(h.ctx.failLoc, 1u);
  EXPECT_EQ(h.ctx.failMessage, "division by zero");
}

}  // namespace
}  // namespace mx::test
