// AntlrInput.h — private glue between a SourceFile and the ANTLR-generated lexer and parser.
#pragma once

#include <memory>
#include <vector>

#include "Mx.h"
#include "MxLexer.h"
#include "antlr4-runtime.h"
#include "mx/compiler/AST.h"
#include "mx/compiler/Diagnostics.h"

namespace mx::parse {

/// ANTLR indexes characters as code points; diagnostics and the AST use bytes. This maps one
/// to the other (identity for ASCII files, which keeps the common case free).
class OffsetMap {
 public:
  /// Returns false and reports the first invalid byte when `file` is not UTF-8.
  bool build(const SourceFile& file, DiagnosticEngine& diags);
  uint32_t byteOffset(size_t codePointIndex) const {
    if (ascii_) return static_cast<uint32_t>(codePointIndex);
    return codePointIndex < starts_.size() ? starts_[codePointIndex] : starts_.back();
  }

 private:
  bool ascii_ = true;
  std::vector<uint32_t> starts_;  // byte offset of each code point, plus one for the end
};

/// The byte range a token covers.
SourceRange tokenRange(const OffsetMap& map, const antlr4::Token* token);

/// The byte range from the first to the last token of a rule.
SourceRange ruleRange(const OffsetMap& map, antlr4::ParserRuleContext* ctx);

/// Builds the AST from a parse tree that parsed without errors (AstBuilder.cpp).
std::unique_ptr<Program> buildAst(mxgrammar::Mx::ProgramContext* tree, const OffsetMap& map,
                                  const SourceFile& file, DiagnosticEngine& diags);

}  // namespace mx::parse
