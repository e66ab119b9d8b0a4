// TemplateAst.h — the parsed form of a chat template (private to lib/engine/template).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "TemplateValue.h"

namespace mx::engine::tmpl {

struct Expr;
using ExprP = std::unique_ptr<Expr>;

struct Expr {
  enum Kind { Literal, Name, Attr, Item, Slice, Call, Filter, Test, Unary, Binary, Cond, ListLit, DictLit } kind;
  int line = 0;
  Value literal;                 // Literal
  std::string name;              // Name; Attr member; Filter/Test name; Unary/Binary operator
  std::vector<ExprP> args;       // operands; Call: callee then arguments; Slice: base, start, stop, step
  std::vector<std::string> keywords;  // Call/Filter: names of the trailing keyword arguments
  bool negated = false;          // Test: `is not`
};

struct Node;
using NodeP = std::unique_ptr<Node>;
using Body = std::vector<NodeP>;

struct Node {
  enum Kind { Text, Output, If, For, Set, Break, Continue } kind;
  int line = 0;
  std::string text;                                   // Text
  ExprP expr;                                         // Output, Set value, For iterable
  std::vector<std::pair<ExprP, Body>> branches;       // If: (condition, body)...
  Body elseBody;                                      // If, For
  std::vector<std::string> targets;                   // For loop variables; Set: name [, attribute]
  ExprP filter;                                       // For ... if filter
  Body body;                                          // For
};

/// Parses a template into nodes; false with `error` ("line N: ...").
bool parseTemplate(const std::string& source, Body& out, std::string& error);

}  // namespace mx::engine::tmpl
