// Tokenizer.h — Hugging Face `tokenizer.json` byte-level BPE: text to token ids and back.
//
// Encoding follows the `tokenizers` library step by step, so ids are identical to
// `Tokenizer.from_file(path).encode(text).ids`: added tokens are cut out of the raw text first
// (leftmost-longest), the rest is normalized (NFC), pre-tokenized (PCRE2 splits, ByteLevel),
// BPE-merged, and the post-processor adds its template tokens (BOS/EOS). Supported components:
//   normalizer      null, NFC, Sequence of those
//   pre_tokenizer   Split (Regex or String pattern, Isolated/Removed), Digits, ByteLevel (last),
//                   Sequence of those
//   model           BPE over the byte-level alphabet: merges as "a b" strings or [a, b] pairs,
//                   ignore_merges, unk_token
//   post_processor  null, ByteLevel, TemplateProcessing (single), Bert/RobertaProcessing, Sequence
//   decoder         ByteLevel (null is read as ByteLevel)
// Anything else (WordPiece, Unigram, SentencePiece-style BPE, NFKC, ...) is rejected at load time
// with the file and the component named: a tokenizer that loads encodes exactly. `truncation`
// and `padding` are ignored (the engine bounds lengths itself).
//
// Beyond the fixtures (TokenizerTest.cpp), 14 MB of text and 20k lines of random Unicode 14 text
// were checked against `tokenizers` 0.23.2: identical ids. What that takes: NFC with Unicode 9.0
// data, as `tokenizers` has; \s in split regexes as White_Space, as in Oniguruma (PCRE2's \s
// also matches U+180E); and \p{L}/\p{N} extended by the letters and numbers of Unicode 15,
// which Oniguruma knows and PCRE2 10.42 does not (Pattern.cpp). Characters added after Unicode 15
// may still split differently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mx::engine {

using TokenId = int32_t;

struct EncodeOptions {
  /// Apply the post-processor (the BOS/EOS of a TemplateProcessing), as `add_special_tokens`.
  bool addSpecialTokens = true;
  /// Recognise added tokens marked `special` in the text. Off, they are encoded as plain text
  /// (for user-supplied content inside a chat prompt). Non-special added tokens such as Qwen's
  /// `<think>` are recognised either way, as in `tokenizers`' `encode_special_tokens`.
  bool parseSpecial = true;
};

struct DecodeOptions {
  /// Leave out added tokens marked `special` (BOS, EOS, chat markers).
  bool skipSpecialTokens = false;
};

/// A loaded tokenizer. Immutable after load: every method is const and safe to call from many
/// threads at once.
class Tokenizer {
 public:
  /// Loads `path`, a tokenizer.json file or a model folder holding one. On failure returns null
  /// and sets `error` to a message that names the file and what is wrong, e.g.
  /// "m/tokenizer.json: unsupported model type \"WordPiece\" (only byte-level BPE is supported)".
  static std::unique_ptr<Tokenizer> load(const std::string& path, std::string& error);
  /// Same from the text of a tokenizer.json; `name` stands for the file in messages.
  static std::unique_ptr<Tokenizer> fromJson(std::string_view json, std::string_view name,
                                             std::string& error);
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  /// Appends the ids of `text` to `out`. Never fails: invalid UTF-8 in `text` is read as U+FFFD
  /// per maximal invalid sequence (what Python's errors="replace" gives), and bytes that have no
  /// token and no unk_token are dropped, as `tokenizers` does.
  void encode(std::string_view text, std::vector<TokenId>& out, const EncodeOptions& = {}) const;
  std::vector<TokenId> encode(std::string_view text, const EncodeOptions& = {}) const;

  /// The text of `ids`: token bytes concatenated, invalid UTF-8 replaced by U+FFFD as
  /// `tokenizers` does. Ids outside the vocabulary (the padding rows of an embedding) are skipped.
  std::string decode(std::span<const TokenId> ids, const DecodeOptions& = {}) const;

  /// One past the largest id of the vocabulary and the added tokens.
  size_t vocabSize() const;
  /// The id of a token as tokenizer.json spells it ("<|im_end|>", "Ġthe"), vocabulary or added.
  std::optional<TokenId> tokenToId(std::string_view token) const;
  /// The tokenizer.json spelling of `id`; empty for an id outside the vocabulary.
  std::string_view idToToken(TokenId id) const;
  /// The raw bytes `id` decodes to (possibly part of a UTF-8 character); empty when unknown.
  std::string_view tokenBytes(TokenId id) const;
  /// Whether `id` is an added token marked `special`.
  bool isSpecial(TokenId id) const;
  /// The file it was loaded from (or the name given to fromJson).
  const std::string& name() const;

  struct Impl;

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Streaming detokenization for one sequence: feed ids as they are generated, get back only
/// whole characters. Bytes of a character split across tokens wait until it is complete, so no
/// piece ever ends inside a UTF-8 sequence; the concatenation of everything returned (push calls
/// then finish) equals `tokenizer.decode(all ids)`. Its state is the few pending bytes, so one
/// lives beside each generated sequence; it must not outlive the tokenizer.
class IncrementalDecoder {
 public:
  explicit IncrementalDecoder(const Tokenizer& tokenizer, DecodeOptions options = {});

  /// Appends to `out` the text that `id` completes (often nothing, or several characters).
  void push(TokenId id, std::string& out);
  std::string push(TokenId id);
  /// Ends the sequence: bytes of an unfinished character become one U+FFFD.
  void finish(std::string& out);
  std::string finish();
  /// Bytes held back, waiting for the rest of a character (0 to 3).
  size_t pendingBytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  DecodeOptions options_;
  std::string pending_;
};

}  // namespace mx::engine
