// SliceCheck.cpp — checkSlices (Backend.h): the checks every backend runs on a step's slices
// before any arithmetic, so a bad slice is an error naming it, never a wild read.
#include <stdexcept>
#include <string>

#include "mx/engine/Backend.h"

namespace mx::engine {

void checkSlices(std::span<const SeqSlice> batch, const ModelConfig& config, int32_t numBlocks,
                 int32_t blockSize, const std::string& backend) {
  auto bad = [&](size_t slice, const std::string& what) {
    throw std::invalid_argument(backend + " backend: slice " + std::to_string(slice) + ": " + what);
  };
  if ((numBlocks == 0 || blockSize == 0) && !batch.empty()) bad(0, "allocateCache was not called");
  for (size_t s = 0; s < batch.size(); ++s) {
    const SeqSlice& slice = batch[s];
    if (slice.tokens.empty()) bad(s, "no tokens");
    if (slice.startPos < 0) bad(s, "negative startPos");
    for (int32_t t : slice.tokens)
      if (t < 0 || t >= config.vocabSize)
        bad(s, "token id " + std::to_string(t) + " outside the vocabulary of " +
                   std::to_string(config.vocabSize));
    const int64_t end = int64_t(slice.startPos) + int64_t(slice.tokens.size());
    if (end > int64_t(slice.blocks.size()) * blockSize)
      bad(s, "positions up to " + std::to_string(end) + " need more than the " +
                 std::to_string(slice.blocks.size()) + " blocks of its block table");
    for (int64_t b = 0; b < (end + blockSize - 1) / blockSize; ++b)
      if (slice.blocks[size_t(b)] < 0 || slice.blocks[size_t(b)] >= numBlocks)
        bad(s, "block id " + std::to_string(slice.blocks[size_t(b)]) + " outside the cache's " +
                   std::to_string(numBlocks) + " blocks");
  }
}

}  // namespace mx::engine
