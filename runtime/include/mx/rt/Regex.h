// Regex.h — compiled PCRE2 patterns (UTF + UCP, JIT) and a small cache shared by a run's workers.
//
// The language's regex built-ins use these, and so will the tokenizer's pre-tokenizer: PCRE2 is
// the one engine here that has both \p{L} classes and lookahead (TOOLCHAIN.md). PCRE2's headers
// stay out of this header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mx::rt {

/// One compiled pattern. Immutable and safe to use from many threads at once (each match brings
/// its own match data).
class Regex {
 public:
  /// Compiles `pattern`; on failure returns null and sets `error` to PCRE2's message and the
  /// offset, e.g. "missing closing parenthesis at offset 2".
  static std::shared_ptr<const Regex> compile(std::string_view pattern, std::string& error);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  /// Capture groups in the pattern, not counting the whole match.
  uint32_t groupCount() const { return groups_; }

  /// Byte ranges of the whole match (group 0) and each group; npos for a group that took no part.
  struct Match {
    static constexpr size_t npos = size_t(-1);
    std::vector<std::pair<size_t, size_t>> groups;  // [begin, end)
  };

  /// Searches `subject` (valid UTF-8: callers sanitize first) from byte `start`. Returns 1 and
  /// fills `match` on a match, 0 when there is none, and -1 with `error` set when PCRE2 gives up
  /// (match or depth limit: a pattern with catastrophic backtracking).
  int search(std::string_view subject, size_t start, Match& match, std::string& error) const;

 private:
  explicit Regex(void* code, uint32_t groups) : code_(code), groups_(groups) {}
  void* code_;  // pcre2_code_8*
  uint32_t groups_;
};

/// Compiled patterns by source text, so a non-literal pattern is compiled once per run rather than
/// once per call. Thread-safe; forgets everything when it reaches kMaxEntries so a program that
/// builds a fresh pattern per row cannot grow it without bound.
class RegexCache {
 public:
  static constexpr size_t kMaxEntries = 512;

  /// The compiled pattern, or null with `error` set when it does not compile (failures are not
  /// cached: they end the task anyway).
  std::shared_ptr<const Regex> get(std::string_view pattern, std::string& error);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Regex>> patterns_;
};

}  // namespace mx::rt
