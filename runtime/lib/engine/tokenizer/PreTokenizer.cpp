// PreTokenizer.cpp — Split, Digits and ByteLevel steps and their chaining (see PreTokenizer.h).
#include "PreTokenizer.h"

#include <optional>
#include <string>

namespace mx::engine::tokenizer {

const char kGpt2SplitPattern[] =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

class SplitStep final : public PreTokenizerStep {
 public:
  SplitStep(std::unique_ptr<Pattern> pattern, bool removed)
      : pattern_(std::move(pattern)), removed_(removed) {}

  void split(std::string_view text, MatchState& state, PieceSink& sink) const override {
    size_t pos = 0, begin = 0, end = 0;
    bool fullTables = pattern_->needsFullTables(text);
    while (pattern_->find(text, pos, fullTables, state, begin, end)) {
      if (begin > pos) sink.piece(text.substr(pos, begin - pos));
      if (!removed_) sink.piece(text.substr(begin, end - begin));
      pos = end;
    }
    if (pos < text.size()) sink.piece(text.substr(pos));
  }

 private:
  std::unique_ptr<Pattern> pattern_;
  bool removed_;
};

class DigitsStep final : public PreTokenizerStep {
 public:
  explicit DigitsStep(bool individual) : individual_(individual) {}

  void split(std::string_view text, MatchState&, PieceSink& sink) const override {
    auto isDigit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      bool digit = isDigit(i);
      bool boundary = i > start && (digit != isDigit(i - 1) || (digit && individual_));
      if (boundary) {
        sink.piece(text.substr(start, i - start));
        start = i;
      }
    }
    if (start < text.size()) sink.piece(text.substr(start));
  }

 private:
  bool individual_;
};

class ByteLevelStep final : public PreTokenizerStep {
 public:
  ByteLevelStep(bool addPrefixSpace, std::unique_ptr<Pattern> pattern)
      : addPrefixSpace_(addPrefixSpace) {
    if (pattern) regex_.emplace(std::move(pattern), false);
  }

  void split(std::string_view text, MatchState& state, PieceSink& sink) const override {
    std::string prefixed;
    if (addPrefixSpace_ && text[0] != ' ') {
      prefixed.reserve(text.size() + 1);
      prefixed += ' ';
      prefixed += text;
      text = prefixed;
    }
    if (regex_) {
      regex_->split(text, state, sink);
    } else {
      sink.piece(text);
    }
  }

 private:
  bool addPrefixSpace_;
  std::optional<SplitStep> regex_;
};

}  // namespace

std::unique_ptr<PreTokenizerStep> makeSplitStep(std::unique_ptr<Pattern> pattern, bool removed) {
  return std::make_unique<SplitStep>(std::move(pattern), removed);
}

std::unique_ptr<PreTokenizerStep> makeDigitsStep(bool individual) {
  return std::make_unique<DigitsStep>(individual);
}

std::unique_ptr<PreTokenizerStep> makeByteLevelStep(bool addPrefixSpace,
                                                    std::unique_ptr<Pattern> gpt2Pattern) {
  return std::make_unique<ByteLevelStep>(addPrefixSpace, std::move(gpt2Pattern));
}

/// Feeds each piece of step `next - 1` into step `next`, or into the final sink after the last.
class PreTokenizer::Chain final : public PieceSink {
 public:
  Chain(const PreTokenizer& owner, size_t next, MatchState& state, PieceSink& sink)
      : owner_(owner), next_(next), state_(state), sink_(sink) {}
  void piece(std::string_view text) override { owner_.runFrom(next_, text, state_, sink_); }

 private:
  const PreTokenizer& owner_;
  size_t next_;
  MatchState& state_;
  PieceSink& sink_;
};

void PreTokenizer::runFrom(size_t step, std::string_view text, MatchState& state,
                           PieceSink& sink) const {
  if (text.empty()) return;
  if (step == steps_.size()) {
    sink.piece(text);
    return;
  }
  Chain chain(*this, step + 1, state, sink);
  steps_[step]->split(text, state, chain);
}

void PreTokenizer::run(std::string_view text, MatchState& state, PieceSink& sink) const {
  runFrom(0, text, state, sink);
}

}  // namespace mx::engine::tokenizer
