// CodecTest.cpp — rt::Value and TaskState through their Cap'n Proto form (runtime/schema/
// task.capnp) and back: every value kind, record shapes of every origin, deep nesting, text
// that is not ASCII (or not even UTF-8), and bytes that are not a message.
#include <gtest/gtest.h>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "durable/Codec.h"

namespace mx::rt::durable {
namespace {

/// Encodes `v` into a message, flattens it to words (as the logs store it), reads it back.
Value roundTrip(const Value& v, const ShapeTable* table = nullptr) {
  ShapeIndex index(table);
  capnp::MallocMessageBuilder message;
  encodeValue(message.initRoot<wire::Value>(), v.raw(), index);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  capnp::FlatArrayMessageReader reader(words, readerOptions(words.size() * 8));
  ShapeResolver resolver(table);
  Value out;
  std::string error;
  EXPECT_TRUE(decodeValue(reader.getRoot<wire::Value>(), out, resolver, error)) << error;
  return out;
}

/// Deep equality that also tells ints from floats and records from maps (rt::equals does not:
/// 1 == 1.0 and a record equals the map of its fields).
bool same(const MxValue& a, const MxValue& b) {
  if (a.tag != b.tag) return false;
  switch (a.tag) {
    case MX_NONE: return true;
    case MX_INT: return a.as.i == b.as.i;
    case MX_FLOAT:
      return std::isnan(a.as.f) ? std::isnan(b.as.f)
                                : a.as.f == b.as.f && std::signbit(a.as.f) == std::signbit(b.as.f);
    case MX_BOOL: return (a.as.b != 0) == (b.as.b != 0);
    case MX_STR: return stringView(a) == stringView(b);
    case MX_LIST: {
      auto& x = listObj(a)->items;
      auto& y = listObj(b)->items;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!same(x[i], y[i])) return false;
      return true;
    }
    case MX_MAP: {
      auto& x = mapObj(a)->entries;
      auto& y = mapObj(b)->entries;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)  // insertion order is kept
        if (x[i].first != y[i].first || !same(x[i].second, y[i].second)) return false;
      return true;
    }
    case MX_RECORD: {
      auto* x = recordObj(a);
      auto* y = recordObj(b);
      if (x->shape->fields != y->shape->fields || x->fields.size() != y->fields.size())
        return false;
      for (size_t i = 0; i < x->fields.size(); ++i)
        if (!same(x->fields[i], y->fields[i])) return false;
      return true;
    }
  }
  return false;
}

TEST(Codec, ScalarsRoundTrip) {
  for (const Value& v :
       {Value(), Value::integer(0), Value::integer(-1),
        Value::integer(std::numeric_limits<int64_t>::min()),
        Value::integer(std::numeric_limits<int64_t>::max()), Value::number(0.1),
        Value::number(-0.0), Value::number(1e308),
        Value::number(std::numeric_limits<double>::infinity()),
        Value::number(std::numeric_limits<double>::quiet_NaN()), Value::boolean(true),
        Value::boolean(false), Value::string(""), Value::string("plain")}) {
    Value back = roundTrip(v);
    EXPECT_TRUE(same(v.raw(), back.raw())) << toJson(v.raw());
  }
}

TEST(Codec, IntStaysIntFloatStaysFloat) {
  EXPECT_EQ(roundTrip(Value::integer(1)).tag(), MX_INT);
  EXPECT_EQ(roundTrip(Value::number(1.0)).tag(), MX_FLOAT);
}

TEST(Codec, ContainersRoundTrip) {
  Value v = Value::json(R"({"z": 1, "a": [1, 2.5, "x", null, true, {"k": []}], "m": {}, "": ""})");
  Value back = roundTrip(v);
  EXPECT_TRUE(same(v.raw(), back.raw())) << toJson(back.raw());
  EXPECT_EQ(toJson(back.raw()), toJson(v.raw()));  // map key order survives
  EXPECT_EQ(back.get("a").at(2).asString(), "x");  // a decoded map can be looked up
}

TEST(Codec, BigMapIsIndexedAfterDecoding) {
  std::vector<std::pair<std::string, Value>> entries;
  for (int i = 0; i < 100; ++i) entries.emplace_back("key" + std::to_string(i), Value::integer(i));
  Value back = roundTrip(Value::map(entries));
  EXPECT_EQ(back.size(), 100u);
  EXPECT_EQ(back.get("key73").asInt(), 73);
  EXPECT_TRUE(back.get("nope").isNone());
}

