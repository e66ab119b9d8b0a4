// Source.h — one .mx source file in memory, and byte ranges into it.
//
// Locations are byte offsets (cheap to store on every AST node); line and column are computed
// only when a diagnostic or a dump prints them. Columns count bytes, 1-based, as clang does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mx {

struct SourceRange {
  uint32_t begin = 0;  // offset of the first byte
  uint32_t end = 0;    // offset one past the last byte
};

struct LineCol {
  uint32_t line = 1;
  uint32_t col = 1;
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  /// Reads a file. Returns nullopt and sets `error` (a sentence naming the path) when it can't.
  static std::optional<SourceFile> read(const std::string& path, std::string& error);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineCol lineCol(uint32_t offset) const;
  /// The text of a 1-based line without its newline.
  std::string_view lineText(uint32_t line) const;
  uint32_t lineCount() const { return static_cast<uint32_t>(lineStarts_.size()); }
  std::string_view slice(SourceRange r) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> lineStarts_;
};

}  // namespace mx
