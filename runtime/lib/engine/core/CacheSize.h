// CacheSize.h — how many KV blocks the engine asks the backend for when the options leave it open.
#pragma once

#include "mx/engine/Engine.h"

namespace mx::engine::core {

/// options.numBlocks when set; else room for maxBatchSeqs sequences of the full context, capped
/// at kDefaultCacheBytes of fp32 keys and values (a 128k-context model would otherwise ask for
/// hundreds of GiB). Set numBlocks to go beyond it.
int32_t chooseBlockCount(const ModelConfig& config, const EngineOptions& options);

inline constexpr int64_t kDefaultCacheBytes = int64_t(4) << 30;

}  // namespace mx::engine::core
