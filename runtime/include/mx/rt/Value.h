// Value.h — run-time values: the heap objects behind MxValue slots, and mx::rt::Value, the RAII
// handle that runtime code and tests use instead of raw slots.
//
// A slot (MxValue, Abi.h) is 16 bytes: a tag and either an immediate (int, float, bool) or a
// pointer to one reference-counted heap object (string, list, map, record). Values have value
// semantics in the language; the implementation shares objects between slots and copies an object
// only when a holder mutates it while someone else still holds it (copy-on-write). Reference
// counts are atomic because a task (and the objects it holds) moves between worker threads, and
// two tasks may share an object after a copy (a fork, a trial, a constant).
//
// Objects form trees, never cycles: a mutation copies a shared object first, so an object can
// never come to contain itself. Freeing is iterative, so deeply nested JSON cannot overflow the
// stack when it dies.
//
// This header is C++ and private to the runtime and stdlib implementations; compiled code only
// sees the opaque MxObj of Abi.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mx/rt/Abi.h"

/// The header of every heap object. At global scope because Abi.h declares it there.
struct MxObj {
  std::atomic<uint64_t> refs{1};  // a new object has one reference: its creator's
  uint8_t tag;                    // MX_STR, MX_LIST, MX_MAP or MX_RECORD

  explicit MxObj(uint8_t t) : tag(t) {}
};

namespace mx::rt {

// ------------------------------------------------------------------------------- record shapes

/// The field names of a record type, in declaration order. Immutable once built; records point to
/// their shape, so a shape outlives every record of it (shared ownership).
struct Shape {
  std::string name;  // "message", "tool_call", a task type's name, or "" for an anonymous record
  std::vector<std::string> fields;

  /// The index of `field`, or -1 when the shape has no such field.
  int32_t fieldIndex(std::string_view field) const;
};
using ShapePtr = std::shared_ptr<const Shape>;

/// The record shapes of one module, indexed by the ids compiled code passes to mx_rt_make_record.
/// Filled once when the module loads, read-only afterwards, so workers share it without locks.
class ShapeTable {
 public:
  /// Appends a shape and returns its id.
  uint32_t add(ShapePtr shape);
  /// The shape with this id, or null when the id is out of range.
  const ShapePtr* find(uint32_t id) const;
  size_t size() const { return shapes_.size(); }

 private:
  std::vector<ShapePtr> shapes_;
};

/// The built-in record types. Field order matches the compiler's (compiler/lib/sema/Types.cpp).
const ShapePtr& messageShape();   // role, content, tool_calls
const ShapePtr& toolCallShape();  // id, name, arguments
enum MessageField : uint32_t { kMessageRole = 0, kMessageContent = 1, kMessageToolCalls = 2 };
enum ToolCallField : uint32_t { kToolCallId = 0, kToolCallName = 1, kToolCallArguments = 2 };

// -------------------------------------------------------------------------------- heap objects

/// UTF-8 text. Immutable once built; the code point count is computed once, and a string whose
/// count equals its byte size is ASCII, which makes indexing it O(1).
struct StrObj : MxObj {
  std::string bytes;
  uint64_t codePoints;

  explicit StrObj(std::string b);
  bool isAscii() const { return codePoints == bytes.size(); }
};

/// Elements; each slot owns one reference.
struct ListObj : MxObj {
  std::vector<MxValue> items;
  ListObj() : MxObj(MX_LIST) {}
};

/// String keys in insertion order; each value slot owns one reference. Lookups scan small maps
/// and use a hash index from kIndexThreshold entries on (JSON objects are usually small).
struct MapObj : MxObj {
  static constexpr size_t kIndexThreshold = 8;

  std::vector<std::pair<std::string, MxValue>> entries;

  MapObj() : MxObj(MX_MAP) {}
  /// The position of `key` in `entries`, or -1.
  int64_t find(std::string_view key) const;
  /// Inserts or replaces; takes over the reference `value` holds. Only on an unshared map.
  void set(std::string key, MxValue value);
  /// Rebuilds the hash index after `entries` was filled directly.
  void reindex();

