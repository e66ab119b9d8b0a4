// TemplateValue.h — the values of the template interpreter: Python-like, with undefined.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mx::engine::tmpl {

struct Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>;  // insertion-ordered, like Python dicts

struct Value {
  enum Kind { Undefined, None, Bool, Int, Float, Str, ListK, DictK, Namespace } kind = Undefined;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::shared_ptr<List> list;  // ListK
  std::shared_ptr<Dict> dict;  // DictK and Namespace (a namespace is a mutable dict)

  static Value none() { Value v; v.kind = None; return v; }
  static Value boolean(bool x) { Value v; v.kind = Bool; v.b = x; return v; }
  static Value integer(int64_t x) { Value v; v.kind = Int; v.i = x; return v; }
  static Value number(double x) { Value v; v.kind = Float; v.f = x; return v; }
  static Value str(std::string x) { Value v; v.kind = Str; v.s = std::move(x); return v; }
  static Value makeList(List l = {}) { Value v; v.kind = ListK; v.list = std::make_shared<List>(std::move(l)); return v; }
  static Value makeDict(Dict d = {}, Kind k = DictK) { Value v; v.kind = k; v.dict = std::make_shared<Dict>(std::move(d)); return v; }

  bool isUndefined() const { return kind == Undefined; }
  bool truthy() const;
  const Value* get(const std::string& key) const;  // dict/namespace member, or null
  void set(const std::string& key, Value v);       // dict/namespace member
};

Value fromJson(const nlohmann::ordered_json& j);
nlohmann::ordered_json toJson(const Value& v);
/// What `{{ v }}` prints: Python's str() (None, True, repr of containers), "" for undefined.
std::string toText(const Value& v);
bool equal(const Value& a, const Value& b);
const char* kindName(const Value& v);

}  // namespace mx::engine::tmpl
