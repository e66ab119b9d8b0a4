// Types.cpp — interning, naming and the assignability rules of .mx types.
#include "mx/compiler/Types.h"

namespace mx {

bool Type::isValue() const {
  switch (kind) {
    case TypeKind::Void: case TypeKind::Tuple: case TypeKind::Model: case TypeKind::Tools:
    case TypeKind::Sink: case TypeKind::Source: case TypeKind::Any: case TypeKind::Var:
      return false;
    default:
      return true;
  }
}

const RecordField* Type::field(const std::string& n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

Type* TypeContext::make(TypeKind kind) {
  owned_.push_back(std::make_unique<Type>());
  owned_.back()->kind = kind;
  return owned_.back().get();
}

TypeContext::TypeContext() {
  error_ = make(TypeKind::Error);
  void_ = make(TypeKind::Void);
  none_ = make(TypeKind::None);
  int_ = make(TypeKind::Int);
  float_ = make(TypeKind::Float);
  bool_ = make(TypeKind::Bool);
  string_ = make(TypeKind::String);
  json_ = make(TypeKind::Json);
  model_ = make(TypeKind::Model);
  tools_ = make(TypeKind::Tools);
  sink_ = make(TypeKind::Sink);
  source_ = make(TypeKind::Source);
  any_ = make(TypeKind::Any);
  var_ = make(TypeKind::Var);
  toolCall_ = namedRecord("tool_call");
  toolCall_->fields = {{"id", string_}, {"name", string_}, {"arguments", json_}};
  message_ = namedRecord("message");
  message_->fields = {{"role", string_}, {"content", string_}, {"tool_calls", list(toolCall_)}};
}

const Type* TypeContext::list(const Type* elem) {
  auto& slot = lists_[elem];
  if (!slot) {
    Type* t = make(TypeKind::List);
    t->elem = elem;
    slot = t;
  }
  return slot;
}

const Type* TypeContext::map(const Type* value) {
  auto& slot = maps_[value];
  if (!slot) {
    Type* t = make(TypeKind::Map);
    t->elem = value;
    slot = t;
  }
  return slot;
}

const Type* TypeContext::optional(const Type* inner) {
  if (inner->kind == TypeKind::Optional || inner->kind == TypeKind::None ||
      inner->kind == TypeKind::Error)
    return inner;
  auto& slot = optionals_[inner];
  if (!slot) {
    Type* t = make(TypeKind::Optional);
    t->elem = inner;
    slot = t;
  }
  return slot;
}

const Type* TypeContext::tuple(std::vector<const Type*> elements) {
  auto& slot = tuples_[elements];
  if (!slot) {
    Type* t = make(TypeKind::Tuple);
    t->elements = std::move(elements);
    slot = t;
  }
  return slot;
}

const Type* TypeContext::record(std::vector<RecordField> fields) {
  std::vector<std::pair<std::string, const Type*>> key;
  for (const auto& f : fields) key.emplace_back(f.name, f.type);
  auto& slot = records_[key];
  if (!slot) {
    Type* t = make(TypeKind::Record);
    t->fields = std::move(fields);
    slot = t;
  }
  return slot;
}

Type* TypeContext::namedRecord(std::string name) {
  Type* t = make(TypeKind::Record);
  t->name = std::move(name);
  return t;
}

const Type* TypeContext::builtinNamed(const std::string& n) const {
  if (n == "int") return int_;
  if (n == "float") return float_;
  if (n == "bool") return bool_;
  if (n == "string") return string_;
  if (n == "json") return json_;
  if (n == "message") return message_;
  if (n == "tool_call") return toolCall_;
  return nullptr;
}

std::string typeName(const Type* t) {
  if (!t) return "<null>";
  switch (t->kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Void: return "void";
    case TypeKind::None: return "none";
    case TypeKind::Int: return "int";
    case TypeKind::Float: return "float";
    case TypeKind::Bool: return "bool";
    case TypeKind::String: return "string";
    case TypeKind::Json: return "json";
    case TypeKind::List: return "list<" + typeName(t->elem) + ">";
    case TypeKind::Map: return "map<string, " + typeName(t->elem) + ">";
    case TypeKind::Optional: return typeName(t->elem) + "?";
    case TypeKind::Model: return "model";
    case TypeKind::Tools: return "tools";
    case TypeKind::Sink: return "sink";
    case TypeKind::Source: return "source";
    case TypeKind::Any: return "any";
    case TypeKind::Var: return "T";
    case TypeKind::Tuple: {
      std::string s = "(";
      for (size_t i = 0; i < t->elements.size(); ++i)
        s += (i ? ", " : "") + typeName(t->elements[i]);
      return s + ")";
    }
    case TypeKind::Record: {
      if (!t->name.empty()) return t->name;
      std::string s = "{";
      for (size_t i = 0; i < t->fields.size(); ++i)
        s += (i ? ", " : "") + t->fields[i].name + ": " + typeName(t->fields[i].type);
      return s + "}";
    }
  }
  return "<?>";
}

bool isAssignable(const Type* from, const Type* to) {
  if (from == to) return true;
  if (from->kind == TypeKind::Error || to->kind == TypeKind::Error) return true;
  if (to->kind == TypeKind::Any) return from->isValue();
  if (to->kind == TypeKind::Json) return from->isValue() || from->kind == TypeKind::None;
  if (to->kind == TypeKind::Float && from->kind == TypeKind::Int) return true;
  if (to->kind == TypeKind::Optional) {
    if (from->kind == TypeKind::None) return true;
    if (from->kind == TypeKind::Optional) return isAssignable(from->elem, to->elem);
    return isAssignable(from, to->elem);
  }
  // An empty list/map literal is typed list<none>/map<none> until context gives it a type.
  if (to->kind == TypeKind::List && from->kind == TypeKind::List)
    return from->elem->kind == TypeKind::None || from->elem == to->elem ||
           from->elem->kind == TypeKind::Error;
  if (to->kind == TypeKind::Map && from->kind == TypeKind::Map)
    return from->elem->kind == TypeKind::None || from->elem == to->elem ||
           from->elem->kind == TypeKind::Error;
  return false;
}

const Type* commonType(TypeContext& types, const Type* a, const Type* b) {
  if (isAssignable(a, b) && a->kind != TypeKind::Error) return b;
  if (isAssignable(b, a)) return a;
  if (a->kind == TypeKind::None) return types.optional(b);
  if (b->kind == TypeKind::None) return types.optional(a);
  return nullptr;
}

}  // namespace mx
