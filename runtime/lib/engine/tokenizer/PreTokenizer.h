// PreTokenizer.h — the pre-tokenizer chain: splits normalized text into the words BPE sees.
//
// Steps stream: each piece a step produces goes straight through the remaining steps into the
// sink, so no list of pieces is ever built (a megabyte prompt makes a quarter million of them).
// A piece is a view of its input except where ByteLevel adds a prefix space.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "Pattern.h"

namespace mx::engine::tokenizer {

/// Receives the pieces of a step (or of the whole chain) in order.
class PieceSink {
 public:
  virtual void piece(std::string_view text) = 0;

 protected:
  ~PieceSink() = default;
};

class PreTokenizerStep {
 public:
  virtual ~PreTokenizerStep() = default;
  /// Splits `text` into pieces, in order, each given to `sink`; empty pieces are never given.
  virtual void split(std::string_view text, MatchState& state, PieceSink& sink) const = 0;
};

/// `Split` with behavior Isolated (matches and the text between them are pieces) or Removed
/// (only the text between matches is).
std::unique_ptr<PreTokenizerStep> makeSplitStep(std::unique_ptr<Pattern> pattern, bool removed);
/// `Digits`: ASCII digits apart from the rest, one per piece or in runs.
std::unique_ptr<PreTokenizerStep> makeDigitsStep(bool individual);
/// `ByteLevel`: a space before each piece that lacks one (add_prefix_space), then the GPT-2
/// split (use_regex). The byte mapping itself needs no step: BPE works on raw bytes.
std::unique_ptr<PreTokenizerStep> makeByteLevelStep(bool addPrefixSpace,
                                                    std::unique_ptr<Pattern> gpt2Pattern);

/// GPT-2's split regex, built into ByteLevel when use_regex is true.
extern const char kGpt2SplitPattern[];

/// The steps of a `Sequence` (or the one step of a plain pre-tokenizer), in order.
class PreTokenizer {
 public:
  void add(std::unique_ptr<PreTokenizerStep> step) { steps_.push_back(std::move(step)); }
  /// Gives every piece of `text` after all steps to `sink`.
  void run(std::string_view text, MatchState& state, PieceSink& sink) const;

 private:
  class Chain;
  void runFrom(size_t step, std::string_view text, MatchState& state, PieceSink& sink) const;
  std::vector<std::unique_ptr<PreTokenizerStep>> steps_;
};

}  // namespace mx::engine::tokenizer
