// TemplateValue.cpp — truthiness, equality, JSON conversion and printing of template values.
#include "TemplateValue.h"

#include <cmath>
#include <cstdio>

namespace mx::engine::tmpl {

bool Value::truthy() const {
  switch (kind) {
    case Undefined: case None: return false;
    case Bool: return b;
    case Int: return i != 0;
    case Float: return f != 0;
    case Str: return !s.empty();
    case ListK: return !list->empty();
    case DictK: case Namespace: return !dict->empty();
  }
  return false;
}

const Value* Value::get(const std::string& key) const {
  if ((kind != DictK && kind != Namespace) || !dict) return nullptr;
  for (const auto& [k, v] : *dict)
    if (k == key) return &v;
  return nullptr;
}

void Value::set(const std::string& key, Value v) {
  for (auto& [k, old] : *dict)
    if (k == key) {
      old = std::move(v);
      return;
    }
  dict->emplace_back(key, std::move(v));
}

Value fromJson(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value::none();
    case nlohmann::json::value_t::boolean: return Value::boolean(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value::integer(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return Value::integer(static_cast<int64_t>(j.get<uint64_t>()));
    case nlohmann::json::value_t::number_float: return Value::number(j.get<double>());
    case nlohmann::json::value_t::string: return Value::str(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      List l;
      for (const auto& x : j) l.push_back(fromJson(x));
      return Value::makeList(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      Dict d;
      for (const auto& [k, x] : j.items()) d.emplace_back(k, fromJson(x));
      return Value::makeDict(std::move(d));
    }
    default: return Value();
  }
}

nlohmann::ordered_json toJson(const Value& v) {
  switch (v.kind) {
    case Value::Undefined: case Value::None: return nullptr;
    case Value::Bool: return v.b;
    case Value::Int: return v.i;
    case Value::Float: return v.f;
    case Value::Str: return v.s;
    case Value::ListK: {
      auto a = nlohmann::ordered_json::array();
      for (const auto& x : *v.list) a.push_back(toJson(x));
      return a;
    }
    case Value::DictK: case Value::Namespace: {
      auto o = nlohmann::ordered_json::object();
      for (const auto& [k, x] : *v.dict) o[k] = toJson(x);
      return o;
    }
  }
  return nullptr;
}

static std::string pyFloat(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
  char buf[32];
  for (int p = 1; p <= 17; ++p) {  // shortest repr that reads back, like Python
    std::snprintf(buf, sizeof buf, "%.*g", p, f);
    if (std::strtod(buf, nullptr) == f) break;
  }
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

static std::string repr(const Value& v) {
  if (v.kind == Value::Str) {
    std::string out = "'";
    for (char c : v.s) {
      if (c == '\'') out += "\\'";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    return out + "'";
  }
  return toText(v);
}

std::string toText(const Value& v) {
  switch (v.kind) {
    case Value::Undefined: return "";
    case Value::None: return "None";
    case Value::Bool: return v.b ? "True" : "False";
    case Value::Int: return std::to_string(v.i);
    case Value::Float: return pyFloat(v.f);
    case Value::Str: return v.s;
    case Value::ListK: {
      std::string out = "[";
      for (size_t k = 0; k < v.list->size(); ++k) out += (k ? ", " : "") + repr((*v.list)[k]);
      return out + "]";
    }
    case Value::DictK: case Value::Namespace: {
      std::string out = "{";
      for (size_t k = 0; k < v.dict->size(); ++k)
        out += (k ? ", " : "") + repr(Value::str((*v.dict)[k].first)) + ": " + repr((*v.dict)[k].second);
      return out + "}";
    }
  }
  return "";
}

bool equal(const Value& a, const Value& b) {
  bool an = a.kind == Value::Int || a.kind == Value::Float || a.kind == Value::Bool;
  bool bn = b.kind == Value::Int || b.kind == Value::Float || b.kind == Value::Bool;
  if (an && bn) {
    auto num = [](const Value& v) { return v.kind == Value::Float ? v.f : v.kind == Value::Int ? double(v.i) : double(v.b); };
    return num(a) == num(b);
  }
  if (a.kind != b.kind) return (a.kind == Value::None && b.kind == Value::Undefined) ? false : false;
  switch (a.kind) {
    case Value::Undefined: case Value::None: return true;
    case Value::Str: return a.s == b.s;
    case Value::ListK: {
      if (a.list->size() != b.list->size()) return false;
      for (size_t k = 0; k < a.list->size(); ++k)
        if (!equal((*a.list)[k], (*b.list)[k])) return false;
      return true;
    }
    case Value::DictK: case Value::Namespace: {
      if (a.dict->size() != b.dict->size()) return false;
      for (const auto& [k, x] : *a.dict) {
        const Value* y = b.get(k);
        if (!y || !equal(x, *y)) return false;
      }
      return true;
    }
    default: return false;
  }
}

const char* kindName(const Value& v) {
  static const char* names[] = {"undefined", "none", "bool", "int", "float", "string", "list", "dict", "namespace"};
  return names[v.kind];
}

}  // namespace mx::engine::tmpl
