// CacheSize.h — how many KV blocks the engine asks the backend for when the options leave it open.
#pragma once

#include "mx/engine/Engine.h"

namespace mx::engine::core {

/// options.numBlocks when set. Else, on a backend with a device limit (Backend::cacheBlockLimit,
/// e.g. a GPU's free memory), that limit, up to twice maxBatchSeqs full contexts (more blocks
/// mean fewer preemptions and more cached prefixes; past that a small model would take the
/// whole card from the run's other models). Throws std::runtime_error when
/// the limit cannot hold even one sequence of the model's full context. Else (the CPU) room for
/// maxBatchSeqs sequences of the full context, capped at kDefaultCacheBytes of fp32 keys and
/// values (a 128k-context model would otherwise ask for hundreds of GiB). Set numBlocks to go
/// beyond it.
int32_t chooseBlockCount(const Backend& backend, const EngineOptions& options);

inline constexpr int64_t kDefaultCacheBytes = int64_t(4) << 30;

}  // namespace mx::engine::core
