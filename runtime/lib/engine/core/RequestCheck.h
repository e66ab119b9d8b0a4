// RequestCheck.h — what makes a request unservable, said before it touches the batch: a bad
// request fails alone, with a message naming the field and the limit.
#pragma once

#include <string>

#include "mx/engine/Engine.h"

namespace mx::engine::core {

/// Empty when `request` can be served by a model of `config` with a cache of `totalBlocks`
/// blocks of `blockSize` positions; else why not.
std::string checkRequest(const Request& request, const ModelConfig& config, int32_t totalBlocks,
                         int32_t blockSize);

}  // namespace mx::engine::core
