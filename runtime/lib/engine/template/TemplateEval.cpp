// TemplateEval.cpp — runs a parsed chat template: scopes, loops, expressions with Python
// semantics, and the filters, tests and methods chat templates use.
#include <algorithm>
#include <cmath>
#include <map>

#include "TemplateAst.h"
#include "mx/engine/ChatTemplate.h"

namespace mx::engine {
namespace tmpl {
namespace {

struct RenderError {
  std::string message;
};
struct BreakLoop {};
struct ContinueLoop {};

[[noreturn]] void fail(int line, const std::string& message) {
  throw RenderError{"line " + std::to_string(line) + ": " + message};
}

bool isNumber(const Value& v) { return v.kind == Value::Int || v.kind == Value::Float || v.kind == Value::Bool; }
double asDouble(const Value& v) { return v.kind == Value::Float ? v.f : v.kind == Value::Int ? double(v.i) : double(v.b); }

/// Python's index normalisation: negative counts from the end.
int64_t normalise(int64_t i, size_t size) { return i < 0 ? i + static_cast<int64_t>(size) : i; }

std::string strip(const std::string& s, const std::string& chars, bool left, bool right) {
  size_t b = 0, e = s.size();
  if (left) while (b < e && chars.find(s[b]) != std::string::npos) ++b;
  if (right) while (e > b && chars.find(s[e - 1]) != std::string::npos) --e;
  return s.substr(b, e - b);
}

const std::string kWhitespace = " \t\n\r\f\v";

class Renderer {
 public:
  explicit Renderer(std::string& out) : out_(out) {}

  void run(const Body& body, const nlohmann::ordered_json& vars) {
    scopes_.emplace_back();
    for (const auto& [k, v] : vars.items()) scopes_.back()[k] = fromJson(v);
    exec(body);
  }

 private:
  // ------------------------------------------------------------------------ statements

  void exec(const Body& body) {
    for (const auto& n : body) exec(*n);
  }

  void exec(const Node& n) {
    switch (n.kind) {
      case Node::Text: out_ += n.text; return;
      case Node::Output: out_ += toText(eval(*n.expr)); return;
      case Node::If:
        for (const auto& [cond, body] : n.branches)
          if (eval(*cond).truthy()) {
            exec(body);
            return;
          }
        exec(n.elseBody);
        return;
      case Node::For: loop(n); return;
      case Node::Set: {
        Value v = eval(*n.expr);
        if (n.targets.size() == 1) {
          scopes_.back()[n.targets[0]] = std::move(v);
          return;
        }
        Value ns = lookup(n.targets[0]);
        if (ns.kind != Value::Namespace) fail(n.line, "'" + n.targets[0] + "' is not a namespace; only namespace attributes can be set");
        ns.set(n.targets[1], std::move(v));
        return;
      }
      case Node::Break: throw BreakLoop{};
      case Node::Continue: throw ContinueLoop{};
    }
  }

