// Suggest.h — "did you mean" notes for misspelled names.
#pragma once

#include <string>
#include <vector>

#include "mx/compiler/Diagnostics.h"

namespace mx {

/// The candidate closest to `name` by edit distance, or "" when none is close enough to help.
std::string closestName(const std::string& name, const std::vector<std::string>& candidates);

/// Adds a "did you mean 'x'?" note to the last diagnostic when a candidate is close.
void suggest(DiagnosticEngine& diags, SourceRange range, const std::string& name,
             const std::vector<std::string>& candidates);

}  // namespace mx
