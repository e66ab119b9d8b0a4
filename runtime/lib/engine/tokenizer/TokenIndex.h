// TokenIndex.h — finding a token id by its text, where the texts live in a per-id table.
//
// Open addressing over 16-byte slots that hold the first eight bytes of the key, its length and
// a hash tag beside the id. Most tokens are at most eight bytes, so a lookup usually costs one
// cache miss (the slot) and never a second (the string); longer keys are confirmed against
// `texts[id]`. Against std::unordered_map<std::string, id> it keeps no second copy of 150k
// strings and allocates no nodes. Encoding does one lookup per word, loading three per merge.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "mx/engine/Tokenizer.h"

namespace mx::engine::tokenizer {

class TokenIndex {
 public:
  static constexpr TokenId kNone = -1;

  /// Sizes the table for `count` entries (`texts` as for insert).
  void reserve(size_t count, const std::vector<std::string>& texts);
  /// Maps `texts[id]` to `id`; a text already present keeps the id given last.
  void insert(TokenId id, const std::vector<std::string>& texts);
  /// The id whose text is `key`, or kNone. `texts` must be the table given to insert.
  TokenId find(std::string_view key, const std::vector<std::string>& texts) const {
    if (slots_.empty()) return kNone;
    Key k = makeKey(key);
    for (size_t i = k.hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kNone) return kNone;
      if (s.tag == k.tag && s.prefix == k.prefix &&
          (key.size() <= sizeof(uint64_t) || texts[s.id] == key)) {
        return s.id;
      }
    }
  }

 private:
  struct Slot {
    uint64_t prefix;  // the first eight bytes of the key, zero-padded
    uint32_t tag;     // hash bits above the length (at most 255, saturated)
    TokenId id;       // kNone when empty
  };
  struct Key {
    uint64_t prefix;
    uint32_t tag;
    uint64_t hash;
  };
  static Key makeKey(std::string_view key) {
    Key k{0, 0, 0};
    std::memcpy(&k.prefix, key.data(), key.size() < 8 ? key.size() : 8);
    uint64_t h = key.size() <= 8 ? k.prefix : std::hash<std::string_view>{}(key);
    h = (h ^ key.size()) * 0x9E3779B97F4A7C15ull;  // Fibonacci mix: spreads every bit upwards
    h ^= h >> 29;
    k.hash = h;
    k.tag = (uint32_t(h >> 32) & ~0xFFu) | uint32_t(key.size() < 255 ? key.size() : 255);
    return k;
  }
  void place(const Slot& slot, uint64_t hash);

  std::vector<Slot> slots_;
  size_t mask_ = 0, used_ = 0;
};

}  // namespace mx::engine::tokenizer
