// ReplExpr.cpp — field paths, literals and one comparison for `mx repl` (grammar in ReplExpr.h).
#include "ReplExpr.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace mx::cli {

using rt::Value;

namespace {

class Parser {
 public:
  Parser(const std::string& text, const rt::TaskInfo& task, const std::vector<Value>& fields)
      : s_(text), task_(task), fields_(fields) {}

  /// expr ::= operand [op operand]
  bool expr(Value& out, std::string& error) {
    if (!operand(out, error)) return false;
    skip();
    static const char* ops[] = {"==", "!=", "<=", ">=", "<", ">", "~"};
    for (const char* op : ops) {
      if (s_.compare(i_, std::string(op).size(), op) != 0) continue;
      i_ += std::string(op).size();
      Value rhs;
      if (!operand(rhs, error)) return false;
      out = Value::boolean(apply(op, out, rhs));
      break;
    }
    skip();
    if (i_ != s_.size()) return fail("unexpected '" + s_.substr(i_) + "'", error);
    return true;
  }

 private:
  static bool apply(const std::string& op, const Value& a, const Value& b) {
    if (op == "~") {
      if (a.tag() == MX_STR && b.tag() == MX_STR) return a.asString().find(b.asString()) != std::string_view::npos;
      for (size_t k = 0; a.tag() == MX_LIST && k < a.size(); ++k)
        if (a.at(k) == b) return true;
      return false;
    }
    int c = rt::compare(a.raw(), b.raw());
    if (op == "==") return a == b;
    if (op == "!=") return !(a == b);
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
  }

  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool fail(const std::string& why, std::string& error) {
    error = why;
    return false;
  }
  std::string ident() {
    size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
    return s_.substr(b, i_ - b);
  }

  /// The extent of a JSON literal starting at i_ (a string, array or object), by bracket depth.
  bool jsonLiteral(Value& out, std::string& error) {
    size_t b = i_;
    int depth = 0;
    bool inString = false;
    for (; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      if (inString) {
        if (c == '\\') ++i_;
        else if (c == '"') inString = false;
        if (!inString && depth == 0) break;
        continue;
      }
      if (c == '"') inString = true;
      else if (c == '[' || c == '{') ++depth;
      else if ((c == ']' || c == '}') && --depth == 0) break;
    }
    if (i_ >= s_.size()) return fail("unterminated literal", error);
    ++i_;
    std::string why;
    out = Value::fromJson(s_.substr(b, i_ - b), why);
    return why.empty() || fail("bad literal: " + why, error);
  }

  /// operand ::= literal | path | "len" "(" path ")"
  bool operand(Value& out, std::string& error) {
    skip();
    if (i_ >= s_.size()) return fail("an expression is missing", error);
    char c = s_[i_];
    if (c == '"' || c == '[' || c == '{') return jsonLiteral(out, error);
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') {
      size_t b = i_++;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' || s_[i_] == '_')) ++i_;
      std::string text = s_.substr(b, i_ - b), why;
      text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
      out = Value::fromJson(text, why);
      return why.empty() || fail("bad number '" + text + "'", error);
    }
    std::string name = ident();
    if (name.empty()) return fail("unexpected '" + s_.substr(i_) + "'", error);
    if (name == "true" || name == "false") return out = Value::boolean(name == "true"), true;
    if (name == "none") return out = Value(), true;
    skip();
    if (name == "len" && i_ < s_.size() && s_[i_] == '(') {
      ++i_;
      Value inner;
      if (!operand(inner, error)) return false;
      skip();
      if (i_ >= s_.size() || s_[i_] != ')') return fail("')' expected after len(...", error);
      ++i_;
      if (inner.tag() != MX_STR && inner.tag() != MX_LIST && inner.tag() != MX_MAP)
        return fail("len() of a " + std::string(rt::tagName(inner.tag())), error);
      return out = Value::integer(static_cast<int64_t>(inner.size())), true;
    }
    return path(name, out, error);
  }

