// RegexCheck.h — compile-time validation of constant regular expressions with PCRE2, the
// engine (and options: UTF, UCP) the runtime uses, so what passes here compiles there.
#pragma once

#include <optional>
#include <string>

namespace mx {

/// Nothing when `pattern` compiles; otherwise PCRE2's message with the offset of the problem.
std::optional<std::string> regexProblem(const std::string& pattern);

}  // namespace mx