 private:
  // Transparent hashing: lookups by string_view without building a std::string.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  // Empty below kIndexThreshold entries.
  std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>> index_;
};

/// One value per field of `shape`; each slot owns one reference.
struct RecordObj : MxObj {
  ShapePtr shape;
  std::vector<MxValue> fields;
  explicit RecordObj(ShapePtr s) : MxObj(MX_RECORD), shape(std::move(s)) {}
};

// ------------------------------------------------------------------------- raw slot operations

inline bool isHeap(const MxValue& v) { return v.tag >= MX_STR; }
inline bool isNumber(const MxValue& v) { return v.tag == MX_INT || v.tag == MX_FLOAT; }
inline double toDouble(const MxValue& v) { return v.tag == MX_INT ? double(v.as.i) : v.as.f; }

/// Adds a reference to the slot's object (if any).
inline void retain(const MxValue& v) {
  if (isHeap(v)) v.as.obj->refs.fetch_add(1, std::memory_order_relaxed);
}
/// Drops the slot's reference (freeing what nobody else holds) and sets the slot to none.
void release(MxValue& v);
/// Replaces what `dst` holds by `owned`, whose reference it takes over.
inline void assign(MxValue* dst, MxValue owned) {
  MxValue old = *dst;
  *dst = owned;
  release(old);
}

inline MxValue noneValue() { return MxValue{}; }
inline MxValue intValue(int64_t i) {
  MxValue v{};
  v.tag = MX_INT;
  v.as.i = i;
  return v;
}
inline MxValue floatValue(double f) {
  MxValue v{};
  v.tag = MX_FLOAT;
  v.as.f = f;
  return v;
}
inline MxValue boolValue(bool b) {
  MxValue v{};
  v.tag = MX_BOOL;
  v.as.b = b ? 1 : 0;
  return v;
}
/// New objects, each returned with one reference the caller owns.
MxValue newString(std::string bytes);
MxValue newList(std::vector<MxValue> ownedItems = {});
MxValue newMap();
MxValue newRecord(ShapePtr shape, std::vector<MxValue> ownedFields);

inline StrObj* strObj(const MxValue& v) { return static_cast<StrObj*>(v.as.obj); }
inline ListObj* listObj(const MxValue& v) { return static_cast<ListObj*>(v.as.obj); }
inline MapObj* mapObj(const MxValue& v) { return static_cast<MapObj*>(v.as.obj); }
inline RecordObj* recordObj(const MxValue& v) { return static_cast<RecordObj*>(v.as.obj); }
/// The bytes of a string slot ("" for any other tag).
std::string_view stringView(const MxValue& v);

/// Copy-on-write: makes the slot's object unshared (copying it if another slot holds it) and
/// returns it for mutation. A none slot becomes a new empty list (mutableList) or map
/// (mutableMap), which is what an append to a zero-initialized slot means.
ListObj* mutableList(MxValue* slot);
MapObj* mutableMap(MxValue* slot);
RecordObj* mutableRecord(MxValue* slot);

// ----------------------------------------------------------------- comparison, text and JSON

/// Deep equality: numbers after widening (1 == 1.0), maps regardless of key order, and a record
/// equals a map or record with the same keys and values (both are JSON objects).
bool equals(const MxValue& a, const MxValue& b);
/// A total order for sorting: none < bool < numbers < strings < lists < objects; numbers by value
/// (NaN last), strings by code point, lists lexicographically. <0, 0 or >0.
int compare(const MxValue& a, const MxValue& b);

/// The language's str(): ints in decimal, floats in shortest round-trip form ("1.0", "0.1",
/// "1e+20", "inf", "nan"), strings as they are, none as "none", containers as compact JSON.
std::string toString(const MxValue& v);
/// Shortest round-trip decimal form of a double; always shows a '.' or an exponent so it reads
/// back as a float ("3.0"). Non-finite values give "inf", "-inf" or "nan".
std::string formatFloat(double f);

/// Compact JSON text: maps in insertion order, records as objects in field order, none as null,
/// non-finite floats as null (JSON has no infinity), UTF-8 unescaped; invalid UTF-8 in a string
/// becomes U+FFFD, so the output is always valid JSON.
std::string toJson(const MxValue& v);
void appendJson(std::string& out, const MxValue& v);

/// Nesting accepted by parseJson. Deeper documents are almost always hostile or broken, and the
/// recursive printers and comparisons must not run out of stack on what the parser accepts.
constexpr int kMaxJsonDepth = 512;

/// Parses JSON text into a value: null → none, integers (no '.' or exponent) that fit in int64 →
/// int, other numbers → float, objects → maps (a repeated key keeps its first position and the
/// last value). On failure returns false and sets `error` to "line L, column C: what went wrong".
bool parseJson(std::string_view text, MxValue* out, std::string& error);

/// The name of a slot's tag for error messages: "none", "int", "float", "bool", "string", "list",
/// "map" or "record".
const char* tagName(uint8_t tag);

/// `text` quoted for an error message, cut after `maxCodePoints` code points with "...".
std::string quoteForError(std::string_view text, size_t maxCodePoints = 40);

// -------------------------------------------------------------------------------- conversions

// The language's explicit conversions (docs/language.md §3, §12), shared by the int()/float()/
// bool() built-ins and by mx_rt_convert (task field defaults from a row). Each returns false and
// sets `error` to a message naming the offending value, e.g. "cannot convert 'abc' to int".

/// An optionally signed decimal integer, surrounding whitespace allowed.
bool textToInt(std::string_view text, int64_t& out, std::string& error);
/// A decimal number ("2", "-2.5", "1e3", "inf", "nan"), surrounding whitespace allowed.
bool textToFloat(std::string_view text, double& out, std::string& error);
/// Truncates toward zero; NaN, infinities and values outside int64 fail.
bool floatToInt(double x, int64_t& out, std::string& error);
/// A JSON number (floats truncate) or numeric string ("3", "3.7" → 3).
bool jsonToInt(const MxValue& json, int64_t& out, std::string& error);
/// A JSON number or numeric string.
bool jsonToFloat(const MxValue& json, double& out, std::string& error);

// -------------------------------------------------------------------------------- JSON access

/// `j.key` / `j["key"]` on a json value: a map's entry or a record's field; none when absent or
/// when `json` is not an object (json reads never fail, docs/language.md §3).
void jsonMember(MxValue* out, const MxValue& json, std::string_view key);
/// `j[i]` / `j[k]` on a json value: like jsonMember for a string index, an array element for an
/// int index; none on any miss. (mx_rt_index_get cannot tell json from typed values: see the
/// proposed mx_rt_json_index in the runtime README.)
void jsonIndex(MxValue* out, const MxValue& json, const MxValue& index);

// ---------------------------------------------------------------------- the RAII value handle

/// Owns one slot: copies share (add a reference), moves steal, the destructor releases. Same size
/// as MxValue. Runtime code and tests use it; compiled code uses raw slots and mx_rt_* calls.
class Value {
 public:
  Value() noexcept : v_{} {}
  Value(const Value& o) noexcept : v_(o.v_) { retain(v_); }
  Value(Value&& o) noexcept : v_(o.v_) { o.v_ = MxValue{}; }
  Value& operator=(Value o) noexcept {
    std::swap(v_, o.v_);
    return *this;
  }
  ~Value() { release(v_); }

