// Access.* — xs[i], m[k], s[i], record fields and json members (mx_rt_index_get/_set,
// mx_rt_field_get/_set, mx_rt_json_member, and the never-failing json reads).
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

class Access : public ::testing::Test {
 protected:
  Value get(const Value& base, const Value& index) {
    Value out;
    EXPECT_EQ(mx_rt_index_get(&h.ctx, Harness::kLoc, out.slot(), base.slot(), index.slot()), 0)
        << h.ctx.failMessage;
    h.takeFailure();
    return out;
  }
  std::string getFails(const Value& base, const Value& index) {
    Value out;
    EXPECT_NE(mx_rt_index_get(&h.ctx, Harness::kLoc, out.slot(), base.slot(), index.slot()), 0);
    return h.takeFailure();
  }
  std::string setFails(Value& base, const Value& index, const Value& value) {
    EXPECT_NE(mx_rt_index_set(&h.ctx, Harness::kLoc, base.slot(), index.slot(), value.slot()), 0);
    return h.takeFailure();
  }
  void set(Value& base, const Value& index, const Value& value) {
    EXPECT_EQ(mx_rt_index_set(&h.ctx, Harness::kLoc, base.slot(), index.slot(), value.slot()), 0)
        << h.ctx.failMessage;
    h.takeFailure();
  }
  static Value json(const Value& base, const Value& index) {
    Value out;
    rt::jsonIndex(out.slot(), base.raw(), index.raw());
    return out;
  }
  Harness h;
};

TEST_F(Access, ListIndexing) {
  Value xs = L({S("a"), S("b"), S("c")});
  EXPECT_EQ(get(xs, I(0)), S("a"));
  EXPECT_EQ(get(xs, I(2)), S("c"));
  EXPECT_EQ(getFails(xs, I(7)), "index 7 out of range for a list of 3");
  // Plain indexing is 0-based only; negative positions are slice()'s feature.
  EXPECT_EQ(getFails(xs, I(-1)), "index -1 out of range for a list of 3");
  EXPECT_EQ(getFails(L({}), I(0)), "index 0 out of range for a list of 0");
}

TEST_F(Access, StringIndexingCountsCodePoints) {
  EXPECT_EQ(get(S("héllo😀"), I(1)), S("é"));
  EXPECT_EQ(get(S("héllo😀"), I(5)), S("😀"));
  EXPECT_EQ(get(S("abc"), I(2)), S("c"));  // the ASCII fast path
  EXPECT_EQ(getFails(S("héllo"), I(5)), "index 5 out of range for a string of 5");
  EXPECT_EQ(getFails(S(""), I(-1)), "index -1 out of range for a string of 0");
}

TEST_F(Access, MapIndexing) {
  Value m = J(R"({"x": 1, "y": [2]})");
  EXPECT_EQ(get(m, S("y")), L({I(2)}));
  EXPECT_EQ(getFails(m, S("z")), "no key 'z'");
  EXPECT_EQ(getFails(m, S(std::string(100, 'k'))), "no key '" + std::string(40, 'k') + "...'");
}

TEST_F(Access, ReadsOnJsonNeverFail) {
  Value j = J(R"({"a": [10, {"b": true}], "n": null})");
  EXPECT_EQ(json(j, S("a")), J("[10, {\"b\": true}]"));
  EXPECT_TRUE(json(j, S("missing")).isNone());
  EXPECT_TRUE(json(j, I(0)).isNone());  // an int index on an object
  Value arr = json(j, S("a"));
  EXPECT_EQ(json(arr, I(1)), J(R"({"b": true})"));
  EXPECT_TRUE(json(arr, I(2)).isNone());
  EXPECT_TRUE(json(arr, I(-1)).isNone());
  EXPECT_TRUE(json(arr, S("b")).isNone());
  EXPECT_TRUE(json(N(), S("a")).isNone());
  EXPECT_TRUE(json(I(3), I(0)).isNone());
  // What only json can hold reads as null through mx_rt_index_get as well.
  EXPECT_TRUE(get(N(), S("a")).isNone());
  EXPECT_TRUE(get(I(3), I(0)).isNone());
  EXPECT_TRUE(get(arr, S("b")).isNone());
}

