// TokenizerImpl.h — the parts of a loaded tokenizer, shared by the loader and encode/decode.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "AddedTokens.h"
#include "Bpe.h"
#include "Pattern.h"
#include "PreTokenizer.h"
#include "TokenIndex.h"
#include "mx/engine/Tokenizer.h"

namespace mx::engine {
namespace tokenizer {

/// Hashing that lets a string-keyed map be searched with a string_view (no temporary string).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringMap = std::unordered_map<std::string, TokenId, StringHash, std::equal_to<>>;

}  // namespace tokenizer

struct Tokenizer::Impl {
  std::string name;  // the file, for messages

  bool nfc = false;  // the normalizer: NFC, or nothing

  std::deque<tokenizer::AddedToken> addedTokens;       // a deque: the matchers point into it
  tokenizer::AddedTokenMatcher rawAddedTokens;         // normalized: false, matched first
  tokenizer::AddedTokenMatcher normalizedAddedTokens;  // normalized: true, after normalization
  std::unique_ptr<tokenizer::Pattern> wordChar;        // for single_word tokens only

  tokenizer::PreTokenizer preTokenizer;
  tokenizer::BpeModel model;

  // The post-processor, reduced to what it does to one sequence: ids before and after it.
  std::vector<TokenId> prefix, suffix;

  // Per id: the tokenizer.json spelling, the bytes it decodes to, whether it is special.
  std::vector<std::string> spelling;
  std::vector<std::string> bytes;
  std::vector<uint8_t> special;
  tokenizer::TokenIndex vocab;  // the model's vocabulary by spelling (texts: `spelling`)
  tokenizer::StringMap added;   // added tokens by content

  bool known(TokenId id) const { return id >= 0 && size_t(id) < spelling.size(); }
};

}  // namespace mx::engine
