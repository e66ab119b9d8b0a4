// AbiAccess.cpp — reading and writing parts of values: xs[i], m[k], s[i], record fields and json
// members (docs/language.md §3, §6).
//
// Typed reads fail the task on a miss; json reads give none. mx_rt_index_get sees only tags, and
// a json array is a list at run time, so it applies the typed rule; jsonIndex is the json rule
// (see the runtime README for the ABI entry it needs).
#include <string>

#include "mx/Assert.h"
#include "mx/rt/Abi.h"
#include "mx/rt/Context.h"
#include "mx/rt/Utf8.h"
#include "mx/rt/Value.h"

using namespace mx::rt;

namespace {

int32_t outOfRange(MxCtx* ctx, uint32_t loc, int64_t i, const char* what, uint64_t size) {
  return ctx->fail(loc, "index " + std::to_string(i) + " out of range for a " + what + " of " +
                            std::to_string(size));
}

/// The i-th code point of a string, as a string.
MxValue codePointAt(const StrObj& s, uint64_t i) {
  if (s.isAscii()) return newString(s.bytes.substr(i, 1));
  size_t at = utf8::byteOffset(s.bytes, i);
  return newString(s.bytes.substr(at, utf8::decode(s.bytes, at).length));
}

/// A map's entry or a record's field by name, or null.
const MxValue* member(const MxValue& base, std::string_view key) {
  if (base.tag == MX_MAP) {
    int64_t at = mapObj(base)->find(key);
    return at < 0 ? nullptr : &mapObj(base)->entries[size_t(at)].second;
  }
  if (base.tag == MX_RECORD) {
    int32_t at = recordObj(base)->shape->fieldIndex(key);
    return at < 0 ? nullptr : &recordObj(base)->fields[size_t(at)];
  }
  return nullptr;
}

/// Copies `v` into `out` (sharing), safe when `out` is the slot `v` lives in.
void copyInto(MxValue* out, const MxValue& v) {
  retain(v);
  assign(out, v);
}

/// A record that a json value holds becomes a map when a new key is set on it (json objects
/// take any key; records have fixed fields).
void recordToMap(MxValue* slot) {
  const RecordObj* r = recordObj(*slot);
  MxValue m = newMap();
  for (size_t i = 0; i < r->fields.size(); ++i) {
    retain(r->fields[i]);
    mapObj(m)->set(r->shape->fields[i], r->fields[i]);
  }
  assign(slot, m);
}

}  // namespace

namespace mx::rt {

void jsonMember(MxValue* out, const MxValue& json, std::string_view key) {
  const MxValue* v = member(json, key);
  if (v) {
    copyInto(out, *v);
  } else {
    assign(out, noneValue());
  }
}

void jsonIndex(MxValue* out, const MxValue& json, const MxValue& index) {
  if (index.tag == MX_STR) return jsonMember(out, json, stringView(index));
  if (json.tag == MX_LIST && index.tag == MX_INT && index.as.i >= 0 &&
      uint64_t(index.as.i) < listObj(json)->items.size()) {
    return copyInto(out, listObj(json)->items[size_t(index.as.i)]);
  }
  assign(out, noneValue());
}

}  // namespace mx::rt

extern "C" {

int32_t mx_rt_index_get(MxCtx* ctx, uint32_t loc, MxValue* out, const MxValue* base,
                        const MxValue* index) {
  if (index->tag == MX_INT && (base->tag == MX_LIST || base->tag == MX_STR)) {
    int64_t i = index->as.i;
    if (base->tag == MX_LIST) {
      const auto& items = listObj(*base)->items;
      if (i < 0 || uint64_t(i) >= items.size())
        return outOfRange(ctx, loc, i, "list", items.size());
      copyInto(out, items[size_t(i)]);
      return 0;
    }
    const StrObj& s = *strObj(*base);
    if (i < 0 || uint64_t(i) >= s.codePoints)
      return outOfRange(ctx, loc, i, "string", s.codePoints);
    assign(out, codePointAt(s, uint64_t(i)));
    return 0;
  }
  if (index->tag == MX_STR && (base->tag == MX_MAP || base->tag == MX_RECORD)) {
    const MxValue* v = member(*base, stringView(*index));
    if (!v) return ctx->fail(loc, "no key " + quoteForError(stringView(*index)));
    copyInto(out, *v);
    return 0;
  }
  // What only json can hold (null, a scalar, a mismatched index) reads as null, as json reads do.
  assign(out, noneValue());
  return 0;
}

int32_t mx_rt_index_set(MxCtx* ctx, uint32_t loc, MxValue* base, const MxValue* index,
                        const MxValue* value) {
  MxValue v = *value;
  retain(v);  // taken before any copy-on-write, in case `value` lives inside `base`
  if (base->tag == MX_LIST && index->tag == MX_INT) {
    int64_t i = index->as.i;
    uint64_t size = listObj(*base)->items.size();
    if (i < 0 || uint64_t(i) >= size) {
      release(v);
      return outOfRange(ctx, loc, i, "list", size);
    }
    assign(&mutableList(base)->items[size_t(i)], v);
    return 0;
  }
  if (index->tag == MX_STR && (base->tag == MX_MAP || base->tag == MX_RECORD)) {
    std::string_view key = stringView(*index);
    if (base->tag == MX_RECORD) {
      int32_t at = recordObj(*base)->shape->fieldIndex(key);
      if (at >= 0) {
        assign(&mutableRecord(base)->fields[size_t(at)], v);
        return 0;
      }
      recordToMap(base);
    }
    mutableMap(base)->set(std::string(key), v);
    return 0;
  }
  release(v);
  return ctx->fail(loc, std::string("internal error: cannot assign to ") + tagName(base->tag) +
                            "[" + tagName(index->tag) + "]");
}

void mx_rt_field_get(MxValue* out, const MxValue* record, uint32_t field) {
  MX_ASSERT(record->tag == MX_RECORD && field < recordObj(*record)->fields.size(),
            "field read on a value that is not a record with that field");
  copyInto(out, recordObj(*record)->fields[field]);
}

void mx_rt_field_set(MxValue* record, uint32_t field, const MxValue* value) {
  MX_ASSERT(record->tag == MX_RECORD && field < recordObj(*record)->fields.size(),
            "field write on a value that is not a record with that field");
  MxValue v = *value;
  retain(v);
  assign(&mutableRecord(record)->fields[field], v);
}

void mx_rt_json_member(MxValue* out, const MxValue* json, const char* key) {
  jsonMember(out, *json, key);
}

void mx_rt_json_index(MxValue* out, const MxValue* json, const MxValue* index) {
  jsonIndex(out, *json, *index);
}

}  // extern "C"