  bool path(std::string name, Value& out, std::string& error) {
    size_t f = fieldIndex(name);
    if (f == SIZE_MAX && name == "t" && i_ < s_.size() && s_[i_] == '.') {  // `t.field`
      ++i_;
      name = ident();
      f = fieldIndex(name);
    }
    if (f == SIZE_MAX) return fail("task '" + task_.name + "' has no field '" + name + "'", error);
    out = f < fields_.size() ? fields_[f] : Value();
    std::string where = name;
    while (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == '[')) {
      if (s_[i_] == '.') {
        ++i_;
        std::string key = ident();
        if (out.tag() != MX_RECORD && out.tag() != MX_MAP)
          return fail(where + " is a " + rt::tagName(out.tag()) + ", not a record", error);
        if (out.tag() == MX_RECORD && rt::recordObj(out.raw())->shape->fieldIndex(key) < 0)
          return fail(where + " has no field '" + key + "'", error);
        out = out.get(key);
        where += "." + key;
        continue;
      }
      ++i_;
      Value index;
      if (!operand(index, error)) return false;
      skip();
      if (i_ >= s_.size() || s_[i_] != ']') return fail("']' expected", error);
      ++i_;
      if (index.tag() == MX_STR && (out.tag() == MX_MAP || out.tag() == MX_RECORD)) {
        out = out.get(index.asString());
      } else if (index.tag() == MX_INT && out.tag() == MX_LIST) {
        int64_t k = index.asInt(), n = static_cast<int64_t>(out.size());
        if (k < 0) k += n;
        if (k < 0 || k >= n)
          return fail(where + " has " + std::to_string(n) + " elements; no [" +
                          std::to_string(index.asInt()) + "]", error);
        out = out.at(static_cast<size_t>(k));
      } else {
        return fail("cannot index a " + std::string(rt::tagName(out.tag())) + " with a " +
                        rt::tagName(index.tag()), error);
      }
      where += "[" + index.toJsonText() + "]";
    }
    return true;
  }

  size_t fieldIndex(const std::string& name) const {
    for (size_t k = 0; k < task_.fields.size(); ++k)
      if (task_.fields[k].name == name) return k;
    return SIZE_MAX;
  }

  const std::string& s_;
  const rt::TaskInfo& task_;
  const std::vector<Value>& fields_;
  size_t i_ = 0;
};

/// `list<map<string, int>>` → "map<string, int>" for the element type.
std::string inner(const std::string& type, size_t open) {
  return type.substr(open + 1, type.size() - open - 2);
}

}  // namespace

bool evalExpr(const std::string& text, const rt::TaskInfo& task, const std::vector<Value>& fields,
              Value& out, std::string& error) {
  return Parser(text, task, fields).expr(out, error);
}

bool fitsType(const std::string& rawType, Value& value) {
  std::string type;
  for (char c : rawType)
    if (c != ' ') type += c;
  if (type.empty() || type == "json") return true;
  if (type.back() == '?') return value.isNone() || fitsType(type.substr(0, type.size() - 1), value);
  switch (value.tag()) {
    case MX_INT:
      if (type == "float") value = Value::number(static_cast<double>(value.asInt()));
      return type == "int" || type == "float";
    case MX_FLOAT: return type == "float";
    case MX_BOOL: return type == "bool";
    case MX_STR: return type == "string";
    case MX_LIST: {
      if (type.rfind("list<", 0) != 0) return false;
      std::string element = inner(type, 4);
      for (size_t k = 0; k < value.size(); ++k) {
        Value e = value.at(k);
        if (!fitsType(element, e)) return false;
      }
      return true;
    }
    case MX_MAP: {
      if (type.rfind("map<", 0) != 0) return false;
      std::string element = inner(type, 3);
      element = element.substr(element.find(',') + 1);
      for (auto& [key, v] : rt::mapObj(value.raw())->entries) {
        Value e = Value::copyOf(v);
        if (!fitsType(element, e)) return false;
      }
      return true;
    }
    case MX_RECORD: return rt::recordObj(value.raw())->shape->name == type;
    default: return false;
  }
}

}  // namespace mx::cli
