// Stops.cpp — stop tokens, stop strings and length limits (Stops.h).
#include "Stops.h"

#include <algorithm>

namespace mx::engine::core {

StopRules makeStopRules(const SamplingParams& params, const ModelConfig& config) {
  StopRules rules;
  if (!params.ignoreEos) rules.stopIds = config.eosTokenIds;
  rules.stopIds.insert(rules.stopIds.end(), params.stopTokenIds.begin(), params.stopTokenIds.end());
  std::sort(rules.stopIds.begin(), rules.stopIds.end());
  rules.stopStrings = params.stop;
  for (const std::string& s : rules.stopStrings)
    rules.longestStop = std::max(rules.longestStop, s.size());
  rules.maxTokens = params.maxTokens;
  rules.maxLength = config.maxPositions;
  return rules;
}

namespace {

/// The earliest stop string that ends inside the text appended since `oldSize`. Only a window
/// of longestStop-1 bytes before it can hold the start of a new match: anything earlier was
/// already searched when it arrived.
size_t findStop(const std::string& text, size_t oldSize, const StopRules& rules) {
  size_t from = oldSize >= rules.longestStop ? oldSize - (rules.longestStop - 1) : 0;
  size_t earliest = std::string::npos;
  for (const std::string& stop : rules.stopStrings) {
    earliest = std::min(earliest, text.find(stop, from));
  }
  return earliest;
}

}  // namespace

void appendToken(Sequence& seq, int32_t token, const StopRules& rules) {
  seq.tokens.push_back(token);
  if (std::binary_search(rules.stopIds.begin(), rules.stopIds.end(), token)) {
    finishSequence(seq, "stop");
    return;
  }
  size_t oldSize = seq.text.size();
  seq.decoder.push(token, seq.text);
  if (!rules.stopStrings.empty() && seq.text.size() > oldSize) {
    size_t at = findStop(seq.text, oldSize, rules);
    if (at != std::string::npos) {
      seq.text.resize(at);
      seq.finishReason = "stop";  // the decoder's pending bytes belong to the cut-off tail
      return;
    }
  }
  if (seq.generated() >= rules.maxTokens || int32_t(seq.tokens.size()) >= rules.maxLength) {
    finishSequence(seq, "length");
  }
}

void finishSequence(Sequence& seq, const char* reason) {
  // Bytes of a character the sample never finished become U+FFFD, as a full decode gives.
  seq.decoder.finish(seq.text);
  seq.finishReason = reason;
}

}  // namespace mx::engine::core
