// Bpe.h — the BPE model: merges a pre-token's bytes into vocabulary ids.
//
// Works on raw bytes and ids (the loader translated the byte-level spelling once), with the merge
// table keyed by id pairs. The result is the one `tokenizers` gives: repeatedly merge the adjacent
// pair of lowest rank, the leftmost first. Short words (most of them) use a flat array scanned for
// the minimum; long ones a heap over a linked list, so a megabyte-long run of letters stays
// O(n log n).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "TokenIndex.h"
#include "mx/engine/Tokenizer.h"

namespace mx::engine::tokenizer {

/// Scratch buffers of one encode call, reused from word to word.
struct BpeScratch {
  std::vector<TokenId> symbols;
  std::vector<uint32_t> ranks;
  std::vector<TokenId> results;
};

class BpeModel {
 public:
  static constexpr TokenId kNone = -1;

  BpeModel() { std::fill(std::begin(byteIds_), std::end(byteIds_), kNone); }

  /// The id of the one-byte token of `b`, or kNone when the vocabulary lacks it.
  void setByteId(unsigned char b, TokenId id) { byteIds_[b] = id; }
  /// `left` + `right` → `result` at `rank` (lower merges first). A repeated pair keeps the last
  /// rank, as `tokenizers` does.
  void addMerge(TokenId left, TokenId right, TokenId result, uint32_t rank);
  /// Sizes the merge table for `count` merges up front.
  void reserveMerges(size_t count);
  /// The bytes of each id (owned by the tokenizer, outliving the model).
  void setTokenBytes(const std::vector<std::string>* bytes) { tokenBytes_ = bytes; }
  /// Words known to be one token, looked up before merging: with `ignore_merges` every word of
  /// the vocabulary, as `tokenizers` does; without, the ones that BPE itself merges into a single
  /// token (selfMerging), which makes this an exact, read-only cache of the most frequent results.
  void setWholeWords(const std::vector<TokenId>& ids);
  /// Of `ids`, those whose bytes BPE encodes as that one id.
  std::vector<TokenId> selfMerging(const std::vector<TokenId>& ids) const;
  void setUnknown(TokenId id, bool fuse) {
    unknown_ = id;
    fuseUnknown_ = fuse;
  }

  /// Appends the ids of `word` (raw bytes of one pre-token) to `out`.
  void encodeWord(std::string_view word, std::vector<TokenId>& out, BpeScratch& scratch) const;

 private:
  struct Merge {
    uint32_t rank;
    TokenId result;
  };
  struct Slot {
    uint64_t key;  // kEmptyKey when unused
    Merge merge;
  };
  static constexpr uint64_t kEmptyKey = ~uint64_t(0);
  static constexpr uint32_t kNoRank = ~uint32_t(0);

  static uint64_t key(TokenId left, TokenId right) {
    return uint64_t(uint32_t(left)) << 32 | uint32_t(right);
  }
  const Merge* findMerge(TokenId left, TokenId right) const;
  void rehash(size_t slots);
  void initialSymbols(std::string_view word, std::vector<TokenId>& symbols) const;
  void mergeShort(BpeScratch& scratch) const;
  void mergeLong(std::vector<TokenId>& symbols) const;

  TokenId byteIds_[256];
  std::vector<Slot> slots_;  // open addressing, linear probing, power-of-two size
  size_t used_ = 0;
  const std::vector<std::string>* tokenBytes_ = nullptr;
  TokenIndex wholeWords_;
  TokenId unknown_ = kNone;
  bool fuseUnknown_ = false;
};

}  // namespace mx::engine::tokenizer
