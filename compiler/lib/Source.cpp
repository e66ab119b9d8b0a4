// Source.cpp — reading sources and mapping offsets to lines.
#include "mx/compiler/Source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mx {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  lineStarts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') lineStarts_.push_back(i + 1);
}

std::optional<SourceFile> SourceFile::read(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    error = "cannot read '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  // Offsets are 32-bit; a pipeline beyond 1 GiB is not a program anyone writes by hand.
  if (buf.str().size() > (1u << 30)) {
    error = "'" + path + "' is larger than 1 GiB";
    return std::nullopt;
  }
  return SourceFile(path, buf.str());
}

LineCol SourceFile::lineCol(uint32_t offset) const {
  auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - lineStarts_.begin());
  return {line, offset - lineStarts_[line - 1] + 1};
}

std::string_view SourceFile::lineText(uint32_t line) const {
  if (line == 0 || line > lineStarts_.size()) return {};
  uint32_t begin = lineStarts_[line - 1];
  uint32_t end = line < lineStarts_.size() ? lineStarts_[line] : static_cast<uint32_t>(text_.size());
  while (end > begin && (text_[end - 1] == '\n' || text_[end - 1] == '\r')) --end;
  return std::string_view(text_).substr(begin, end - begin);
}

std::string_view SourceFile::slice(SourceRange r) const {
  uint32_t b = std::min<uint32_t>(r.begin, text_.size());
  uint32_t e = std::clamp<uint32_t>(r.end, b, text_.size());
  return std::string_view(text_).substr(b, e - b);
}

}  // namespace mx
