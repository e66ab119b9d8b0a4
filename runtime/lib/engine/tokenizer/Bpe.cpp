// Bpe.cpp — BPE merging (see Bpe.h).
#include "Bpe.h"

#include <algorithm>
#include <queue>

namespace mx::engine::tokenizer {
namespace {

/// Up to this many symbols the flat scan beats the heap: it touches one small array and
/// re-looks up only the two pairs around each merge.
constexpr size_t kShortWord = 64;

size_t slotOf(uint64_t key, size_t mask) {
  return size_t((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;  // Fibonacci hashing
}

}  // namespace

void BpeModel::rehash(size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(slots, Slot{kEmptyKey, {}});
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.key == kEmptyKey) continue;
    size_t i = slotOf(s.key, mask);
    while (slots_[i].key != kEmptyKey) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void BpeModel::reserveMerges(size_t count) {
  // At most 5/8 full: Qwen's 151k merges fit 2^18 slots (4 MiB). A smaller table misses the
  // cache less, which matters more than the slightly longer probe runs.
  size_t slots = 1024;
  while (slots * 5 < count * 8) slots *= 2;
  if (slots > slots_.size()) rehash(slots);
}

void BpeModel::addMerge(TokenId left, TokenId right, TokenId result, uint32_t rank) {
  if ((used_ + 1) * 8 > slots_.size() * 5) reserveMerges(used_ + 1);
  uint64_t k = key(left, right);
  size_t mask = slots_.size() - 1;
  size_t i = slotOf(k, mask);
  while (slots_[i].key != kEmptyKey && slots_[i].key != k) i = (i + 1) & mask;
  if (slots_[i].key == kEmptyKey) ++used_;
  slots_[i] = Slot{k, Merge{rank, result}};
}

const BpeModel::Merge* BpeModel::findMerge(TokenId left, TokenId right) const {
  if (slots_.empty()) return nullptr;
  uint64_t k = key(left, right);
  size_t mask = slots_.size() - 1;
  for (size_t i = slotOf(k, mask);; i = (i + 1) & mask) {
    if (slots_[i].key == k) return &slots_[i].merge;
    if (slots_[i].key == kEmptyKey) return nullptr;
  }
}

void BpeModel::initialSymbols(std::string_view word, std::vector<TokenId>& symbols) const {
  symbols.clear();
  bool pendingUnknown = false;  // an unknown run waiting to be fused
  for (unsigned char b : word) {
    TokenId id = byteIds_[b];
    if (id != kNone) {
      if (pendingUnknown) symbols.push_back(unknown_);
      pendingUnknown = false;
      symbols.push_back(id);
    } else if (unknown_ != kNone) {
      // As `tokenizers`: without fuse_unk each unknown character is one unk; with it, a run is.
      if (pendingUnknown && !fuseUnknown_) symbols.push_back(unknown_);
      pendingUnknown = true;
    }  // no unk_token: the byte is dropped
  }
  if (pendingUnknown) symbols.push_back(unknown_);
}

void BpeModel::mergeShort(BpeScratch& s) const {
  std::vector<TokenId>& sym = s.symbols;
  s.ranks.resize(sym.size());
  s.results.resize(sym.size());
  auto lookup = [&](size_t i) {  // the pair (sym[i], sym[i + 1])
    const Merge* m = i + 1 < sym.size() ? findMerge(sym[i], sym[i + 1]) : nullptr;
    s.ranks[i] = m ? m->rank : kNoRank;
    s.results[i] = m ? m->result : kNone;
  };
  for (size_t i = 0; i < sym.size(); ++i) lookup(i);
  while (sym.size() > 1) {
    size_t best = 0;
    for (size_t i = 1; i + 1 < sym.size(); ++i) {
      if (s.ranks[i] < s.ranks[best]) best = i;
    }
    if (s.ranks[best] == kNoRank) break;
    sym[best] = s.results[best];
    sym.erase(sym.begin() + best + 1);
    s.ranks.erase(s.ranks.begin() + best + 1);
    s.results.erase(s.results.begin() + best + 1);
    if (best > 0) lookup(best - 1);
    lookup(best);
  }
}

void BpeModel::mergeLong(std::vector<TokenId>& symbols) const {
  struct Node {
    TokenId id;
    int32_t prev, next;  // -1 at the ends
  };
  struct Candidate {
    uint32_t rank;
    int32_t pos;
    TokenId result;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::vector<Node> nodes(symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i) {
    nodes[i] = {symbols[i], int32_t(i) - 1, i + 1 < symbols.size() ? int32_t(i + 1) : -1};
  }
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  auto consider = [&](int32_t pos) {
    if (pos < 0 || nodes[pos].next < 0) return;
    if (const Merge* m = findMerge(nodes[pos].id, nodes[nodes[pos].next].id)) {
      queue.push({m->rank, pos, m->result});
    }
  };
  for (size_t i = 0; i + 1 < nodes.size(); ++i) consider(int32_t(i));
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Node& left = nodes[top.pos];
    if (left.id == kNone || left.next < 0) continue;  // merged away, or now last
    // Stale when either side changed since it was queued: the pair no longer makes `result`.
    const Merge* m = findMerge(left.id, nodes[left.next].id);
    if (!m || m->result != top.result) continue;
    Node& right = nodes[left.next];
    left.id = top.result;
    right.id = kNone;
    left.next = right.next;
    if (right.next >= 0) nodes[right.next].prev = top.pos;
    consider(left.prev);
    consider(top.pos);
  }
  symbols.clear();
  for (int32_t i = 0; i >= 0 && size_t(i) < nodes.size(); i = nodes[i].next) {
    symbols.push_back(nodes[i].id);
  }
}

void BpeModel::setWholeWords(const std::vector<TokenId>& ids) {
  wholeWords_ = TokenIndex();
  wholeWords_.reserve(ids.size(), *tokenBytes_);
  for (TokenId id : ids) wholeWords_.insert(id, *tokenBytes_);
}

std::vector<TokenId> BpeModel::selfMerging(const std::vector<TokenId>& ids) const {
  std::vector<TokenId> result, encoded;
  BpeScratch scratch;
  for (TokenId id : ids) {
    const std::string& bytes = (*tokenBytes_)[id];
    if (bytes.size() < 2) continue;  // single bytes have their own shortcut
    encoded.clear();
    encodeWord(bytes, encoded, scratch);
    if (encoded.size() == 1 && encoded[0] == id) result.push_back(id);
  }
  return result;
}

void BpeModel::encodeWord(std::string_view word, std::vector<TokenId>& out,
                          BpeScratch& scratch) const {
  if (word.size() == 1 && byteIds_[uint8_t(word[0])] != kNone) {
    out.push_back(byteIds_[uint8_t(word[0])]);
    return;
  }
  if (TokenId whole = wholeWords_.find(word, *tokenBytes_); whole != kNone) {
    out.push_back(whole);
    return;
  }
  initialSymbols(word, scratch.symbols);
  if (scratch.symbols.size() <= kShortWord) {
    mergeShort(scratch);
  } else {
    mergeLong(scratch.symbols);
  }
  out.insert(out.end(), scratch.symbols.begin(), scratch.symbols.end());
}

}  // namespace mx::engine::tokenizer
