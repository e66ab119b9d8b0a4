// Value.* — reference counting, copy-on-write, slot ownership and freeing of run-time values.
#include <atomic>
#include <thread>
#include <vector>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

uint64_t refs(const Value& v) { return v.raw().as.obj->refs.load(); }

TEST(Value, ImmediatesCarryTheirPayload) {
  EXPECT_EQ(I(-7).tag(), MX_INT);
  EXPECT_EQ(I(-7).asInt(), -7);
  EXPECT_EQ(F(2.5).asFloat(), 2.5);
  EXPECT_EQ(I(3).asFloat(), 3.0);  // widens
  EXPECT_TRUE(B(true).asBool());
  EXPECT_TRUE(N().isNone());
  EXPECT_EQ(S("héllo").asString(), "héllo");
  EXPECT_EQ(S("héllo").size(), 5u);  // code points
}

TEST(Value, CopiesShareOneObjectAndCountReferences) {
  Value a = S("shared text");
  EXPECT_EQ(refs(a), 1u);
  {
    Value b = a;
    EXPECT_EQ(b.raw().as.obj, a.raw().as.obj);
    EXPECT_EQ(refs(a), 2u);
    MxValue slot{};
    mx_rt_copy(&slot, a.slot());
    EXPECT_EQ(refs(a), 3u);
    mx_rt_clear(&slot);
    EXPECT_EQ(slot.tag, MX_NONE);
  }
  EXPECT_EQ(refs(a), 1u);
}

TEST(Value, MutatingASharedListLeavesTheOtherCopyUnchanged) {
  Value a = L({I(1), I(2)});
  MxValue b{};
  mx_rt_copy(&b, a.slot());
  Value three = I(3);
  mx_rt_append(&b, three.slot());
  EXPECT_EQ(a, L({I(1), I(2)}));
  EXPECT_EQ(Value::adopt(b), L({I(1), I(2), I(3)}));
  EXPECT_EQ(refs(a), 1u);
}

TEST(Value, AnUnsharedListIsMutatedInPlace) {
  Value a = L({I(1)});
  MxObj* before = a.raw().as.obj;
  Value two = I(2);
  mx_rt_append(a.slot(), two.slot());
  EXPECT_EQ(a.raw().as.obj, before);
  EXPECT_EQ(a, L({I(1), I(2)}));
}

TEST(Value, IndexSetCopiesASharedListAndMap) {
  Harness h;
  Value list = L({S("a"), S("b")});
  Value listCopy = list;
  Value zero = I(0), z = S("z");
  ASSERT_EQ(mx_rt_index_set(&h.ctx, 1, listCopy.slot(), zero.slot(), z.slot()), 0);
  EXPECT_EQ(list, L({S("a"), S("b")}));
  EXPECT_EQ(listCopy, L({S("z"), S("b")}));

  Value map = J(R"({"k": 1})");
  Value mapCopy = map;
  Value k = S("k"), two = I(2);
  ASSERT_EQ(mx_rt_index_set(&h.ctx, 1, mapCopy.slot(), k.slot(), two.slot()), 0);
  EXPECT_EQ(map, J(R"({"k": 1})"));
  EXPECT_EQ(mapCopy, J(R"({"k": 2})"));
}

TEST(Value, FieldSetCopiesASharedRecord) {
  Value rec = Value::record(rt::messageShape(), {S("user"), S("hi"), L({})});
  Value copy = rec;
  Value content = S("bye");
  mx_rt_field_set(copy.slot(), rt::kMessageContent, content.slot());
  EXPECT_EQ(rec.get("content"), S("hi"));
  EXPECT_EQ(copy.get("content"), S("bye"));
}

TEST(Value, NestedElementsStaySharedUntilWritten) {
  Value inner = L({I(1)});
  Value outer = L({inner, inner});
  EXPECT_EQ(refs(inner), 3u);
  Value outerCopy = outer;
  Value zero = I(0), x = S("x");
  Harness h;
  ASSERT_EQ(mx_rt_index_set(&h.ctx, 1, outerCopy.slot(), zero.slot(), x.slot()), 0);
  EXPECT_EQ(refs(inner), 4u);  // outer's two + outerCopy's remaining one + `inner`
  EXPECT_EQ(outer, L({L({I(1)}), L({I(1)})}));
}

