// Sequence.h — the engine's state for one request (RequestGroup) and each of its samples
// (Sequence): tokens, the block table, how much of it the cache holds, and the output so far.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mx/engine/Engine.h"

namespace mx::engine::core {

struct RequestGroup;

/// One sample being generated. Until its request forks (after the prompt's prefill) the group
/// has one sequence; then n, sharing the prompt's blocks.
struct Sequence {
  Sequence(RequestGroup& group, int32_t sampleIndex, const Tokenizer& tokenizer)
      : group(&group), sampleIndex(sampleIndex), decoder(tokenizer, {.skipSpecialTokens = true}) {}

  RequestGroup* group;
  int32_t sampleIndex;
  std::vector<int32_t> tokens;  // the prompt, then what was generated
  int32_t promptLen = 0;
  /// Positions 0..numComputed-1 have keys and values in the cache. The next forward feeds
  /// tokens[numComputed..]; when that reaches the end, the last row of logits samples a token.
  int32_t numComputed = 0;
  std::vector<int32_t> blocks;        // block table: blocks[i] holds positions [i*B, (i+1)*B)
  std::vector<uint64_t> blockHashes;  // prefix hashes of the leading full blocks
  uint64_t admitOrder = 0;            // the newest admitted is preempted first

  IncrementalDecoder decoder;
  std::string text;
  std::vector<TokenLogprob> logprobs;
  std::string finishReason;  // empty while generating
  /// While a step that draws this sequence's next token runs ahead of the host (Backend::
  /// launchSample), that token's row in the step; -1 otherwise. The token counts as generated
  /// (and as a token to feed) before its id is known: the next step takes it on the device.
  int32_t pendingRow = -1;

  bool pending() const { return pendingRow >= 0; }
  int32_t length() const { return int32_t(tokens.size()) + (pending() ? 1 : 0); }
  int32_t generated() const { return length() - promptLen; }
  int32_t remaining() const { return length() - numComputed; }
  bool finished() const { return !finishReason.empty(); }
  /// Known to end once its pending token lands: the token reaches a length limit.
  bool endsWhenPendingLands() const;
};

/// What ends a sample, fixed when the request is admitted.
struct StopRules {
  std::vector<int32_t> stopIds;  // EOS (unless ignoreEos) and stopTokenIds, sorted
  std::vector<std::string> stopStrings;
  size_t longestStop = 0;
  int32_t maxTokens = 0;
  int32_t maxLength = 0;  // the model's context: a sequence never grows past it
};

/// One submitted request: its samples and its callback.
struct RequestGroup {
  Request request;
  std::function<void(Completion)> done;
  uint64_t arrival = 0;
  StopRules stops;
  std::vector<std::unique_ptr<Sequence>> samples;  // one until the fork, then params.n
  bool forked = false;
  int32_t finishedSamples = 0;
  bool admitted = false;  // cachedPromptTokens counts the first admission only
  int64_t cachedPromptTokens = 0;
};

inline bool Sequence::endsWhenPendingLands() const {
  return pending() && (generated() >= group->stops.maxTokens || length() >= group->stops.maxLength);
}

}  // namespace mx::engine::core
