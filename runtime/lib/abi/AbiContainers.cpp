// AbiContainers.cpp — building and growing containers, templates, len, `for` iteration and the
// `while ... max N` bound.
#include <string>
#include <vector>

#include "mx/Assert.h"
#include "mx/rt/Abi.h"
#include "mx/rt/Context.h"
#include "mx/rt/Utf8.h"
#include "mx/rt/Value.h"

using namespace mx::rt;

namespace {

std::vector<MxValue> shareSlots(const MxValue* values, size_t count) {
  std::vector<MxValue> slots(values, values + count);
  for (const MxValue& v : slots) retain(v);
  return slots;
}

}  // namespace

extern "C" {

void mx_rt_make_list(MxValue* out, const MxValue* elements, uint32_t count) {
  assign(out, newList(shareSlots(elements, count)));
}

void mx_rt_make_map(MxValue* out, const char* const* keys, const MxValue* values, uint32_t count) {
  MxValue m = newMap();
  for (uint32_t i = 0; i < count; ++i) {
    retain(values[i]);
    mapObj(m)->set(keys[i], values[i]);
  }
  assign(out, m);
}

void mx_rt_make_record(MxCtx* ctx, MxValue* out, uint32_t shape, const MxValue* values) {
  const ShapePtr* s = ctx->shapes ? ctx->shapes->find(shape) : nullptr;
  MX_ASSERT(s, "mx_rt_make_record: unknown shape id (the module's shape table is not loaded?)");
  assign(out, newRecord(*s, shareSlots(values, (*s)->fields.size())));
}

void mx_rt_append(MxValue* list, const MxValue* element) {
  MxValue v = *element;
  retain(v);  // before copy-on-write: `element` may live inside `list`
  mutableList(list)->items.push_back(v);
}

void mx_rt_extend(MxValue* list, const MxValue* other) {
  // Share the other list's elements first: `other` may be `list` itself (xs += xs).
  std::vector<MxValue> items;
  if (other->tag == MX_LIST) {
    items = shareSlots(listObj(*other)->items.data(), listObj(*other)->items.size());
  }
  ListObj* target = mutableList(list);
  target->items.insert(target->items.end(), items.begin(), items.end());
}

void mx_rt_concat(MxValue* out, const MxValue* parts, uint32_t count) {
  std::string text;
  for (uint32_t i = 0; i < count; ++i) {
    if (parts[i].tag == MX_STR) {
      text += strObj(parts[i])->bytes;
    } else {
      text += toString(parts[i]);
    }
  }
  assign(out, newString(std::move(text)));
}

int64_t mx_rt_len(const MxValue* v) {
  switch (v->tag) {
    case MX_STR: return int64_t(strObj(*v)->codePoints);
    case MX_LIST: return int64_t(listObj(*v)->items.size());
    case MX_MAP: return int64_t(mapObj(*v)->entries.size());
    case MX_RECORD: return int64_t(recordObj(*v)->fields.size());
    default: return 0;  // json null and scalars
  }
}

int32_t mx_rt_iter_next(const MxValue* iterable, int64_t index, MxValue* out, MxValue* key) {
  if (index < 0) return 0;
  size_t i = size_t(index);
  switch (iterable->tag) {
    case MX_LIST: {
      const auto& items = listObj(*iterable)->items;
      if (i >= items.size()) return 0;
      if (key) assign(key, intValue(index));
      retain(items[i]);
      assign(out, items[i]);
      return 1;
    }
    case MX_STR: {
      // Each step finds its code point from the start unless the string is ASCII: O(n) per step
      // for other text, because the ABI passes no cursor (see the runtime README).
      const StrObj& s = *strObj(*iterable);
      if (i >= s.codePoints) return 0;
      size_t at = s.isAscii() ? i : utf8::byteOffset(s.bytes, i);
      if (key) assign(key, intValue(index));
      assign(out, newString(s.bytes.substr(at, utf8::decode(s.bytes, at).length)));
      return 1;
    }
    case MX_MAP: {
      const auto& entries = mapObj(*iterable)->entries;
      if (i >= entries.size()) return 0;
      if (key) assign(key, newString(entries[i].first));
      retain(entries[i].second);
      assign(out, entries[i].second);
      return 1;
    }
    case MX_RECORD: {
      const RecordObj& r = *recordObj(*iterable);
      if (i >= r.fields.size()) return 0;
      if (key) assign(key, newString(r.shape->fields[i]));
      retain(r.fields[i]);
      assign(out, r.fields[i]);
      return 1;
    }
    default: return 0;  // json null or a scalar: nothing to iterate
  }
}

// `count` counts entries into the body including the one about to happen (the compiler increments
// it before the call: 1 on the first entry). Entering an (N+1)th time fails (docs/language.md §5).
int32_t mx_rt_loop_bound(MxCtx* ctx, uint32_t loc, int64_t count, const MxValue* bound) {
  int64_t n = bound->tag == MX_INT ? bound->as.i : 0;  // sema makes the bound an int
  if (count <= n) return 0;
  return ctx->fail(loc, "loop exceeded its bound of " + std::to_string(n) + " iterations");
}

}  // extern "C"
