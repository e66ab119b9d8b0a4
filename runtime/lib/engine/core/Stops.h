// Stops.h — appending a sampled token to a sequence and deciding whether it ends there: stop
// tokens, stop strings (on the incrementally decoded text, so they match across token
// boundaries), max tokens and the model's context.
#pragma once

#include "Sequence.h"

namespace mx::engine::core {

/// The stop rules of a request: the model's EOS ids (unless params.ignoreEos) and the request's
/// stop ids, stop strings and limits.
StopRules makeStopRules(const SamplingParams& params, const ModelConfig& config);

/// Appends `token` to `seq` (ids and text) and sets seq.finishReason when it ends the sample:
///   a stop token:  "stop"; the token stays in the ids, its text is left out;
///   a stop string: "stop"; the text is cut before the earliest match, the ids keep the token
///                  that completed it;
///   maxTokens generated, or the model's context full: "length".
void appendToken(Sequence& seq, int32_t token, const StopRules& rules);

/// Ends a sample that cannot go on for a reason outside its rules (the KV cache cannot hold it).
void finishSequence(Sequence& seq, const char* reason);

}  // namespace mx::engine::core
