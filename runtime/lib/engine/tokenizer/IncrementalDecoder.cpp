// IncrementalDecoder.cpp — streaming detokenization (see Tokenizer.h).
//
// Correct by construction: the lossy UTF-8 scan that decode() runs over all bytes at once is
// run here over what has arrived, stopping before an unfinished character; since the scan never
// looks past the sequence it is in, resuming it later gives the same text.
#include "Utf8.h"
#include "mx/engine/Tokenizer.h"

namespace mx::engine {

IncrementalDecoder::IncrementalDecoder(const Tokenizer& tokenizer, DecodeOptions options)
    : tokenizer_(&tokenizer), options_(options) {}

void IncrementalDecoder::push(TokenId id, std::string& out) {
  if (options_.skipSpecialTokens && tokenizer_->isSpecial(id)) return;
  pending_ += tokenizer_->tokenBytes(id);
  size_t read = tokenizer::appendLossyUtf8(pending_, out, false);
  pending_.erase(0, read);
}

std::string IncrementalDecoder::push(TokenId id) {
  std::string out;
  push(id, out);
  return out;
}

void IncrementalDecoder::finish(std::string& out) {
  tokenizer::appendLossyUtf8(pending_, out, true);
  pending_.clear();
}

std::string IncrementalDecoder::finish() {
  std::string out;
  finish(out);
  return out;
}

}  // namespace mx::engine
