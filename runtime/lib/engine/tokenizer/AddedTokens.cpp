// AddedTokens.cpp — the added-token trie and its split (see AddedTokens.h).
#include "AddedTokens.h"

#include <algorithm>

#include "Pattern.h"
#include "Utf8.h"

namespace mx::engine::tokenizer {
namespace {

/// Rust's char::is_whitespace (the Unicode White_Space property), which lstrip/rstrip use.
bool isWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

/// The start of the run of white space that ends at `end`.
size_t whiteSpaceBefore(std::string_view text, size_t end) {
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (uint8_t(text[start]) & 0xC0) == 0x80) --start;
    size_t length = 0;
    if (!isWhiteSpace(decodeUtf8(text, start, length))) break;
    end = start;
  }
  return end;
}

/// The end of the run of white space that starts at `start`.
size_t whiteSpaceAfter(std::string_view text, size_t start) {
  while (start < text.size()) {
    size_t length = 0;
    if (!isWhiteSpace(decodeUtf8(text, start, length))) break;
    start += length;
  }
  return start;
}

}  // namespace

void AddedTokenMatcher::add(const AddedToken& token) {
  if (token.content.empty()) return;  // matches nothing
  int32_t node = 0;
  for (unsigned char c : token.content) {
    int32_t child = -1;
    for (auto [byte, index] : nodes_[node].children) {
      if (byte == c) child = index;
    }
    if (child < 0) {
      child = int32_t(nodes_.size());
      nodes_[node].children.emplace_back(c, child);
      nodes_.emplace_back();
    }
    node = child;
  }
  nodes_[node].token = int32_t(tokens_.size());
  tokens_.push_back(&token);
  canStart_[uint8_t(token.content[0])] = true;
}

int32_t AddedTokenMatcher::longestAt(std::string_view text, size_t pos) const {
  int32_t node = 0, found = -1;
  for (size_t i = pos; i < text.size(); ++i) {
    int32_t child = -1;
    for (auto [byte, index] : nodes_[node].children) {
      if (byte == uint8_t(text[i])) child = index;
    }
    if (child < 0) break;
    node = child;
    int32_t token = nodes_[node].token;
    if (token >= 0) found = token;
  }
  return found;
}

bool AddedTokenMatcher::wordBoundaryAround(std::string_view text, size_t begin, size_t end,
                                           MatchState& state) const {
  // single_word: no letter or digit directly before or after. (Rust's is_alphanumeric also counts
  // the few marks of Other_Alphabetic, which \p{L}\p{N} does not.)
  if (!wordChar_) return true;
  if (end < text.size() && wordChar_->matchesAt(text, end, state)) return false;
  if (begin == 0) return true;
  size_t previous = begin - 1;
  while (previous > 0 && (uint8_t(text[previous]) & 0xC0) == 0x80) --previous;
  return !wordChar_->matchesAt(text, previous, state);
}

void AddedTokenMatcher::split(std::string_view text, bool parseSpecial, MatchState& state,
                              AddedTokenSink& sink) const {
  size_t done = 0;  // text before this is passed on
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (!canStart_[uint8_t(text[pos])]) continue;
    int32_t index = longestAt(text, pos);
    if (index < 0) continue;
    const AddedToken& token = *tokens_[index];
    size_t begin = pos, end = pos + token.content.size();
    // As `tokenizers` (Aho-Corasick, leftmost-longest over all tokens): a rejected match is
    // skipped whole, and no shorter token is tried in its place.
    if ((token.special && !parseSpecial) ||
        (token.singleWord && !wordBoundaryAround(text, begin, end, state))) {
      pos = end - 1;
      continue;
    }
    if (token.lstrip) begin = std::max(whiteSpaceBefore(text, begin), done);
    if (token.rstrip) end = whiteSpaceAfter(text, end);
    if (begin > done) sink.text(text.substr(done, begin - done));
    sink.token(token.id);
    done = end;
    pos = end - 1;
  }
  if (done < text.size()) sink.text(text.substr(done));
}

}  // namespace mx::engine::tokenizer