  /// Takes over the reference an owned slot holds.
  static Value adopt(MxValue owned) noexcept {
    Value r;
    r.v_ = owned;
    return r;
  }
  /// Shares what a slot holds (adds a reference); the slot keeps its own.
  static Value copyOf(const MxValue& v) noexcept {
    retain(v);
    return adopt(v);
  }

  static Value none() { return Value(); }
  static Value integer(int64_t i) { return adopt(intValue(i)); }
  static Value number(double f) { return adopt(floatValue(f)); }
  static Value boolean(bool b) { return adopt(boolValue(b)); }
  static Value string(std::string_view s) { return adopt(newString(std::string(s))); }
  static Value list(std::vector<Value> items);
  static Value map(std::vector<std::pair<std::string, Value>> entries);
  static Value record(ShapePtr shape, std::vector<Value> fields);
  /// Parses JSON; on failure returns none and sets `error`.
  static Value fromJson(std::string_view text, std::string& error);
  /// Parses JSON that the caller knows is valid (tests, constants); asserts on failure.
  static Value json(std::string_view text);

  MxTag tag() const { return MxTag(v_.tag); }
  bool isNone() const { return v_.tag == MX_NONE; }
  int64_t asInt() const { return v_.as.i; }
  double asFloat() const { return toDouble(v_); }  // widens an int
  bool asBool() const { return v_.as.b != 0; }
  std::string_view asString() const { return stringView(v_); }

  /// Elements of a list, entries of a map, fields of a record, code points of a string, else 0.
  size_t size() const;
  /// The i-th element of a list or field of a record (none when out of range).
  Value at(size_t i) const;
  /// A map's value or a record's field by name (none when absent).
  Value get(std::string_view key) const;

  const MxValue& raw() const { return v_; }
  const MxValue* slot() const { return &v_; }
  MxValue* slot() { return &v_; }
  /// Gives up ownership: the caller now owns the returned slot's reference.
  MxValue take() noexcept {
    MxValue r = v_;
    v_ = MxValue{};
    return r;
  }

  std::string str() const { return toString(v_); }
  std::string toJsonText() const { return toJson(v_); }

  friend bool operator==(const Value& a, const Value& b) { return equals(a.v_, b.v_); }

 private:
  MxValue v_;
};
static_assert(sizeof(Value) == sizeof(MxValue), "a Value is one slot");

}  // namespace mx::rt
