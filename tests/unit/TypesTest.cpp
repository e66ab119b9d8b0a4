// Types.* — interning, names and the implicit conversions of .mx.
#include <gtest/gtest.h>

#include "mx/compiler/Types.h"

namespace mx {
namespace {

TEST(Types, StructurallyEqualTypesAreInterned) {
  TypeContext t;
  EXPECT_EQ(t.list(t.intType()), t.list(t.intType()));
  EXPECT_NE(t.list(t.intType()), t.list(t.floatType()));
  EXPECT_EQ(t.optional(t.optional(t.string())), t.optional(t.string()));
  EXPECT_EQ(t.record({{"a", t.intType()}}), t.record({{"a", t.intType()}}));
  EXPECT_NE(t.namedRecord("A"), t.namedRecord("A"));  // task types are nominal
}

TEST(Types, NamesReadLikeSource) {
  TypeContext t;
  EXPECT_EQ(typeName(t.map(t.list(t.message()))), "map<string, list<message>>");
  EXPECT_EQ(typeName(t.optional(t.string())), "string?");
  EXPECT_EQ(typeName(t.record({{"a", t.intType()}, {"b", t.boolType()}})), "{a: int, b: bool}");
}

TEST(Types, ImplicitConversions) {
  TypeContext t;
  EXPECT_TRUE(isAssignable(t.intType(), t.floatType()));
  EXPECT_FALSE(isAssignable(t.floatType(), t.intType()));
  EXPECT_TRUE(isAssignable(t.string(), t.optional(t.string())));
  EXPECT_TRUE(isAssignable(t.none(), t.optional(t.intType())));
  EXPECT_FALSE(isAssignable(t.none(), t.intType()));
  EXPECT_TRUE(isAssignable(t.list(t.message()), t.json()));
  EXPECT_FALSE(isAssignable(t.json(), t.string()));
  EXPECT_TRUE(isAssignable(t.list(t.none()), t.list(t.string())));  // `[]`
  EXPECT_FALSE(isAssignable(t.list(t.intType()), t.list(t.string())));
  EXPECT_TRUE(isAssignable(t.error(), t.string()));  // no cascades
}

TEST(Types, CommonTypeOfBranches) {
  TypeContext t;
  EXPECT_EQ(commonType(t, t.intType(), t.floatType()), t.floatType());
  EXPECT_EQ(commonType(t, t.none(), t.string()), t.optional(t.string()));
  EXPECT_EQ(commonType(t, t.string(), t.intType()), nullptr);
}

}  // namespace
}  // namespace mx