  void loop(const Node& n) {
    Value seq = eval(*n.expr);
    List items;
    if (seq.kind == Value::ListK) items = *seq.list;
    else if (seq.kind == Value::DictK) for (const auto& [k, v] : *seq.dict) items.push_back(Value::str(k));
    else if (seq.kind == Value::Str) for (char c : seq.s) items.push_back(Value::str(std::string(1, c)));
    else if (!seq.isUndefined() && seq.kind != Value::None) fail(n.line, std::string("cannot loop over a ") + kindName(seq));
    scopes_.emplace_back();
    auto bind = [&](const Value& item) {
      if (n.targets.size() == 1) {
        scopes_.back()[n.targets[0]] = item;
        return;
      }
      if (item.kind != Value::ListK || item.list->size() != n.targets.size())
        fail(n.line, "cannot unpack into " + std::to_string(n.targets.size()) + " names");
      for (size_t k = 0; k < n.targets.size(); ++k) scopes_.back()[n.targets[k]] = (*item.list)[k];
    };
    if (n.filter) {  // `for x in xs if cond`: the loop sees only the kept items
      List kept;
      for (const auto& item : items) {
        bind(item);
        if (eval(*n.filter).truthy()) kept.push_back(item);
      }
      items = std::move(kept);
    }
    for (size_t k = 0; k < items.size(); ++k) {
      bind(items[k]);
      int64_t size = static_cast<int64_t>(items.size()), idx = static_cast<int64_t>(k);
      Dict info = {{"index", Value::integer(idx + 1)},        {"index0", Value::integer(idx)},
                   {"revindex", Value::integer(size - idx)},  {"revindex0", Value::integer(size - idx - 1)},
                   {"first", Value::boolean(k == 0)},         {"last", Value::boolean(idx == size - 1)},
                   {"length", Value::integer(size)},
                   {"previtem", k > 0 ? items[k - 1] : Value()},
                   {"nextitem", idx + 1 < size ? items[k + 1] : Value()}};
      scopes_.back()["loop"] = Value::makeDict(std::move(info));
      try {
        exec(n.body);
      } catch (const ContinueLoop&) {
      } catch (const BreakLoop&) {
        break;
      }
    }
    if (items.empty()) exec(n.elseBody);
    scopes_.pop_back();
  }

  Value lookup(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto f = it->find(name);
      if (f != it->end()) return f->second;
    }
    return Value();
  }

  // ----------------------------------------------------------------------- expressions

  Value eval(const Expr& e) {
    switch (e.kind) {
      case Expr::Literal: return e.literal;
      case Expr::Name: return lookup(e.name);
      case Expr::Attr: return member(eval(*e.args[0]), e.name);
      case Expr::Item: return item(eval(*e.args[0]), eval(*e.args[1]), e.line);
      case Expr::Slice: return slice(e);
      case Expr::Call: return call(e);
      case Expr::Filter: return filter(e);
      case Expr::Test: {
        bool r = test(e);
        return Value::boolean(e.negated ? !r : r);
      }
      case Expr::Unary: {
        Value v = eval(*e.args[0]);
        if (e.name == "not") return Value::boolean(!v.truthy());
        if (!isNumber(v)) fail(e.line, std::string("cannot negate a ") + kindName(v));
        if (e.name == "+") return v;
        return v.kind == Value::Float ? Value::number(-v.f) : Value::integer(-asDouble(v));
      }
      case Expr::Binary: return binary(e);
      case Expr::Cond: return eval(*e.args[0]).truthy() ? eval(*e.args[1]) : eval(*e.args[2]);
      case Expr::ListLit: {
        List l;
        for (const auto& a : e.args) l.push_back(eval(*a));
        return Value::makeList(std::move(l));
      }
      case Expr::DictLit: {
        Value d = Value::makeDict();
        for (size_t k = 0; k + 1 < e.args.size(); k += 2) d.set(toText(eval(*e.args[k])), eval(*e.args[k + 1]));
        return d;
      }
    }
    return Value();
  }

  static Value member(const Value& base, const std::string& name) {
    if (const Value* v = base.get(name)) return *v;
    return Value();  // a missing attribute is undefined (tested with `is defined`)
  }

  static Value item(const Value& base, const Value& key, int line) {
    if (base.kind == Value::ListK || base.kind == Value::Str) {
      if (key.kind != Value::Int) fail(line, std::string("indices must be integers, not ") + kindName(key));
      size_t size = base.kind == Value::ListK ? base.list->size() : base.s.size();
      int64_t i = normalise(key.i, size);
      if (i < 0 || i >= static_cast<int64_t>(size)) return Value();
      return base.kind == Value::ListK ? (*base.list)[i] : Value::str(std::string(1, base.s[i]));
    }
    if (base.kind == Value::DictK || base.kind == Value::Namespace) return member(base, toText(key));
    return Value();
  }