TEST(Value, ExtendWithItselfDoublesTheList) {
  Value xs = L({I(1), I(2)});
  mx_rt_extend(xs.slot(), xs.slot());
  EXPECT_EQ(xs, L({I(1), I(2), I(1), I(2)}));
}

TEST(Value, AppendAnElementOfTheSameList) {
  Value xs = L({S("a")});
  Value shared = xs;  // forces copy-on-write while the element lives in the old list
  mx_rt_append(xs.slot(), &rt::listObj(xs.raw())->items[0]);
  EXPECT_EQ(xs, L({S("a"), S("a")}));
  EXPECT_EQ(shared, L({S("a")}));
}

TEST(Value, AppendToAZeroSlotMakesAList) {
  MxValue slot{};
  Value one = I(1);
  mx_rt_append(&slot, one.slot());
  EXPECT_EQ(Value::adopt(slot), L({I(1)}));
}

TEST(Value, MoveStealsAndCopyOntoItselfIsANoOp) {
  Value a = S("x");
  MxValue src{}, dst{};
  mx_rt_copy(&src, a.slot());
  mx_rt_move(&dst, &src);
  EXPECT_EQ(src.tag, MX_NONE);
  EXPECT_EQ(refs(a), 2u);
  mx_rt_copy(&dst, &dst);
  mx_rt_move(&dst, &dst);
  EXPECT_EQ(refs(a), 2u);
  mx_rt_clear(&dst);
  EXPECT_EQ(refs(a), 1u);
}

TEST(Value, ConstantsAndSetters) {
  MxValue slot{};
  mx_rt_const_str(&slot, "h\0i", 3);  // lengths, not NUL termination
  EXPECT_EQ(rt::stringView(slot), std::string_view("h\0i", 3));
  mx_rt_set_int(&slot, 5);  // releases the string
  EXPECT_EQ(slot.tag, MX_INT);
  mx_rt_set_float(&slot, 0.5);
  EXPECT_EQ(slot.as.f, 0.5);
  mx_rt_set_bool(&slot, 7);
  EXPECT_EQ(slot.as.b, 1);
  MxValue temps[3]{};
  mx_rt_const_str(&temps[0], "a", 1);
  mx_rt_set_int(&temps[1], 1);
  mx_rt_clear_array(temps, 3);
  EXPECT_EQ(temps[0].tag, MX_NONE);
  EXPECT_EQ(temps[1].tag, MX_NONE);
}

TEST(Value, DeeplyNestedValuesFreeWithoutRecursion) {
  Value v = I(0);
  for (int i = 0; i < 200000; ++i) v = L({v});
  v = Value();  // would overflow the stack if freeing recursed
  SUCCEED();
}

TEST(Value, MapsKeepInsertionOrderAndIndexLargeMaps) {
  Value m = Value::map({});
  for (int i = 0; i < 100; ++i) {
    rt::mutableMap(m.slot())->set("k" + std::to_string(99 - i), rt::intValue(i));
  }
  rt::mutableMap(m.slot())->set("k50", rt::intValue(-1));  // replaces in place
  const auto& entries = rt::mapObj(m.raw())->entries;
  ASSERT_EQ(entries.size(), 100u);
  EXPECT_EQ(entries.front().first, "k99");
  EXPECT_EQ(entries[49].first, "k50");
  EXPECT_EQ(m.get("k50"), I(-1));
  EXPECT_EQ(m.get("k0"), I(99));
  EXPECT_TRUE(m.get("nope").isNone());
  Value copy = m;  // copy-on-write rebuilds the index of the copy
  rt::mutableMap(copy.slot())->set("new", rt::intValue(1));
  EXPECT_EQ(copy.get("k3"), I(96));
  EXPECT_TRUE(m.get("new").isNone());
}

// Tasks move between threads and may share objects: counts must stay exact under contention,
// and copy-on-write must give each thread its own object.
TEST(Value, SharingAcrossThreadsKeepsCountsExact) {
  Value shared = L({S("a"), S("b")});
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        Value mine = shared;
        Value x = I(t);
        mx_rt_append(mine.slot(), x.slot());
        if (mine.size() != 3 || !(mine.at(2) == I(t))) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(refs(shared), 1u);
  EXPECT_EQ(shared, L({S("a"), S("b")}));
}

}  // namespace
}  // namespace mx::test