TEST(Codec, RecordsOfEveryShapeOrigin) {
  ShapeTable table;
  auto task = std::make_shared<Shape>();
  task->name = "Q";
  task->fields = {"id", "history"};
  table.add(task);
  Value msg =
      Value::record(messageShape(), {Value::string("user"), Value::string("hi"), Value::list({})});
  Value call = Value::record(toolCallShape(),
                             {Value::string("c1"), Value::string("f"), Value::json(R"({"a":1})")});
  auto loose = std::make_shared<Shape>();  // in no table: its field names travel with it
  loose->fields = {"x", "y"};
  Value anon = Value::record(loose, {Value::integer(1), Value::none()});
  Value v = Value::record(task, {Value::integer(7), Value::list({msg, call, anon})});
  Value back = roundTrip(v, &table);
  ASSERT_TRUE(same(v.raw(), back.raw())) << toJson(back.raw());
  EXPECT_EQ(recordObj(back.raw())->shape.get(), task.get());  // the module's own shape object
  Value m = back.at(1).at(0);
  EXPECT_EQ(recordObj(m.raw())->shape.get(), messageShape().get());
  EXPECT_EQ(recordObj(back.at(1).at(1).raw())->shape.get(), toolCallShape().get());
  EXPECT_EQ(recordObj(back.at(1).at(2).raw())->shape->fields, loose->fields);
}

TEST(Codec, UnknownShapeIdIsAnErrorNotACrash) {
  ShapeTable table;
  auto s = std::make_shared<Shape>();
  s->fields = {"a"};
  table.add(s);
  ShapeIndex index(&table);
  capnp::MallocMessageBuilder message;
  encodeValue(message.initRoot<wire::Value>(), Value::record(s, {Value::integer(1)}).raw(), index);
  ShapeTable other;  // a module without that shape
  ShapeResolver resolver(&other);
  Value out;
  std::string error;
  EXPECT_FALSE(decodeValue(message.getRoot<wire::Value>().asReader(), out, resolver, error));
  EXPECT_NE(error.find("shape 0"), std::string::npos) << error;
}

TEST(Codec, UnicodeAndArbitraryBytes) {
  std::string nul("a\0b", 3);
  for (const std::string& s :
       {std::string("héllo wörld"), std::string("日本語のテキスト"),
        std::string("emoji 🎉👍🏽"),
        std::string("\xF0\x9F\x98\x80 rtl \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"), nul,
        std::string("\xFF\xFE not utf-8 \xC3"), std::string(100000, 'x')}) {
    Value back = roundTrip(Value::string(s));
    EXPECT_EQ(std::string(back.asString()), s);
    EXPECT_EQ(strObj(back.raw())->codePoints, strObj(Value::string(s).raw())->codePoints);
  }
  Value keyed =
      Value::map({{"ключ", Value::string("значение")}, {std::string("k\0", 2), Value::integer(1)}});
  EXPECT_TRUE(same(keyed.raw(), roundTrip(keyed).raw()));
}

/// A list nested `depth` times around an int; built without recursion.
Value nested(int depth) {
  Value v = Value::integer(42);
  for (int i = 0; i < depth; ++i) v = Value::list({v});
  return v;
}

TEST(Codec, DeepNestingAtTheParserLimit) {
  std::string json(kMaxJsonDepth, '[');
  json += std::string(kMaxJsonDepth, ']');
  Value v = Value::json(json);
  EXPECT_TRUE(same(v.raw(), roundTrip(v).raw()));
}

TEST(Codec, NestingFarBeyondWhatAnyParserAllowsDoesNotRecurse) {
  // Deeper than JSON input can be, as a loop in a step could build it; the codec walks it with
  // a work list, so the stack is not the limit.
  constexpr int kDepth = 100000;
  Value back = roundTrip(nested(kDepth));
  const MxValue* p = back.slot();
  int depth = 0;
  while (p->tag == MX_LIST) {
    ASSERT_EQ(listObj(*p)->items.size(), 1u);
    p = &listObj(*p)->items[0];
    ++depth;
  }
  EXPECT_EQ(depth, kDepth);
  EXPECT_EQ(p->as.i, 42);
}