  Value slice(const Expr& e) {
    Value base = eval(*e.args[0]);
    auto part = [&](int k, int64_t fallback) {
      if (!e.args[k]) return fallback;
      Value v = eval(*e.args[k]);
      if (v.kind != Value::Int) fail(e.line, "slice bounds must be integers");
      return v.i;
    };
    int64_t step = part(3, 1);
    if (step == 0) fail(e.line, "a slice step cannot be zero");
    size_t size = base.kind == Value::ListK ? base.list->size() : base.kind == Value::Str ? base.s.size() : 0;
    if (base.kind != Value::ListK && base.kind != Value::Str) fail(e.line, std::string("cannot slice a ") + kindName(base));
    int64_t n = static_cast<int64_t>(size);
    auto clampIndex = [&](int64_t i, bool isStart) {
      if (i < 0) i += n;
      if (step > 0) return std::clamp<int64_t>(i, 0, n);
      return std::clamp<int64_t>(i, -1, n - 1);
      (void)isStart;
    };
    int64_t start = e.args[1] ? clampIndex(part(1, 0), true) : (step > 0 ? 0 : n - 1);
    int64_t stop = e.args[2] ? clampIndex(part(2, 0), false) : (step > 0 ? n : -1);
    List items;
    std::string text;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (base.kind == Value::ListK) items.push_back((*base.list)[i]);
      else text += base.s[i];
    }
    return base.kind == Value::ListK ? Value::makeList(std::move(items)) : Value::str(text);
  }

