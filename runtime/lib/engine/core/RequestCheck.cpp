// RequestCheck.cpp — request validation (RequestCheck.h).
#include "RequestCheck.h"

#include <cmath>
#include <sstream>

namespace mx::engine::core {
namespace {

/// The parts streamed one after the other: a message without std::format (GCC 12 lacks it).
template <typename... Parts> std::string say(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace

std::string checkRequest(const Request& request, const ModelConfig& config, int32_t totalBlocks,
                         int32_t blockSize) {
  const SamplingParams& p = request.params;
  const int64_t promptLen = int64_t(request.promptIds.size());
  if (promptLen == 0) return "empty prompt: at least one token is needed to predict the next";
  if (promptLen + 1 > config.maxPositions) {
    return say("prompt of ", promptLen,
               " tokens leaves no room to generate: the model's context is ", config.maxPositions,
               " tokens");
  }
  for (int64_t i = 0; i < promptLen; ++i) {
    int32_t id = request.promptIds[size_t(i)];
    if (id < 0 || id >= config.vocabSize) {
      return say("prompt token ", i, " is id ", id, ", outside the model's vocabulary of ",
                 config.vocabSize, " ids");
    }
  }
  int64_t promptBlocks = (promptLen + blockSize - 1) / blockSize;
  if (promptBlocks > totalBlocks) {
    return say("prompt of ", promptLen, " tokens needs ", promptBlocks,
               " KV-cache blocks; the cache has ", totalBlocks, " (EngineOptions::numBlocks)");
  }
  if (p.maxTokens < 1) return say("maxTokens is ", p.maxTokens, "; it must be at least 1");
  if (p.n < 1) return say("n is ", p.n, "; it must be at least 1");
  if (!(p.temperature >= 0) || std::isinf(p.temperature)) {
    return say("temperature is ", p.temperature, "; it must be finite and >= 0");
  }
  if (!(p.topP > 0 && p.topP <= 1)) return say("topP is ", p.topP, "; it must be in (0, 1]");
  if (p.topK < 0) return say("topK is ", p.topK, "; it must be >= 0 (0: off)");
  if (!(p.minP >= 0 && p.minP <= 1)) return say("minP is ", p.minP, "; it must be in [0, 1]");
  if (!(p.repetitionPenalty > 0) || std::isinf(p.repetitionPenalty)) {
    return say("repetitionPenalty is ", p.repetitionPenalty,
               "; it must be finite and > 0 (1: off)");
  }
  if (p.logprobs < -1 || p.logprobs > config.vocabSize) {
    return say("logprobs is ", p.logprobs, "; it must be -1 (none) or 0..", config.vocabSize);
  }
  for (const std::string& stop : p.stop) {
    if (stop.empty()) return "an empty stop string would stop before the first token";
  }
  return {};
}

}  // namespace mx::engine::core
