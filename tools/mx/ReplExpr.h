// ReplExpr.h — the expressions of `mx repl` (eval, tasks --where, fork set): field paths and
// literals, compared with one operator. Not the .mx expression language: compiling arbitrary
// expressions through the JIT against a rebuilt frame is left for later (docs/repl.md says so).
//
//   expr    ::= operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=" | "~") operand ]
//   operand ::= literal | path | "len" "(" path ")"
//   path    ::= ["t" "."] FIELD ( "." NAME | "[" INT "]" | "[" STRING "]" )*
//   literal ::= INT | FLOAT | STRING | "true" | "false" | "none" | JSON array or object
// `~` is substring (or element) containment; a negative index counts from the end.
#pragma once

#include <string>
#include <vector>

#include "mx/rt/ModuleInfo.h"
#include "mx/rt/Value.h"

namespace mx::cli {

/// Evaluates `text` against a task's fields (`fields[i]` is `task.fields[i]`). False with
/// `error` (one line) for a syntax error, an unknown field, or a path that does not apply.
bool evalExpr(const std::string& text, const rt::TaskInfo& task,
              const std::vector<rt::Value>& fields, rt::Value& out, std::string& error);

/// True when `value` can be stored in a field declared with `type` ("int", "list<message>",
/// "string?", …); an int is accepted for a float and converted in place.
bool fitsType(const std::string& type, rt::Value& value);

}  // namespace mx::cli
