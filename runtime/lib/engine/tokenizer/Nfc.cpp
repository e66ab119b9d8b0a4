// Nfc.cpp — canonical decomposition, canonical ordering and canonical composition (UAX #15).
#include "Nfc.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "Utf8.h"

namespace mx::engine::tokenizer {
namespace {

struct CombiningClass {
  char32_t codePoint;
  uint8_t value;
};
struct Decomposition {
  char32_t codePoint;
  uint16_t offset;  // into kDecompositionData
  uint8_t length;
};
struct Composition {
  char32_t first, second, composite;
};
struct CodePointRange {
  char32_t first, last;
};

#include "NfcTables.inc"

// Hangul syllables are composed and decomposed arithmetically (Unicode §3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount,
                   kSCount = kLCount * kNCount;

/// Nothing below U+0300 decomposes, combines or has a combining class (checked by the
/// generator's output: the first entry of every table is at or above it).
constexpr char32_t kFirstInteresting = 0x300;

uint8_t combiningClass(char32_t cp) {
  if (cp < kFirstInteresting) return 0;
  auto it = std::lower_bound(std::begin(kCombiningClasses), std::end(kCombiningClasses), cp,
                             [](const CombiningClass& c, char32_t v) { return c.codePoint < v; });
  return it != std::end(kCombiningClasses) && it->codePoint == cp ? it->value : 0;
}

bool quickCheckUnsafe(char32_t cp) {
  auto it = std::upper_bound(std::begin(kQuickCheckUnsafe), std::end(kQuickCheckUnsafe), cp,
                             [](char32_t v, const CodePointRange& r) { return v < r.first; });
  return it != std::begin(kQuickCheckUnsafe) && cp <= std::prev(it)->last;
}

void decompose(char32_t cp, std::vector<char32_t>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    char32_t index = cp - kSBase;
    out.push_back(kLBase + index / kNCount);
    out.push_back(kVBase + index % kNCount / kTCount);
    if (index % kTCount != 0) out.push_back(kTBase + index % kTCount);
    return;
  }
  if (cp >= kFirstInteresting) {
    auto it = std::lower_bound(std::begin(kDecompositions), std::end(kDecompositions), cp,
                               [](const Decomposition& d, char32_t v) { return d.codePoint < v; });
    if (it != std::end(kDecompositions) && it->codePoint == cp) {
      out.insert(out.end(), kDecompositionData + it->offset,
                 kDecompositionData + it->offset + it->length);
      return;
    }
  }
  out.push_back(cp);
}

/// The primary composite of `first` + `second`, or 0 when they do not compose.
char32_t compose(char32_t first, char32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase &&
      second < kVBase + kVCount) {
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  }
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 &&
      second > kTBase && second < kTBase + kTCount) {
    return first + (second - kTBase);
  }
  auto it = std::lower_bound(
      std::begin(kCompositions), std::end(kCompositions), std::pair(first, second),
      [](const Composition& c, auto key) { return std::pair(c.first, c.second) < key; });
  return it != std::end(kCompositions) && it->first == first && it->second == second ? it->composite
                                                                                     : 0;
}

}  // namespace

bool isNfcQuick(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    if (uint8_t(s[pos]) < 0xCC) {  // U+0000..U+02FF: ASCII, or a lead byte below U+0300
      ++pos;
      continue;
    }
    size_t length = 0;
    char32_t cp = decodeUtf8(s, pos, length);
    if (quickCheckUnsafe(cp)) return false;
    pos += length;
  }
  return true;
}

namespace {

/// NFC of a stretch that starts at a safe character (or the start of the text) and ends before
/// one: decompose, put marks in canonical order, compose.
void normalizeStretch(std::string_view s, std::string& out) {
  std::vector<char32_t> chars;
  chars.reserve(s.size());
  for (size_t pos = 0, length = 0; pos < s.size(); pos += length) {
    decompose(decodeUtf8(s, pos, length), chars);
  }
  // Canonical ordering: a stable sort of every run of non-starters by combining class.
  for (size_t i = 0; i < chars.size();) {
    if (combiningClass(chars[i]) == 0) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < chars.size() && combiningClass(chars[end]) != 0) ++end;
    std::stable_sort(chars.begin() + i, chars.begin() + end,
                     [](char32_t a, char32_t b) { return combiningClass(a) < combiningClass(b); });
    i = end;
  }
  // Canonical composition: a character joins the last starter unless something between them
  // blocks it (a starter, or a mark of the same or a higher class).
  size_t starter = 0, kept = 0;
  bool haveStarter = false;
  int lastClass = -1;
  for (char32_t cp : chars) {
    int cls = combiningClass(cp);
    if (haveStarter && (kept == starter + 1 || lastClass < cls)) {
      if (char32_t composite = compose(chars[starter], cp)) {
        chars[starter] = composite;
        continue;
      }
    }
    if (cls == 0) {
      starter = kept;
      haveStarter = true;
    }
    lastClass = cls;
    chars[kept++] = cp;
  }
  for (size_t i = 0; i < kept; ++i) appendUtf8(out, chars[i]);
}

}  // namespace

void appendNfc(std::string_view s, std::string& out) {
  // A safe character (quick check Yes, combining class 0) neither combines with what precedes it
  // nor reorders across it, so only the stretches around unsafe characters need the full
  // algorithm: from the safe character before each run of unsafe ones (a base it may compose
  // with) to the next safe character. Everything else is copied as it is.
  constexpr size_t kNone = std::string_view::npos;
  size_t done = 0, lastSafe = kNone;
  for (size_t pos = 0, length = 0; pos < s.size(); pos += length) {
    char32_t cp = decodeUtf8(s, pos, length);
    if (cp < kFirstInteresting || !quickCheckUnsafe(cp)) {
      lastSafe = pos;
      continue;
    }
    size_t begin = lastSafe == kNone ? done : lastSafe;
    size_t end = pos + length;
    while (end < s.size()) {
      size_t next = 0;
      char32_t c = decodeUtf8(s, end, next);
      if (c < kFirstInteresting || !quickCheckUnsafe(c)) break;
      end += next;
    }
    out.append(s.substr(done, begin - done));
    normalizeStretch(s.substr(begin, end - begin), out);
    done = end;
    lastSafe = kNone;
    pos = end;
    length = 0;
  }
  out.append(s.substr(done));
}

}  // namespace mx::engine::tokenizer
