// Printers.h — text dumps of each compiler stage (`mxc --emit=ast|sema`), one node per line,
// indented by depth, with `line:col` of each node. Golden tests compare them with FileCheck.
#pragma once

#include <iosfwd>
#include <string>

#include "mx/compiler/AST.h"
#include "mx/compiler/Source.h"

namespace mx {

struct SemaContext;

/// A string literal for dumps: quoted, with control characters escaped (\n \t \r \0 \" \\).
std::string quoteForDump(const std::string& s);

/// The syntax tree as parsed.
void printAst(const Program& program, const SourceFile& file, std::ostream& out);

/// The tree after semantic analysis: every expression with its type, names with what they
/// resolve to, agents with their goto edges, and the pipelines' settings.
void printSema(const SemaContext& sema, const SourceFile& file, std::ostream& out);

}  // namespace mx
