// Tokenizer.cpp — encode and decode over the loaded parts (TokenizerImpl.h).
//
// Encoding runs the stages of `tokenizers` in its order, streaming: raw added tokens are cut out,
// each remaining segment is normalized, normalized added tokens are cut out, the pre-tokenizer
// splits the rest into words and BPE turns each word into ids, appended as they come.
#include "mx/engine/Tokenizer.h"

#include "Nfc.h"
#include "TokenizerImpl.h"
#include "Utf8.h"

namespace mx::engine {
namespace {

using namespace tokenizer;

/// The state of one encode call.
class Encoder final : public PieceSink {
 public:
  Encoder(const Tokenizer::Impl& t, const EncodeOptions& options, std::vector<TokenId>& out)
      : t_(t), options_(options), out_(out), raw_(*this), normalized_(*this) {}

  void run(std::string_view text) {
    if (t_.rawAddedTokens.empty()) {
      raw_.text(text);
    } else {
      t_.rawAddedTokens.split(text, options_.parseSpecial, state_, raw_);
    }
  }

  void piece(std::string_view word) override { t_.model.encodeWord(word, out_, bpe_); }

 private:
  /// Text between raw added tokens: normalized, then searched for normalized added tokens.
  struct RawSink final : AddedTokenSink {
    explicit RawSink(Encoder& e) : e(e) {}
    void text(std::string_view segment) override {
      if (e.t_.nfc && !isNfcQuick(segment)) {
        e.nfc_.clear();
        appendNfc(segment, e.nfc_);
        segment = e.nfc_;
      }
      if (e.t_.normalizedAddedTokens.empty()) {
        e.normalized_.text(segment);
      } else {
        e.t_.normalizedAddedTokens.split(segment, e.options_.parseSpecial, e.state_, e.normalized_);
      }
    }
    void token(TokenId id) override { e.out_.push_back(id); }
    Encoder& e;
  };
  /// Normalized text between added tokens: pre-tokenized, each word through BPE.
  struct NormalizedSink final : AddedTokenSink {
    explicit NormalizedSink(Encoder& e) : e(e) {}
    void text(std::string_view segment) override { e.t_.preTokenizer.run(segment, e.state_, e); }
    void token(TokenId id) override { e.out_.push_back(id); }
    Encoder& e;
  };

  const Tokenizer::Impl& t_;
  const EncodeOptions& options_;
  std::vector<TokenId>& out_;
  RawSink raw_;
  NormalizedSink normalized_;
  MatchState state_;
  BpeScratch bpe_;
  std::string nfc_;
};

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

void Tokenizer::encode(std::string_view text, std::vector<TokenId>& out,
                       const EncodeOptions& options) const {
  // PCRE2 matches without re-checking UTF-8 (Pattern.h), so the text is checked here, once.
  std::string repaired;
  if (!isValidUtf8(text)) {
    appendLossyUtf8(text, repaired, true);
    text = repaired;
  }
  if (options.addSpecialTokens) out.insert(out.end(), impl_->prefix.begin(), impl_->prefix.end());
  Encoder(*impl_, options, out).run(text);
  if (options.addSpecialTokens) out.insert(out.end(), impl_->suffix.begin(), impl_->suffix.end());
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<TokenId> ids;
  encode(text, ids, options);
  return ids;
}

std::string Tokenizer::decode(std::span<const TokenId> ids, const DecodeOptions& options) const {
  std::string bytes;
  for (TokenId id : ids) {
    if (!impl_->known(id) || (options.skipSpecialTokens && impl_->special[id])) continue;
    bytes += impl_->bytes[id];
  }
  std::string text;
  text.reserve(bytes.size());
  appendLossyUtf8(bytes, text, true);
  return text;
}

size_t Tokenizer::vocabSize() const { return impl_->spelling.size(); }

std::optional<TokenId> Tokenizer::tokenToId(std::string_view token) const {
  if (auto it = impl_->added.find(token); it != impl_->added.end()) return it->second;
  if (TokenId id = impl_->vocab.find(token, impl_->spelling); id != TokenIndex::kNone) return id;
  return std::nullopt;
}

std::string_view Tokenizer::idToToken(TokenId id) const {
  return impl_->known(id) ? std::string_view(impl_->spelling[id]) : std::string_view();
}

std::string_view Tokenizer::tokenBytes(TokenId id) const {
  return impl_->known(id) ? std::string_view(impl_->bytes[id]) : std::string_view();
}

bool Tokenizer::isSpecial(TokenId id) const { return impl_->known(id) && impl_->special[id]; }

const std::string& Tokenizer::name() const { return impl_->name; }

}  // namespace mx::engine
