// AddedTokens.h — finding added tokens (`<|im_start|>`, `<think>`) in text before it is split.
//
// `tokenizers` cuts added tokens out first, leftmost-longest (Aho-Corasick), in two passes: the
// tokens marked `normalized: false` in the raw text, then those marked `normalized: true` in the
// normalized remainder. A Matcher is one such pass: a byte trie walked from every position whose
// first byte can start a token, which costs one table load per byte of text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mx/engine/Tokenizer.h"

namespace mx::engine::tokenizer {

class Pattern;
class MatchState;

struct AddedToken {
  TokenId id;
  std::string content;  // as matched (normalized already for a normalized token)
  bool special, lstrip, rstrip, normalized, singleWord;
};

/// Receives the result of a split: text between tokens, and tokens, in order.
class AddedTokenSink {
 public:
  virtual void text(std::string_view text) = 0;
  virtual void token(TokenId id) = 0;

 protected:
  ~AddedTokenSink() = default;
};

class AddedTokenMatcher {
 public:
  /// Adds `token`, which must outlive the matcher.
  void add(const AddedToken& token);
  /// A pattern matching one letter or digit, needed only when some token is `single_word`.
  void setWordPattern(const Pattern* wordChar) { wordChar_ = wordChar; }
  bool empty() const { return tokens_.empty(); }

  /// Splits `text` into tokens and the text around them. With `parseSpecial` false, tokens
  /// marked special are not matched.
  void split(std::string_view text, bool parseSpecial, MatchState& state,
             AddedTokenSink& sink) const;

 private:
  struct Node {
    int32_t token = -1;  // index into tokens_ when a token ends here
    std::vector<std::pair<uint8_t, int32_t>> children;
  };
  /// The longest token starting at `pos` (index into tokens_), or -1.
  int32_t longestAt(std::string_view text, size_t pos) const;
  bool wordBoundaryAround(std::string_view text, size_t begin, size_t end, MatchState& state) const;

  std::vector<const AddedToken*> tokens_;
  std::vector<Node> nodes_{Node{}};  // nodes_[0] is the root
  bool canStart_[256] = {};
  const Pattern* wordChar_ = nullptr;
};

}  // namespace mx::engine::tokenizer
