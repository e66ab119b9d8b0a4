// CollectionBuiltins.* — slice (lists), range, sort, reverse, sum, keys, values, has.
#include <cmath>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(CollectionBuiltins, SliceLists) {
  Harness h;
  Value xs = L({I(0), I(1), I(2), I(3), I(4)});
  EXPECT_EQ(h.call("slice", "(xs:", {xs, I(1), I(3)}), L({I(1), I(2)}));
  EXPECT_EQ(h.call("slice", "(xs:", {xs, I(-2), I(5)}), L({I(3), I(4)}));
  EXPECT_EQ(h.call("slice", "(xs:", {xs, I(-2), I(-1)}), L({I(3)}));
  EXPECT_EQ(h.call("slice", "(xs:", {xs, I(0), I(99)}), xs);
  EXPECT_EQ(h.call("slice", "(xs:", {xs, I(4), I(2)}), L({}));
  EXPECT_EQ(h.call("slice", "(xs:", {L({}), I(-1), I(1)}), L({}));
  EXPECT_EQ(h.call("slice", "(xs:", {xs, I(INT64_MIN), I(INT64_MAX)}), xs);
}

TEST(CollectionBuiltins, Range) {
  Harness h;
  EXPECT_EQ(h.call("range", "", {I(0), I(4)}), L({I(0), I(1), I(2), I(3)}));
  EXPECT_EQ(h.call("range", "", {I(-2), I(1)}), L({I(-2), I(-1), I(0)}));
  EXPECT_EQ(h.call("range", "", {I(3), I(3)}), L({}));
  EXPECT_EQ(h.call("range", "", {I(5), I(1)}), L({}));
  EXPECT_EQ(h.call("range", "", {I(INT64_MAX - 1), I(INT64_MAX)}), L({I(INT64_MAX - 1)}));
  EXPECT_NE(h.fails("range", "", {I(INT64_MIN), I(INT64_MAX)}).find("more than the limit"),
            std::string::npos);
}

TEST(CollectionBuiltins, SortIsAscendingAndStable) {
  Harness h;
  EXPECT_EQ(h.call("sort", "", {L({I(3), I(-1), I(2)})}), L({I(-1), I(2), I(3)}));
  EXPECT_EQ(h.call("sort", "", {L({F(0.5), F(-1.5), F(NAN), F(0.0)})}).toJsonText(),
            "[-1.5,0.0,0.5,null]");  // NaN sorts last (and prints as null)
  EXPECT_EQ(h.call("sort", "", {L({S("b"), S("é"), S("a"), S("B")})}),
            L({S("B"), S("a"), S("b"), S("é")}));  // by code point
  EXPECT_EQ(h.call("sort", "", {L({})}), L({}));
  Value xs = L({I(2), I(1)});
  h.call("sort", "", {xs});
  EXPECT_EQ(xs, L({I(2), I(1)}));  // a sorted copy; the argument is untouched
  // Stable: 1 and 1.0 are equal, so they keep their order.
  Value mixed = h.call("sort", "", {L({F(1.0), I(0), I(1)})});
  EXPECT_EQ(mixed.at(1).tag(), MX_FLOAT);
  EXPECT_EQ(mixed.at(2).tag(), MX_INT);
}

TEST(CollectionBuiltins, Reverse) {
  Harness h;
  Value xs = L({S("a"), S("b"), S("c")});
  EXPECT_EQ(h.call("reverse", "", {xs}), L({S("c"), S("b"), S("a")}));
  EXPECT_EQ(xs, L({S("a"), S("b"), S("c")}));
  EXPECT_EQ(h.call("reverse", "", {L({})}), L({}));
}

TEST(CollectionBuiltins, Sum) {
  Harness h;
  EXPECT_EQ(h.call("sum", "(xs: list<int>)", {L({I(1), I(2), I(3)})}), I(6));
  EXPECT_EQ(h.call("sum", "(xs: list<int>)", {L({})}), I(0));
  EXPECT_EQ(h.fails("sum", "(xs: list<int>)", {L({I(INT64_MAX), I(1)})}),
            "integer overflow in sum");
  EXPECT_EQ(h.call("sum", "(xs: list<float>)", {L({F(0.5), F(0.25)})}), F(0.75));
  EXPECT_EQ(h.call("sum", "(xs: list<float>)", {L({})}).tag(), MX_FLOAT);
}

TEST(CollectionBuiltins, KeysValuesHas) {
  Harness h;
  Value m = J(R"({"z": 1, "a": [2], "m": null})");
  EXPECT_EQ(h.call("keys", "", {m}), L({S("z"), S("a"), S("m")}));
  EXPECT_EQ(h.call("values", "", {m}), L({I(1), L({I(2)}), N()}));
  EXPECT_EQ(h.call("has", "", {m, S("a")}), B(true));
  EXPECT_EQ(h.call("has", "", {m, S("m")}), B(true));  // present with a null value
  EXPECT_EQ(h.call("has", "", {m, S("q")}), B(false));
  EXPECT_EQ(h.call("keys", "", {Value::map({})}), L({}));
}

}  // namespace
}  // namespace mx::test