  Value binary(const Expr& e) {
    const std::string& op = e.name;
    if (op == "and") {
      Value l = eval(*e.args[0]);
      return l.truthy() ? eval(*e.args[1]) : l;
    }
    if (op == "or") {
      Value l = eval(*e.args[0]);
      return l.truthy() ? l : eval(*e.args[1]);
    }
    Value l = eval(*e.args[0]), r = eval(*e.args[1]);
    if (op == "~") return Value::str(toText(l) + toText(r));
    if (op == "==") return Value::boolean(equal(l, r));
    if (op == "!=") return Value::boolean(!equal(l, r));
    if (op == "in" || op == "not in") {
      bool found = false;
      if (r.kind == Value::Str) found = l.kind == Value::Str && r.s.find(l.s) != std::string::npos;
      else if (r.kind == Value::ListK) found = std::any_of(r.list->begin(), r.list->end(), [&](const Value& x) { return equal(x, l); });
      else if (r.kind == Value::DictK || r.kind == Value::Namespace) found = r.get(toText(l)) != nullptr;
      else if (!r.isUndefined() && r.kind != Value::None) fail(e.line, std::string("'in' needs a string, list or dict, not a ") + kindName(r));
      return Value::boolean(op == "in" ? found : !found);
    }
    if (op == "<" || op == ">" || op == "<=" || op == ">=") {
      int c;
      if (isNumber(l) && isNumber(r)) c = asDouble(l) < asDouble(r) ? -1 : asDouble(l) > asDouble(r) ? 1 : 0;
      else if (l.kind == Value::Str && r.kind == Value::Str) c = l.s.compare(r.s);
      else fail(e.line, std::string("cannot compare a ") + kindName(l) + " with a " + kindName(r));
      return Value::boolean(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
    }
    if (op == "+" && l.kind == Value::Str && r.kind == Value::Str) return Value::str(l.s + r.s);
    if (op == "+" && l.kind == Value::ListK && r.kind == Value::ListK) {
      List all = *l.list;
      all.insert(all.end(), r.list->begin(), r.list->end());
      return Value::makeList(std::move(all));
    }
    if (!isNumber(l) || !isNumber(r))
      fail(e.line, "'" + op + "' cannot combine a " + kindName(l) + " and a " + kindName(r));
    bool ints = l.kind != Value::Float && r.kind != Value::Float;
    double a = asDouble(l), b = asDouble(r);
    if (op == "+") return ints ? Value::integer(static_cast<int64_t>(a + b)) : Value::number(a + b);
    if (op == "-") return ints ? Value::integer(static_cast<int64_t>(a - b)) : Value::number(a - b);
    if (op == "*") return ints ? Value::integer(static_cast<int64_t>(a * b)) : Value::number(a * b);
    if (op == "**") return ints && b >= 0 ? Value::integer(static_cast<int64_t>(std::pow(a, b))) : Value::number(std::pow(a, b));
    if (b == 0) fail(e.line, "division by zero");
    if (op == "/") return Value::number(a / b);
    if (op == "//") return ints ? Value::integer(static_cast<int64_t>(std::floor(a / b))) : Value::number(std::floor(a / b));
    return ints ? Value::integer(static_cast<int64_t>(a - b * std::floor(a / b))) : Value::number(a - b * std::floor(a / b));
  }

  // ------------------------------------------------------------- calls, filters, tests

  std::vector<Value> evalArgs(const Expr& e, size_t from) {
    std::vector<Value> out;
    for (size_t k = from; k < e.args.size(); ++k) out.push_back(eval(*e.args[k]));
    return out;
  }

  Value call(const Expr& e) {
    const Expr& callee = *e.args[0];
    if (callee.kind == Expr::Name) {
      if (callee.name == "raise_exception") {
        auto args = evalArgs(e, 1);
        fail(e.line, "the template raised: " + (args.empty() ? std::string() : toText(args[0])));
      }
      if (callee.name == "namespace") {
        Value ns = Value::makeDict({}, Value::Namespace);
        size_t positional = e.args.size() - 1 - e.keywords.size();
        if (positional) fail(e.line, "namespace() takes keyword arguments only");
        for (size_t k = 0; k < e.keywords.size(); ++k) ns.set(e.keywords[k], eval(*e.args[1 + positional + k]));
        return ns;
      }
      if (callee.name == "range") {
        auto a = evalArgs(e, 1);
        int64_t lo = a.size() > 1 ? a[0].i : 0, hi = a.empty() ? 0 : a.size() > 1 ? a[1].i : a[0].i;
        List l;
        for (int64_t i = lo; i < hi; ++i) l.push_back(Value::integer(i));
        return Value::makeList(std::move(l));
      }
      fail(e.line, "unsupported function '" + callee.name + "'");
    }
    if (callee.kind != Expr::Attr) fail(e.line, "this expression cannot be called");
    Value self = eval(*callee.args[0]);
    auto args = evalArgs(e, 1);
    const std::string& m = callee.name;
    auto str = [&](size_t k, const std::string& fallback) {
      return k < args.size() && args[k].kind == Value::Str ? args[k].s : fallback;
    };
    if (self.kind == Value::Str) {
      if (m == "startswith") return Value::boolean(self.s.rfind(str(0, ""), 0) == 0);
      if (m == "endswith") {
        std::string suf = str(0, "");
        return Value::boolean(self.s.size() >= suf.size() && self.s.compare(self.s.size() - suf.size(), suf.size(), suf) == 0);
      }
      if (m == "strip") return Value::str(strip(self.s, str(0, kWhitespace), true, true));
      if (m == "lstrip") return Value::str(strip(self.s, str(0, kWhitespace), true, false));
      if (m == "rstrip") return Value::str(strip(self.s, str(0, kWhitespace), false, true));
      if (m == "upper" || m == "lower") {
        std::string s = self.s;
        for (char& c : s) c = static_cast<char>(m == "upper" ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
        return Value::str(s);
      }
      if (m == "replace") {
        std::string s = self.s, from = str(0, ""), to = str(1, "");
        if (from.empty()) return Value::str(s);
        for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
        return Value::str(s);
      }
      if (m == "split") {
        List parts;
        std::string sep = str(0, "");
        if (sep.empty()) {  // whitespace split, like Python's str.split()
          size_t i = 0;
          while (i < self.s.size()) {
            while (i < self.s.size() && kWhitespace.find(self.s[i]) != std::string::npos) ++i;
            size_t b = i;
            while (i < self.s.size() && kWhitespace.find(self.s[i]) == std::string::npos) ++i;
            if (i > b) parts.push_back(Value::str(self.s.substr(b, i - b)));
          }
        } else {
          size_t b = 0;
          for (size_t at; (at = self.s.find(sep, b)) != std::string::npos; b = at + sep.size())
            parts.push_back(Value::str(self.s.substr(b, at - b)));
          parts.push_back(Value::str(self.s.substr(b)));
        }
        return Value::makeList(std::move(parts));
      }
    }
    if (self.kind == Value::DictK) {
      if (m == "items") {
        List l;
        for (const auto& [k, v] : *self.dict) l.push_back(Value::makeList({Value::str(k), v}));
        return Value::makeList(std::move(l));
      }
      if (m == "keys" || m == "values") {
        List l;
        for (const auto& [k, v] : *self.dict) l.push_back(m == "keys" ? Value::str(k) : v);
        return Value::makeList(std::move(l));
      }
      if (m == "get") {
        const Value* v = args.empty() ? nullptr : self.get(toText(args[0]));
        return v ? *v : args.size() > 1 ? args[1] : Value::none();
      }
    }
    fail(e.line, std::string("unsupported method '") + m + "' of a " + kindName(self));
  }

  Value filter(const Expr& e) {
    Value v = eval(*e.args[0]);
    auto args = evalArgs(e, 1);
    const std::string& f = e.name;
    if (f == "trim") return Value::str(strip(toText(v), kWhitespace, true, true));
    if (f == "length" || f == "count") {
      size_t n = v.kind == Value::Str ? v.s.size() : v.kind == Value::ListK ? v.list->size()
                 : v.dict ? v.dict->size() : 0;
      return Value::integer(static_cast<int64_t>(n));
    }
    if (f == "tojson") {
      int indent = -1;
      for (size_t k = 0; k < e.keywords.size(); ++k)
        if (e.keywords[k] == "indent") indent = static_cast<int>(args[args.size() - e.keywords.size() + k].i);
      if (args.size() > e.keywords.size()) indent = static_cast<int>(args[0].i);
      return Value::str(pythonJson(toJson(v), indent, 0));
    }
    if (f == "string") return Value::str(toText(v));
    if (f == "lower" || f == "upper") {
      std::string s = toText(v);
      for (char& c : s) c = static_cast<char>(f == "upper" ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
      return Value::str(s);
    }
    if (f == "default" || f == "d") {
      bool boolean = args.size() > 1 && args[1].truthy();
      bool use = boolean ? !v.truthy() : v.isUndefined();
      return use ? (args.empty() ? Value::str("") : args[0]) : v;
    }
    if (f == "first" || f == "last") {
      if (v.kind != Value::ListK || v.list->empty()) return Value();
      return f == "first" ? v.list->front() : v.list->back();
    }
    if (f == "join") {
      std::string sep = args.empty() ? "" : toText(args[0]), out;
      if (v.kind == Value::ListK)
        for (size_t k = 0; k < v.list->size(); ++k) out += (k ? sep : "") + toText((*v.list)[k]);
      return Value::str(out);
    }
    if (f == "list") {
      if (v.kind == Value::ListK) return v;
      List l;
      if (v.kind == Value::Str) for (char c : v.s) l.push_back(Value::str(std::string(1, c)));
      if (v.dict) for (const auto& [k, x] : *v.dict) l.push_back(Value::str(k));
      return Value::makeList(std::move(l));
    }
    if (f == "items") {
      List l;
      if (v.dict) for (const auto& [k, x] : *v.dict) l.push_back(Value::makeList({Value::str(k), x}));
      return Value::makeList(std::move(l));
    }
    if (f == "reverse") {
      if (v.kind == Value::Str) return Value::str(std::string(v.s.rbegin(), v.s.rend()));
      if (v.kind == Value::ListK) return Value::makeList(List(v.list->rbegin(), v.list->rend()));
      return v;
    }
    if (f == "int") return Value::integer(v.kind == Value::Str ? std::atoll(v.s.c_str()) : static_cast<int64_t>(asDouble(v)));
    if (f == "safe") return v;
    fail(e.line, "unsupported filter '" + f + "'");
  }

  bool test(const Expr& e) {
    Value v = eval(*e.args[0]);
    const std::string& t = e.name;
    if (t == "defined") return !v.isUndefined();
    if (t == "undefined") return v.isUndefined();
    if (t == "none") return v.kind == Value::None;
    if (t == "string") return v.kind == Value::Str;
    if (t == "number") return v.kind == Value::Int || v.kind == Value::Float;
    if (t == "integer") return v.kind == Value::Int;
    if (t == "float") return v.kind == Value::Float;
    if (t == "boolean") return v.kind == Value::Bool;
    if (t == "true") return v.kind == Value::Bool && v.b;
    if (t == "false") return v.kind == Value::Bool && !v.b;
    if (t == "mapping") return v.kind == Value::DictK || v.kind == Value::Namespace;
    if (t == "sequence" || t == "iterable") return v.kind == Value::ListK || v.kind == Value::Str || v.kind == Value::DictK;
    if (t == "odd" || t == "even") return v.kind == Value::Int && (v.i % 2 != 0) == (t == "odd");
    if (t == "equalto" || t == "eq" || t == "sameas") return e.args.size() > 1 && equal(v, eval(*e.args[1]));
    fail(e.line, "unsupported test '" + t + "'");
  }

  /// json.dumps as transformers' tojson calls it: ensure_ascii off, ", " and ": " separators
  /// (or the indented layout), keys in insertion order.
  static std::string pythonJson(const nlohmann::ordered_json& j, int indent, int depth) {
    auto pad = [&](int d) { return indent < 0 ? std::string() : "\n" + std::string(static_cast<size_t>(indent * d), ' '); };
    if (j.is_object()) {
      if (j.empty()) return "{}";
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : j.items()) {
        out += (first ? "" : indent < 0 ? ", " : ",") + pad(depth + 1) + nlohmann::ordered_json(k).dump(-1, ' ', false) +
               ": " + pythonJson(v, indent, depth + 1);
        first = false;
      }
      return out + pad(depth) + "}";
    }
    if (j.is_array()) {
      if (j.empty()) return "[]";
      std::string out = "[";
      for (size_t k = 0; k < j.size(); ++k)
        out += (k ? (indent < 0 ? ", " : ",") : "") + pad(depth + 1) + pythonJson(j[k], indent, depth + 1);
      return out + pad(depth) + "]";
    }
    if (j.is_number_float()) return toText(Value::number(j.get<double>()));
    return j.dump(-1, ' ', false);
  }

  std::string& out_;
  std::vector<std::map<std::string, Value>> scopes_;
};

class Compiled : public ChatTemplate {
 public:
  explicit Compiled(Body body) : body_(std::move(body)) {}

  bool render(const nlohmann::ordered_json& variables, std::string& out, std::string& error) const override {
    out.clear();
    try {
      Renderer(out).run(body_, variables);
      return true;
    } catch (const RenderError& e) {
      error = e.message;
    } catch (const BreakLoop&) {
      error = "'break' outside a loop";
    } catch (const ContinueLoop&) {
      error = "'continue' outside a loop";
    }
    return false;
  }

 private:
  Body body_;
};

}  // namespace
}  // namespace tmpl

std::unique_ptr<ChatTemplate> ChatTemplate::compile(const std::string& source, std::string& error) {
  tmpl::Body body;
  if (!tmpl::parseTemplate(source, body, error)) return nullptr;
  return std::make_unique<tmpl::Compiled>(std::move(body));
}

}  // namespace mx::engine
