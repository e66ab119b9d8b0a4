// Value.cpp — the RAII handle's constructors and accessors.
#include "mx/rt/Value.h"

#include <string>

#include "mx/Assert.h"

namespace mx::rt {

Value Value::list(std::vector<Value> items) {
  std::vector<MxValue> slots;
  slots.reserve(items.size());
  for (Value& item : items) slots.push_back(item.take());
  return adopt(newList(std::move(slots)));
}

Value Value::map(std::vector<std::pair<std::string, Value>> entries) {
  Value m = adopt(newMap());
  MapObj* obj = mapObj(m.v_);
  for (auto& [key, value] : entries) obj->set(std::move(key), value.take());
  return m;
}

Value Value::record(ShapePtr shape, std::vector<Value> fields) {
  std::vector<MxValue> slots;
  slots.reserve(fields.size());
  for (Value& field : fields) slots.push_back(field.take());
  return adopt(newRecord(std::move(shape), std::move(slots)));
}

Value Value::fromJson(std::string_view text, std::string& error) {
  Value v;
  parseJson(text, &v.v_, error);
  return v;
}

Value Value::json(std::string_view text) {
  std::string error;
  Value v;
  bool ok = parseJson(text, &v.v_, error);
  MX_ASSERT(ok, error.c_str());
  return v;
}

size_t Value::size() const {
  switch (v_.tag) {
    case MX_STR: return strObj(v_)->codePoints;
    case MX_LIST: return listObj(v_)->items.size();
    case MX_MAP: return mapObj(v_)->entries.size();
    case MX_RECORD: return recordObj(v_)->fields.size();
    default: return 0;
  }
}

Value Value::at(size_t i) const {
  if (v_.tag == MX_LIST && i < listObj(v_)->items.size()) return copyOf(listObj(v_)->items[i]);
  if (v_.tag == MX_RECORD && i < recordObj(v_)->fields.size()) {
    return copyOf(recordObj(v_)->fields[i]);
  }
  return Value();
}

Value Value::get(std::string_view key) const {
  if (v_.tag == MX_MAP) {
    int64_t at = mapObj(v_)->find(key);
    return at < 0 ? Value() : copyOf(mapObj(v_)->entries[size_t(at)].second);
  }
  if (v_.tag == MX_RECORD) {
    int32_t at = recordObj(v_)->shape->fieldIndex(key);
    return at < 0 ? Value() : copyOf(recordObj(v_)->fields[size_t(at)]);
  }
  return Value();
}

}  // namespace mx::rt
