// Suggest.cpp — edit distance for did-you-mean notes.
#include "Suggest.h"

#include <algorithm>

namespace mx {

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// adjacent characters each cost one (`strat` is one edit from `start`).
static size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string closestName(const std::string& name, const std::vector<std::string>& candidates) {
  // Any one-letter name is one edit from any other: a suggestion would be noise.
  if (name.size() < 2) return "";
  // A third of the name's length, at least one edit: close enough to be a typo.
  size_t best = std::max<size_t>(1, name.size() / 3) + 1;
  std::string found;
  for (const auto& c : candidates) {
    if (c == name || c.size() < 2) continue;
    size_t d = editDistance(name, c);
    if (d < best) {
      best = d;
      found = c;
    }
  }
  return found;
}

void suggest(DiagnosticEngine& diags, SourceRange range, const std::string& name,
             const std::vector<std::string>& candidates) {
  std::string c = closestName(name, candidates);
  if (!c.empty()) diags.note(range, "did you mean '" + c + "'?");
}

}  // namespace mx
