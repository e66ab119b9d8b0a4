// Objects.cpp — creating, sharing, copying-on-write and freeing heap objects.
#include <string>
#include <utility>
#include <vector>

#include "mx/Assert.h"
#include "mx/rt/Utf8.h"
#include "mx/rt/Value.h"

namespace mx::rt {
namespace {

/// Pushes every child slot of `obj` whose last reference this drops; the caller frees them.
void dropChildren(MxObj* obj, std::vector<MxObj*>& dead) {
  auto drop = [&](MxValue& v) {
    if (isHeap(v) && v.as.obj->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      dead.push_back(v.as.obj);
    }
  };
  switch (obj->tag) {
    case MX_LIST:
      for (MxValue& v : static_cast<ListObj*>(obj)->items) drop(v);
      break;
    case MX_MAP:
      for (auto& [key, v] : static_cast<MapObj*>(obj)->entries) drop(v);
      break;
    case MX_RECORD:
      for (MxValue& v : static_cast<RecordObj*>(obj)->fields) drop(v);
      break;
    default: break;
  }
}

/// Frees one object whose children were already dropped.
void freeObject(MxObj* obj) {
  switch (obj->tag) {
    case MX_STR: delete static_cast<StrObj*>(obj); return;
    case MX_LIST: delete static_cast<ListObj*>(obj); return;
    case MX_MAP: delete static_cast<MapObj*>(obj); return;
    case MX_RECORD: delete static_cast<RecordObj*>(obj); return;
    default: MX_ASSERT(false, "heap object with an unknown tag");
  }
}

/// Frees an object and everything only it held, with a work list instead of recursion so a
/// deeply nested value cannot overflow the stack.
void destroy(MxObj* root) {
  if (root->tag == MX_STR) {
    freeObject(root);
    return;
  }
  std::vector<MxObj*> dead{root};
  while (!dead.empty()) {
    MxObj* obj = dead.back();
    dead.pop_back();
    dropChildren(obj, dead);
    freeObject(obj);
  }
}

/// A copy of a slot vector that shares each element (one more reference each).
std::vector<MxValue> shareAll(const std::vector<MxValue>& items) {
  for (const MxValue& v : items) retain(v);
  return items;
}

bool isShared(const MxValue& v) { return v.as.obj->refs.load(std::memory_order_acquire) != 1; }

}  // namespace

// ---- shapes

int32_t Shape::fieldIndex(std::string_view field) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == field) return int32_t(i);
  }
  return -1;
}

uint32_t ShapeTable::add(ShapePtr shape) {
  shapes_.push_back(std::move(shape));
  return uint32_t(shapes_.size() - 1);
}

const ShapePtr* ShapeTable::find(uint32_t id) const {
  return id < shapes_.size() ? &shapes_[id] : nullptr;
}

// Read-only after their first use: the one kind of static this codebase allows.
const ShapePtr& messageShape() {
  static const ShapePtr shape =
      std::make_shared<const Shape>(Shape{"message", {"role", "content", "tool_calls"}});
  return shape;
}

const ShapePtr& toolCallShape() {
  static const ShapePtr shape =
      std::make_shared<const Shape>(Shape{"tool_call", {"id", "name", "arguments"}});
  return shape;
}

// ---- objects

StrObj::StrObj(std::string b)
    : MxObj(MX_STR), bytes(std::move(b)), codePoints(utf8::countCodePoints(bytes)) {}

int64_t MapObj::find(std::string_view key) const {
  if (!index_.empty()) {
    auto it = index_.find(key);
    return it == index_.end() ? -1 : int64_t(it->second);
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].first == key) return int64_t(i);
  }
  return -1;
}

void MapObj::set(std::string key, MxValue value) {
  int64_t at = find(key);
  if (at >= 0) {
    assign(&entries[size_t(at)].second, value);
    return;
  }
  entries.emplace_back(std::move(key), value);
  if (!index_.empty()) {
    index_.emplace(entries.back().first, uint32_t(entries.size() - 1));
  } else if (entries.size() >= kIndexThreshold) {
    reindex();
  }
}

void MapObj::reindex() {
  index_.clear();
  if (entries.size() < kIndexThreshold) return;
  index_.reserve(entries.size());
  // emplace keeps the first position of a repeated key, which is where find() must point.
  for (size_t i = 0; i < entries.size(); ++i) index_.emplace(entries[i].first, uint32_t(i));
}

void release(MxValue& v) {
  if (isHeap(v) && v.as.obj->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    destroy(v.as.obj);
  }
  v = MxValue{};
}

MxValue newString(std::string bytes) {
  MxValue v{};
  v.tag = MX_STR;
  v.as.obj = new StrObj(std::move(bytes));
  return v;
}

MxValue newList(std::vector<MxValue> ownedItems) {
  auto* obj = new ListObj();
  obj->items = std::move(ownedItems);
  MxValue v{};
  v.tag = MX_LIST;
  v.as.obj = obj;
  return v;
}

MxValue newMap() {
  MxValue v{};
  v.tag = MX_MAP;
  v.as.obj = new MapObj();
  return v;
}

MxValue newRecord(ShapePtr shape, std::vector<MxValue> ownedFields) {
  MX_ASSERT(shape && ownedFields.size() == shape->fields.size(),
            "a record needs one value per field of its shape");
  auto* obj = new RecordObj(std::move(shape));
  obj->fields = std::move(ownedFields);
  MxValue v{};
  v.tag = MX_RECORD;
  v.as.obj = obj;
  return v;
}

std::string_view stringView(const MxValue& v) {
  return v.tag == MX_STR ? std::string_view(strObj(v)->bytes) : std::string_view();
}

// ---- copy-on-write

ListObj* mutableList(MxValue* slot) {
  if (slot->tag == MX_NONE) *slot = newList();
  MX_ASSERT(slot->tag == MX_LIST, "list mutation on a value that is not a list");
  if (isShared(*slot)) assign(slot, newList(shareAll(listObj(*slot)->items)));
  return listObj(*slot);
}

MapObj* mutableMap(MxValue* slot) {
  if (slot->tag == MX_NONE) *slot = newMap();
  MX_ASSERT(slot->tag == MX_MAP, "map mutation on a value that is not a map");
  if (isShared(*slot)) {
    MxValue copy = newMap();
    MapObj* to = mapObj(copy);
    to->entries = mapObj(*slot)->entries;
    for (auto& [key, v] : to->entries) retain(v);
    to->reindex();
    assign(slot, copy);
  }
  return mapObj(*slot);
}

RecordObj* mutableRecord(MxValue* slot) {
  MX_ASSERT(slot->tag == MX_RECORD, "record mutation on a value that is not a record");
  if (isShared(*slot)) {
    RecordObj* from = recordObj(*slot);
    assign(slot, newRecord(from->shape, shareAll(from->fields)));
  }
  return recordObj(*slot);
}

std::string quoteForError(std::string_view text, size_t maxCodePoints) {
  size_t cut = utf8::byteOffset(text, maxCodePoints);
  std::string out = "'";
  out += utf8::sanitize(text.substr(0, cut));
  out += cut < text.size() ? "...'" : "'";
  return out;
}

}  // namespace mx::rt
