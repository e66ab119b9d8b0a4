// Pattern.h — a PCRE2 pattern compiled for pre-tokenizer splits (UTF + UCP, JIT).
//
// PCRE2 is the engine here with both Unicode classes (\p{L}, \p{N}) and lookahead (`\s+(?!\S)`),
// which the split regexes of GPT-2, Llama 3 and Qwen need (TOOLCHAIN.md). Subjects are validated
// once per encode, so every match passes PCRE2_NO_UTF_CHECK (without it PCRE2 rescans the whole
// subject on each call, ~65x slower). PCRE2's header stays in Pattern.cpp.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace mx::engine::tokenizer {

/// Per-thread match state for Pattern::find (PCRE2 match data and a JIT stack). One encode call
/// makes one; it is not shared between threads.
class MatchState {
 public:
  MatchState();
  ~MatchState();
  MatchState(const MatchState&) = delete;
  MatchState& operator=(const MatchState&) = delete;

 private:
  friend class Pattern;
  void* data_;                  // pcre2_match_data*
  void* bigContext_ = nullptr;  // pcre2_match_context* with a large JIT stack, made on demand
  void* bigStack_ = nullptr;    // pcre2_jit_stack*
};

/// A compiled pattern; immutable, shared by all threads.
class Pattern {
 public:
  /// Compiles `pattern` (a literal string when `literal`); on failure returns null and sets
  /// `error` to PCRE2's message and offset.
  static std::unique_ptr<Pattern> compile(std::string_view pattern, bool literal,
                                          std::string& error);
  ~Pattern();
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  /// Whether `subject` needs the variant with Unicode 15's letters and numbers (Pattern.cpp):
  /// only when the pattern has \p{L} or \p{N} and the subject a character above U+FFFF.
  bool needsFullTables(std::string_view subject) const;
  /// Finds the first non-empty match in `subject` (well-formed UTF-8) at or after byte `start`,
  /// with the full variant when `fullTables` (needsFullTables of the whole subject). Returns
  /// false when there is none. Should PCRE2 give up (a resource limit on a pathological
  /// subject), that is reported as no match, so the rest of the subject stays one piece: bad input
  /// changes the split, it never fails the encode.
  bool find(std::string_view subject, size_t start, bool fullTables, MatchState& state,
            size_t& begin, size_t& end) const;
  /// Whether the pattern matches at exactly byte `pos` (an anchored match).
  bool matchesAt(std::string_view subject, size_t pos, MatchState& state) const;

 private:
  Pattern(void* code, void* fullCode) : code_(code), fullCode_(fullCode) {}
  int match(std::string_view subject, size_t start, uint32_t options, bool fullTables,
            MatchState& state) const;
  void* code_;      // pcre2_code*
  void* fullCode_;  // pcre2_code* with Unicode 15's letters and numbers; null when the same
};

}  // namespace mx::engine::tokenizer
