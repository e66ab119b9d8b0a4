// Types.h — the semantic types of .mx and the context that owns them.
//
// Types are interned by the TypeContext, so two structurally equal types are the same pointer and
// compare with ==. Named records (the task types, message, tool_call) are nominal: each
// declaration makes a distinct type. Anonymous records (literals such as `{ a: 1 }`) are
// structural.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mx {

enum class TypeKind {
  Error,     // the type of an ill-typed expression; compatible with everything (no cascades)
  Void,      // what a call of a fn without result returns
  None,      // the type of the `none` literal, assignable to any optional
  Int, Float, Bool, String, Json,
  List, Map, Optional, Record, Tuple,
  Model, Tools, Sink, Source,  // handles to declarations; not values that can be stored
  Any,                         // only in built-in signatures: accepts every value type
  Var,                         // only in built-in signatures: the type variable T
};

class Type;

struct RecordField {
  std::string name;
  const Type* type;
};

class Type {
 public:
  TypeKind kind;
  const Type* elem = nullptr;          // List, Map (values; keys are strings), Optional
  std::vector<RecordField> fields;     // Record
  std::vector<const Type*> elements;   // Tuple
  std::string name;                    // named Record

  bool is(TypeKind k) const { return kind == k; }
  bool isNumeric() const { return kind == TypeKind::Int || kind == TypeKind::Float; }
  /// A type a variable, field or list element can hold.
  bool isValue() const;
  const RecordField* field(const std::string& n) const;
};

class TypeContext {
 public:
  TypeContext();
  TypeContext(const TypeContext&) = delete;
  TypeContext& operator=(const TypeContext&) = delete;

  const Type* error() const { return error_; }
  const Type* voidType() const { return void_; }
  const Type* none() const { return none_; }
  const Type* intType() const { return int_; }
  const Type* floatType() const { return float_; }
  const Type* boolType() const { return bool_; }
  const Type* string() const { return string_; }
  const Type* json() const { return json_; }
  const Type* model() const { return model_; }
  const Type* tools() const { return tools_; }
  const Type* sink() const { return sink_; }
  const Type* source() const { return source_; }
  const Type* any() const { return any_; }
  const Type* typeVar() const { return var_; }
  const Type* message() const { return message_; }
  const Type* toolCall() const { return toolCall_; }

  const Type* list(const Type* elem);
  const Type* map(const Type* value);
  /// T? — optional of an optional (or of none) stays flat.
  const Type* optional(const Type* inner);
  const Type* tuple(std::vector<const Type*> elements);
  /// An anonymous (structural) record type.
  const Type* record(std::vector<RecordField> fields);
  /// A fresh nominal record type (a task type).
  Type* namedRecord(std::string name);

  /// Looks up a simple type name: int, float, bool, string, json, message, tool_call.
  const Type* builtinNamed(const std::string& name) const;

 private:
  Type* make(TypeKind kind);
  std::vector<std::unique_ptr<Type>> owned_;
  std::map<const Type*, const Type*> lists_, maps_, optionals_;
  std::map<std::vector<const Type*>, const Type*> tuples_;
  std::map<std::vector<std::pair<std::string, const Type*>>, const Type*> records_;
  const Type *error_, *void_, *none_, *int_, *float_, *bool_, *string_, *json_, *model_, *tools_,
      *sink_, *source_, *any_, *var_;
  Type *message_, *toolCall_;
};

/// How the type reads in source: `list<message>`, `string?`, `{a: int}`.
std::string typeName(const Type* t);

/// Whether a value of type `from` may be stored where `to` is expected (implicit conversions:
/// int → float, T → T?, none → T?, anything → json, and Error either way).
bool isAssignable(const Type* from, const Type* to);

/// The common type of two branches (for `c ? a : b`, list literals), or null if none.
const Type* commonType(TypeContext& types, const Type* a, const Type* b);

}  // namespace mx