TEST_F(Access, JsonMembers) {
  Value out;
  Value j = J(R"({"k": "v"})");
  mx_rt_json_member(out.slot(), j.slot(), "k");
  EXPECT_EQ(out, S("v"));
  mx_rt_json_member(out.slot(), j.slot(), "nope");
  EXPECT_TRUE(out.isNone());
  Value msg = Value::record(rt::messageShape(), {S("user"), S("hi"), L({})});
  mx_rt_json_member(out.slot(), msg.slot(), "content");  // a record converted to json
  EXPECT_EQ(out, S("hi"));
  mx_rt_json_member(out.slot(), L({}).slot(), "k");
  EXPECT_TRUE(out.isNone());
  // The result may overwrite the base (j = j.k).
  mx_rt_json_member(j.slot(), j.slot(), "k");
  EXPECT_EQ(j, S("v"));
}

TEST_F(Access, IndexSetOnListsAndMaps) {
  Value xs = L({I(1), I(2)});
  set(xs, I(1), S("two"));
  EXPECT_EQ(xs, L({I(1), S("two")}));
  EXPECT_EQ(setFails(xs, I(2), I(0)), "index 2 out of range for a list of 2");
  EXPECT_EQ(setFails(xs, I(-1), I(0)), "index -1 out of range for a list of 2");
  Value m = J(R"({"a": 1})");
  set(m, S("b"), I(2));  // inserted
  set(m, S("a"), I(3));  // replaced in place
  EXPECT_EQ(m.toJsonText(), R"({"a":3,"b":2})");
  EXPECT_EQ(setFails(m, I(0), I(0)), "internal error: cannot assign to map[int]");
  Value s = S("abc");
  EXPECT_EQ(setFails(s, I(0), S("x")), "internal error: cannot assign to string[int]");
}

TEST_F(Access, IndexSetOnAJsonRecordAddsKeys) {
  Value j = Value::record(rt::toolCallShape(), {S("c1"), S("f"), N()});
  set(j, S("name"), S("g"));
  EXPECT_EQ(j.tag(), MX_RECORD);
  set(j, S("extra"), I(1));  // a new key turns the object into a map, fields in order
  EXPECT_EQ(j.tag(), MX_MAP);
  EXPECT_EQ(j.toJsonText(), R"({"id":"c1","name":"g","arguments":null,"extra":1})");
}

TEST_F(Access, IndexSetOfAValueFromInsideTheBase) {
  Value xs = L({L({I(1)}), I(2)});
  Value alias = xs;
  // xs[1] = xs[0], passing the element's own slot while the list is shared.
  Value one = I(1);
  ASSERT_EQ(mx_rt_index_set(&h.ctx, 1, xs.slot(), one.slot(), &rt::listObj(xs.raw())->items[0]), 0);
  EXPECT_EQ(xs, L({L({I(1)}), L({I(1)})}));
  EXPECT_EQ(alias, L({L({I(1)}), I(2)}));
}

TEST_F(Access, RecordFields) {
  Value msg = Value::record(rt::messageShape(), {S("user"), S("hi"), L({})});
  Value out;
  mx_rt_field_get(out.slot(), msg.slot(), rt::kMessageRole);
  EXPECT_EQ(out, S("user"));
  Value content = S("changed");
  mx_rt_field_set(msg.slot(), rt::kMessageContent, content.slot());
  EXPECT_EQ(msg.at(rt::kMessageContent), S("changed"));
  // t = t.field: the result may overwrite the record.
  mx_rt_field_get(msg.slot(), msg.slot(), rt::kMessageContent);
  EXPECT_EQ(msg, S("changed"));
}

}  // namespace
}  // namespace mx::test
