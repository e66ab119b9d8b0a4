// TokenIndex.cpp — the text → id table (see TokenIndex.h).
#include "TokenIndex.h"

namespace mx::engine::tokenizer {
namespace {

/// Linear probing stays short up to about this load; 5/8 keeps Qwen's 150k words in 2^18 slots
/// (4 MiB), which matters more than probe length: every probe run starts with a cache miss.
constexpr size_t kLoadNumerator = 5, kLoadDenominator = 8;

size_t slotsFor(size_t count) {
  size_t slots = 16;
  while (slots * kLoadNumerator < count * kLoadDenominator) slots *= 2;
  return slots;
}

}  // namespace

void TokenIndex::place(const Slot& slot, uint64_t hash) {
  size_t i = hash & mask_;
  while (slots_[i].id != kNone) i = (i + 1) & mask_;
  slots_[i] = slot;
}

void TokenIndex::reserve(size_t count, const std::vector<std::string>& texts) {
  size_t slots = slotsFor(count);
  if (slots <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(slots, Slot{0, 0, kNone});
  mask_ = slots - 1;
  // The hash is not stored: it is made again from the text.
  for (const Slot& s : old) {
    if (s.id != kNone) place(s, makeKey(texts[s.id]).hash);
  }
}

void TokenIndex::insert(TokenId id, const std::vector<std::string>& texts) {
  if (slotsFor(used_ + 1) > slots_.size()) reserve(used_ + 1, texts);
  std::string_view key = texts[id];
  Key k = makeKey(key);
  for (size_t i = k.hash & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.id == kNone) {
      s = Slot{k.prefix, k.tag, id};
      ++used_;
      return;
    }
    if (s.tag == k.tag && s.prefix == k.prefix && texts[s.id] == key) {
      s.id = id;
      return;
    }
  }
}

}  // namespace mx::engine::tokenizer