TEST(Codec, TaskStateRoundTrip) {
  ShapeTable table;
  TaskState t;
  t.rowId = 123456789012ull;
  t.trial = 3;
  t.agent = 2;
  t.resume = 5;
  t.attempts = 1;
  t.randomDraws = 17;
  t.callIndex = 9;
  t.steps = 44;
  t.frame = {Value::integer(1), Value::string("ü"), Value::json(R"([{"a": null}])"), Value()};
  t.results = {Value::string("r0"),
               Value::record(messageShape(),
                             {Value::string("assistant"), Value::string("4"), Value::list({})})};
  t.emits = {{4, Value::json(R"({"id": 1, "x": [1, 2]})")}, {6, Value::string("s")}};
  ShapeIndex index(&table);
  capnp::MallocMessageBuilder message;
  encodeTask(message.initRoot<wire::TaskState>(), t, index);
  ShapeResolver resolver(&table);
  TaskState back;
  std::string error;
  ASSERT_TRUE(decodeTask(message.getRoot<wire::TaskState>().asReader(), back, resolver, error))
      << error;
  EXPECT_EQ(back.rowId, t.rowId);
  EXPECT_EQ(back.trial, 3u);
  EXPECT_EQ(back.agent, 2u);
  EXPECT_EQ(back.resume, 5);
  EXPECT_EQ(back.attempts, 1u);
  EXPECT_EQ(back.randomDraws, 17u);
  EXPECT_EQ(back.callIndex, 9u);
  EXPECT_EQ(back.steps, 44u);
  EXPECT_FALSE(back.awaiting);
  ASSERT_EQ(back.frame.size(), t.frame.size());
  for (size_t i = 0; i < t.frame.size(); ++i)
    EXPECT_TRUE(same(back.frame[i].raw(), t.frame[i].raw())) << i;
  ASSERT_EQ(back.results.size(), 2u);
  EXPECT_TRUE(same(back.results[1].raw(), t.results[1].raw()));
  ASSERT_EQ(back.emits.size(), 2u);
  EXPECT_EQ(back.emits[0].first, 4u);
  EXPECT_TRUE(same(back.emits[0].second.raw(), t.emits[0].second.raw()));
}

TEST(Codec, AwaitingTaskIsSavedAsBeforeItsCalls) {
  // Mid-await a task is saved with the calls to re-submit and the call index they started
  // from, so a resume repeats them with the same seeds; partial results are not saved.
  TaskState t;
  t.awaiting = true;
  t.callBase = 10;
  t.callIndex = 12;
  t.results = {Value::string("half"), Value()};
  PendingCall c;
  c.loc = 3;
  c.builtin = 7;
  c.resource = 1;
  c.slot = 1;
  c.args = {Value::list({Value::string("prompt")}), Value::integer(5)};
  t.calls = {c, c};
  ShapeIndex index(nullptr);
  capnp::MallocMessageBuilder message;
  encodeTask(message.initRoot<wire::TaskState>(), t, index);
  ShapeResolver resolver(nullptr);
  TaskState back;
  std::string error;
  ASSERT_TRUE(decodeTask(message.getRoot<wire::TaskState>().asReader(), back, resolver, error))
      << error;
  EXPECT_TRUE(back.awaiting);
  EXPECT_EQ(back.callIndex, 10u);
  EXPECT_EQ(back.callBase, 10u);
  EXPECT_TRUE(back.results.empty());
  ASSERT_EQ(back.calls.size(), 2u);
  EXPECT_EQ(back.calls[1].builtin, 7u);
  EXPECT_EQ(back.calls[1].slot, 1u);
  EXPECT_EQ(back.calls[1].loc, 3u);
  ASSERT_EQ(back.calls[1].args.size(), 2u);
  EXPECT_EQ(back.calls[1].args[0].at(0).asString(), "prompt");
}

TEST(Codec, GarbageIsReportedNotThrown) {
  // Words that passed a block checksum but are no checkpoint (a bug, or a newer writer): a
  // root pointer far outside its segment.
  std::vector<capnp::word> words(8);
  uint32_t* w = reinterpret_cast<uint32_t*>(words.data());
  w[0] = 0;  // one segment
  w[1] = 7;  // of 7 words
  w[2] = 0x7FFFFFF0;
  w[3] = 0x00010001;
  TaskState back;
  ShapeResolver resolver(nullptr);
  std::string error;
  EXPECT_FALSE(decodeCheckpoint(words.data(), words.size() * 8, back, resolver, error));
  EXPECT_NE(error.find("malformed"), std::string::npos) << error;

  capnp::MallocMessageBuilder message;  // a valid entry of another kind
  message.initRoot<wire::JournalEntry>().setAdmitted(5);
  kj::Array<capnp::word> flat = capnp::messageToFlatArray(message);
  error.clear();
  EXPECT_FALSE(decodeCheckpoint(flat.begin(), flat.size() * 8, back, resolver, error));
  EXPECT_EQ(error, "not a checkpoint");
}

}  // namespace
}  // namespace mx::rt::durable
