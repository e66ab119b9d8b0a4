// Tokenizer.*, IncrementalDecoder.* — tokenizer.json byte-level BPE against Hugging Face's ids.
//
// The expected ids come from `tokenizers` 0.23.2 (fixture README): 225 strings for the Qwen3 and
// tiny-arith tokenizers, and the rendered chat prompts of tiny-arith and tiny-agent. The files
// live in the repository (models/tiny-arith, tests/fixtures/), so a fresh clone runs this.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "mx/engine/Tokenizer.h"

namespace mx::engine {
namespace {

using Json = nlohmann::json;

const std::string kRoot = MX_SOURCE_DIR;
const std::string kQwenDir = kRoot + "/tests/fixtures/tokenizer-qwen3";
const std::string kTinyArithDir = kRoot + "/models/tiny-arith";
const std::string kTinyAgentDir = kRoot + "/models/tiny-agent";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Case {
  std::string text;
  std::vector<TokenId> ids;
};

std::vector<Case> readCases(const std::string& path) {
  std::vector<Case> cases;
  std::istringstream lines(readFile(path));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    Json j = Json::parse(line);
    cases.push_back({j["text"].get<std::string>(), j["ids"].get<std::vector<TokenId>>()});
  }
  return cases;
}

/// The rendered prompts and their ids from a model's reference.json.
std::vector<Case> readReferencePrompts(const std::string& path) {
  std::vector<Case> cases;
  Json reference = Json::parse(readFile(path));
  for (const Json& c : reference["cases"]) {
    cases.push_back(
        {c["rendered"].get<std::string>(), c["prompt_ids"].get<std::vector<TokenId>>()});
  }
  return cases;
}

/// Written here rather than borrowed from the library, so the tests do not trust what they test.
bool validUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      if ((uint8_t(s[i + k]) & 0xC0) != 0x80) return false;
      cp = cp << 6 | (uint8_t(s[i + k]) & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

std::string printable(std::string_view s) {
  Json j = std::string(s);
  return j.dump();
}

std::unique_ptr<Tokenizer> loadOrFail(const std::string& path) {
  std::string error;
  auto t = Tokenizer::load(path, error);
  EXPECT_TRUE(t) << error;
  return t;
}

/// The three fixture tokenizers, loaded once for the whole run (Qwen's file is 11 MB).
struct Fixtures {
  std::unique_ptr<Tokenizer> qwen, tinyArith, tinyAgent;
};

const Fixtures& fixtures() {
  static const Fixtures loaded{loadOrFail(kQwenDir), loadOrFail(kTinyArithDir),
                               loadOrFail(kTinyAgentDir)};
  return loaded;
}

#define REQUIRE_FIXTURES()                                                                         \
  const Fixtures& f = fixtures();                                                                  \
  ASSERT_TRUE(f.qwen&& f.tinyArith&& f.tinyAgent)

void expectIds(const Tokenizer& t, const std::vector<Case>& cases) {
  ASSERT_FALSE(cases.empty());
  int mismatches = 0;
  for (const Case& c : cases) {
    std::vector<TokenId> ids = t.encode(c.text);
    if (ids != c.ids) ++mismatches;
    EXPECT_EQ(ids, c.ids) << "text: " << printable(c.text);
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.size() << " cases";
}

/// Feeds every case one id at a time: each piece is valid UTF-8, and the pieces add up to the
/// whole decode, which is the text itself (or, for Qwen, its NFC form).
void expectIncrementalDecoding(const Tokenizer& t, const std::vector<Case>& cases) {
  ASSERT_FALSE(cases.empty());
  for (const Case& c : cases) {
    IncrementalDecoder stream(t);
    std::string joined;
    for (TokenId id : c.ids) {
      std::string piece = stream.push(id);
      EXPECT_TRUE(validUtf8(piece)) << "case " << printable(c.text) << ", id " << id;
      joined += piece;
    }
    std::string last = stream.finish();
    EXPECT_TRUE(validUtf8(last));
    joined += last;
    EXPECT_EQ(joined, t.decode(c.ids)) << "case " << printable(c.text);
  }
}

TEST(Tokenizer, QwenCasesMatchHuggingFace) {
  REQUIRE_FIXTURES();
  expectIds(*f.qwen, readCases(kQwenDir + "/cases.jsonl"));
}

TEST(Tokenizer, TinyArithCasesMatchHuggingFace) {
  REQUIRE_FIXTURES();
  expectIds(*f.tinyArith, readCases(kTinyArithDir + "/tokenizer_cases.jsonl"));
}

TEST(Tokenizer, TinyArithReferencePromptsMatchHuggingFace) {
  REQUIRE_FIXTURES();
  expectIds(*f.tinyArith, readReferencePrompts(kTinyArithDir + "/reference.json"));
}

TEST(Tokenizer, TinyAgentReferencePromptsMatchHuggingFace) {
  REQUIRE_FIXTURES();
  expectIds(*f.tinyAgent, readReferencePrompts(kTinyAgentDir + "/reference.json"));
}

TEST(Tokenizer, TinyArithDecodeRoundTripsEveryCase) {
  REQUIRE_FIXTURES();
  for (const Case& c : readCases(kTinyArithDir + "/tokenizer_cases.jsonl")) {
    EXPECT_EQ(f.tinyArith->decode(f.tinyArith->encode(c.text)), c.text) << printable(c.text);
  }
}

TEST(Tokenizer, QwenDecodeRoundTripsEveryCaseUpToNfc) {
  REQUIRE_FIXTURES();
  // Qwen normalizes to NFC, so a decomposed input comes back composed: those cases must decode
  // to what Hugging Face's ids decode to, and every other case to itself.
  int normalized = 0;
  for (const Case& c : readCases(kQwenDir + "/cases.jsonl")) {
    std::string back = f.qwen->decode(f.qwen->encode(c.text));
    EXPECT_EQ(back, f.qwen->decode(c.ids)) << printable(c.text);
    if (back != c.text) ++normalized;
  }
  EXPECT_GT(normalized, 0);  // "é" as e + U+0301, the ohm and angstrom signs, ...
}

TEST(Tokenizer, QwenDecomposedAccentsAreComposed) {
  REQUIRE_FIXTURES();
  EXPECT_EQ(f.qwen->decode(f.qwen->encode("cafe\xCC\x81")), "caf\xC3\xA9");  // e + U+0301 → é
  EXPECT_EQ(f.qwen->encode("cafe\xCC\x81"), f.qwen->encode("caf\xC3\xA9"));
  // Hangul jamo compose into a syllable; marks are put in canonical order (dot below first).
  EXPECT_EQ(f.qwen->decode(f.qwen->encode("\xE1\x84\x80\xE1\x85\xA1")), "\xEA\xB0\x80");
  EXPECT_EQ(f.qwen->decode(f.qwen->encode("q\xCC\x87\xCC\xA3")), "q\xCC\xA3\xCC\x87");
  // The tiny tokenizers have no normalizer: the same bytes stay decomposed.
  EXPECT_EQ(f.tinyArith->decode(f.tinyArith->encode("cafe\xCC\x81")), "cafe\xCC\x81");
}

TEST(IncrementalDecoder, EveryQwenCaseOneIdAtATime) {
  REQUIRE_FIXTURES();
  expectIncrementalDecoding(*f.qwen, readCases(kQwenDir + "/cases.jsonl"));
}

TEST(IncrementalDecoder, EveryTinyArithCaseOneIdAtATime) {
  REQUIRE_FIXTURES();
  expectIncrementalDecoding(*f.tinyArith, readCases(kTinyArithDir + "/tokenizer_cases.jsonl"));
}

TEST(IncrementalDecoder, HoldsBackPartialCharacters) {
  REQUIRE_FIXTURES();
  // tiny-arith has no token for "😀" (F0 9F 98 80): it is four byte tokens, and nothing may come
  // out before the fourth.
  std::vector<TokenId> ids = f.tinyArith->encode("\xF0\x9F\x98\x80!");
  ASSERT_EQ(ids.size(), 5u);
  IncrementalDecoder stream(*f.tinyArith);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(stream.push(ids[i]), "");
    EXPECT_EQ(stream.pendingBytes(), size_t(i + 1));
  }
  EXPECT_EQ(stream.push(ids[3]), "\xF0\x9F\x98\x80");
  EXPECT_EQ(stream.push(ids[4]), "!");
  EXPECT_EQ(stream.finish(), "");
}

TEST(IncrementalDecoder, ReplacesWhatCannotBeCompleted) {
  REQUIRE_FIXTURES();
  std::vector<TokenId> ids = f.tinyArith->encode("\xF0\x9F\x98\x80");
  ASSERT_EQ(ids.size(), 4u);
  // The first two bytes of the emoji, then "A": they can never form a character.
  std::vector<TokenId> broken = {ids[0], ids[1]};
  std::vector<TokenId> a = f.tinyArith->encode("A");
  broken.insert(broken.end(), a.begin(), a.end());
  IncrementalDecoder stream(*f.tinyArith);
  std::string out = stream.push(broken[0]);
  out += stream.push(broken[1]);
  EXPECT_EQ(out, "");
  out += stream.push(broken[2]);
  EXPECT_EQ(out, "\xEF\xBF\xBD"
                 "A");
  EXPECT_EQ(out, f.tinyArith->decode(broken));
  // A sequence that ends inside a character: finish() gives one U+FFFD.
  IncrementalDecoder cut(*f.tinyArith);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cut.push(ids[i]), "");
  EXPECT_EQ(cut.finish(), "\xEF\xBF\xBD");
}

TEST(IncrementalDecoder, RandomIdSequences) {
  REQUIRE_FIXTURES();
  // Arbitrary ids (as a sampler at high temperature might produce), in Qwen's byte-token-rich
  // vocabulary: pieces are always valid and always add up to decode().
  std::mt19937 rng(42);
  std::uniform_int_distribution<TokenId> pick(0, TokenId(f.qwen->vocabSize()) + 200);
  for (int round = 0; round < 200; ++round) {
    std::vector<TokenId> ids(1 + rng() % 40);
    for (TokenId& id : ids) id = pick(rng);
    IncrementalDecoder stream(*f.qwen);
    std::string joined;
    for (TokenId id : ids) {
      std::string piece = stream.push(id);
      ASSERT_TRUE(validUtf8(piece));
      joined += piece;
    }
    joined += stream.finish();
    EXPECT_EQ(joined, f.qwen->decode(ids));
  }
}

TEST(Tokenizer, NfcKnowsTheCharactersOfUnicode9LikeHuggingFace) {
  // tokenizers 0.23.2 normalizes with Unicode 9.0 tables: U+08CB and U+08D3 (combining marks of
  // Unicode 14 and 11) are plain starters there, so nothing is reordered around them. Ids and
  // normalized forms from tokenizers 0.23.2.
  REQUIRE_FIXTURES();
  const std::pair<std::string, std::vector<TokenId>> cases[] = {
      {"a\xD6\xAE\xE0\xA3\x8B", {64, 146, 106, 156, 96, 233}},  // a U+05AE U+08CB
      {"a\xE0\xA3\x93\xCC\x81", {64, 156, 96, 241, 53839}},     // a U+08D3 U+0301
      {"a\xCC\x81\xE0\xA3\x93", {1953, 156, 96, 241}},          // á U+08D3
      {"\xE0\xAD\x87\xE0\xAC\xBE", {156, 255, 233}},            // U+0B47 U+0B3E → U+0B4B
      {"\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8", {126317}},       // jamo → 각
      {"q\xCC\x87\xCC\xA3", {80, 136, 96, 136, 229}},           // → q U+0323 U+0307
      {"e\xCC\x81", {963}},                                     // → é
  };
  for (const auto& [text, ids] : cases) EXPECT_EQ(f.qwen->encode(text), ids) << printable(text);
}

TEST(Tokenizer, MongolianVowelSeparatorIsNotWhiteSpace) {
  // Hugging Face splits with Oniguruma, whose \s is White_Space: U+180E left it in Unicode 6.3,
  // though PCRE2's \s still has it. Ids from tokenizers 0.23.2.
  REQUIRE_FIXTURES();
  const std::pair<std::string, std::vector<TokenId>> cases[] = {
      {"a\xE1\xA0\x8E"
       "b",
       {64, 123970, 236, 65}},
      {"a \xE1\xA0\x8E b", {64, 86089, 254, 236, 293}},
      {"x\xE1\xA0\x8E\xE1\xA0\x8E y", {87, 123970, 236, 123970, 236, 379}},
      {"  \xE1\xA0\x8E\n", {220, 86089, 254, 236, 198}},
      {"word \xE1\xA0\x8E  next", {1158, 86089, 254, 236, 220, 1790}},
      {"1\xE1\xA0\x8E"
       "2",
       {16, 123970, 236, 17}},
  };
  for (const auto& [text, ids] : cases) EXPECT_EQ(f.qwen->encode(text), ids) << printable(text);
}

TEST(Tokenizer, UnicodeFifteenNumbersAreNumbers) {
  // Kaktovik numerals (Unicode 15) are \p{N} to tokenizers 0.23.2 (Oniguruma) but unknown to
  // PCRE2 10.42: a space before one must stay a piece of its own, not join it.
  REQUIRE_FIXTURES();
  std::string numeral = "\xF0\x9D\x8B\x88";  // U+1D2C8
  std::vector<TokenId> expected = {220};
  for (TokenId id : f.qwen->encode(numeral)) expected.push_back(id);
  EXPECT_EQ(f.qwen->encode(" " + numeral), expected);
}

TEST(Tokenizer, SpecialTokensInTextAreSingleIds) {
  REQUIRE_FIXTURES();
  auto imStart = f.qwen->tokenToId("<|im_start|>");
  auto think = f.qwen->tokenToId("<think>");
  ASSERT_TRUE(imStart && think);
  EXPECT_EQ(*imStart, 151644);
  EXPECT_TRUE(f.qwen->isSpecial(*imStart));
  EXPECT_FALSE(f.qwen->isSpecial(*think));
  std::vector<TokenId> ids = f.qwen->encode("<|im_start|>user\n<think>hi</think>");
  EXPECT_EQ(ids.front(), *imStart);
  EXPECT_NE(std::find(ids.begin(), ids.end(), *think), ids.end());
  // parseSpecial off: the special marker is text, the non-special <think> is still recognised.
  std::vector<TokenId> plain =
      f.qwen->encode("<|im_start|>user\n<think>hi</think>", {.parseSpecial = false});
  EXPECT_EQ(std::find(plain.begin(), plain.end(), *imStart), plain.end());
  EXPECT_NE(std::find(plain.begin(), plain.end(), *think), plain.end());
  EXPECT_EQ(f.qwen->decode(plain), "<|im_start|>user\n<think>hi</think>");
  // Longest match: "<|im_start|>" is not cut short by a shorter token, a partial one is text.
  EXPECT_EQ(f.qwen->encode("<|im_start|"), f.qwen->encode("<|im_start|", {.parseSpecial = false}));
}

TEST(Tokenizer, DecodeCanSkipSpecialTokens) {
  REQUIRE_FIXTURES();
  std::vector<TokenId> ids = f.qwen->encode("<|im_start|>assistant\nHi<|im_end|><think>");
  EXPECT_EQ(f.qwen->decode(ids), "<|im_start|>assistant\nHi<|im_end|><think>");
  EXPECT_EQ(f.qwen->decode(ids, {.skipSpecialTokens = true}), "assistant\nHi<think>");
  IncrementalDecoder stream(*f.qwen, {.skipSpecialTokens = true});
  std::string joined;
  for (TokenId id : ids) joined += stream.push(id);
  EXPECT_EQ(joined + stream.finish(), "assistant\nHi<think>");
}

TEST(Tokenizer, DecodeSkipsIdsOutsideTheVocabulary) {
  REQUIRE_FIXTURES();
  // Qwen's embedding has padding rows up to 151935 that no token uses.
  EXPECT_EQ(f.qwen->vocabSize(), 151669u);
  std::vector<TokenId> ids = f.qwen->encode("Hello");
  ids.push_back(151900);
  ids.push_back(-1);
  EXPECT_EQ(f.qwen->decode(ids), "Hello");
  EXPECT_EQ(f.qwen->idToToken(151900), "");
}

TEST(Tokenizer, TokenSpellingsAndBytes) {
  REQUIRE_FIXTURES();
  auto id = f.qwen->tokenToId("\xC4\xA0the");  // "Ġthe"
  ASSERT_TRUE(id);
  EXPECT_EQ(f.qwen->idToToken(*id), "\xC4\xA0the");
  EXPECT_EQ(f.qwen->tokenBytes(*id), " the");
  EXPECT_EQ(f.qwen->encode(" the"), std::vector<TokenId>{*id});
  EXPECT_FALSE(f.qwen->tokenToId("no such token in the vocabulary"));
}

TEST(Tokenizer, InvalidUtf8InputIsReadAsReplacementCharacters) {
  REQUIRE_FIXTURES();
  std::vector<TokenId> ids = f.qwen->encode("a\xFF"
                                            "b\xE2\x82");
  EXPECT_EQ(f.qwen->decode(ids), "a\xEF\xBF\xBD"
                                 "b\xEF\xBF\xBD");
}

TEST(Tokenizer, EmptyTextHasNoIds) {
  REQUIRE_FIXTURES();
  EXPECT_TRUE(f.qwen->encode("").empty());
  EXPECT_TRUE(f.tinyArith->encode("").empty());
  EXPECT_EQ(f.qwen->decode({}), "");
}

TEST(Tokenizer, MegabyteRunsEncodeAndRoundTrip) {
  REQUIRE_FIXTURES();
  // One word of a million letters (BPE's heap path), a million spaces (the split regex's
  // backtracking), and a long mixed line: all finish and round-trip.
  for (std::string text :
       {std::string(1 << 20, 'a'), std::string(1 << 20, ' '), std::string(1 << 18, '\n') + "x"}) {
    std::vector<TokenId> ids = f.qwen->encode(text);
    EXPECT_FALSE(ids.empty());
    EXPECT_LT(ids.size(), text.size() / 2);
    EXPECT_EQ(f.qwen->decode(ids), text);
  }
}

TEST(Tokenizer, LongAndShortWordsMergeAlike) {
  REQUIRE_FIXTURES();
  // 64 symbols is where BPE switches from its flat scan to the heap: the same word just below and
  // just above must split the same way (the longer one has one more repetition).
  std::string unit = "ab";
  std::string below, above;
  for (int i = 0; i < 32; ++i) below += unit;  // 64 bytes
  above = below + unit;                        // 66 bytes
  std::vector<TokenId> b = f.tinyArith->encode(below), a = f.tinyArith->encode(above);
  EXPECT_EQ(f.tinyArith->decode(b), below);
  EXPECT_EQ(f.tinyArith->decode(a), above);
  // The Hugging Face case "abab...ab" (300 chars) runs the heap path and is in the fixtures.
}

TEST(Tokenizer, RandomTextRoundTripsAndReencodesStably) {
  // Random strings of awkward fragments (broken UTF-8, decomposed accents, jamo, partial and
  // whole special tokens, contractions, CRLF): tiny-arith gives the text back exactly (after
  // invalid bytes become U+FFFD), Qwen gives back text that encodes to the same ids again.
  REQUIRE_FIXTURES();
  const char* fragments[] = {"a",
                             "Z",
                             " ",
                             "  ",
                             "\n",
                             "\r\n",
                             "\t",
                             "'s",
                             "'S",
                             "'ll",
                             "123",
                             "\xD9\xA3",
                             "!?",
                             "\xC3\xA9",
                             "e\xCC\x81",
                             "\xCC\xA3",
                             "\xF0\x9F\x98\x80",
                             "\xF0\x9F",
                             "\xFF",
                             "\xE2\x82",
                             "\xE1\x84\x80",
                             "\xE1\x85\xA1",
                             "\xEA\xB0\x80",
                             "\xE3\x80\x80",
                             "\xC5\xBF",
                             "<|im_start|>",
                             "<|im_end",
                             "<think>",
                             "<|end|>",
                             "\xE2\x80\xA8",
                             "\xC2\xA0",
                             "\xEF\xBB\xBF",
                             "\xE2\x84\xA6",
                             "x"};
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (size_t n = rng() % 12; n > 0; --n) text += fragments[rng() % std::size(fragments)];
    std::string repaired = f.tinyArith->decode(f.tinyArith->encode(text));
    EXPECT_TRUE(validUtf8(repaired)) << printable(repaired);
    if (validUtf8(text)) {
      EXPECT_EQ(repaired, text);
    }
    std::vector<TokenId> ids = f.qwen->encode(text);
    std::string back = f.qwen->decode(ids);
    ASSERT_EQ(f.qwen->encode(back), ids) << printable(text);
    IncrementalDecoder stream(*f.qwen);
    std::string joined;
    for (TokenId id : ids) joined += stream.push(id);
    EXPECT_EQ(joined + stream.finish(), back);
  }
}

TEST(Tokenizer, ConcurrentEncodesAgree) {
  REQUIRE_FIXTURES();
  std::vector<Case> cases = readCases(kQwenDir + "/cases.jsonl");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (const Case& c : cases) {
        if (f.qwen->encode(c.text) != c.ids) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
}

// ---- Variants of tiny-arith's tokenizer.json, for the options no fixture uses ----

Json tinyArithJson() { return Json::parse(readFile(kTinyArithDir + "/tokenizer.json")); }

std::unique_ptr<Tokenizer> fromJsonOrFail(const Json& json) {
  std::string error;
  auto t = Tokenizer::fromJson(json.dump(), "variant.json", error);
  EXPECT_TRUE(t) << error;
  return t;
}

TEST(Tokenizer, LegacyMergeStringsEncodeLikePairs) {
  Json json = tinyArithJson();
  for (Json& merge : json["model"]["merges"]) {
    merge = merge[0].get<std::string>() + " " + merge[1].get<std::string>();
  }
  auto legacy = fromJsonOrFail(json);
  ASSERT_TRUE(legacy);
  for (const Case& c : readCases(kTinyArithDir + "/tokenizer_cases.jsonl")) {
    EXPECT_EQ(legacy->encode(c.text), c.ids) << printable(c.text);
  }
}

TEST(Tokenizer, TemplateProcessingAddsBosAndEos) {
  Json json = tinyArithJson();
  json["post_processor"] = Json::parse(R"({
    "type": "Sequence", "processors": [
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
      {"type": "TemplateProcessing",
       "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}},
                  {"Sequence": {"id": "A", "type_id": 0}},
                  {"SpecialToken": {"id": "<|end|>", "type_id": 0}}],
       "pair": [],
       "special_tokens": {
         "<|endoftext|>": {"id": "<|endoftext|>", "ids": [0], "tokens": ["<|endoftext|>"]},
         "<|end|>": {"id": "<|end|>", "ids": [4], "tokens": ["<|end|>"]}}}]})");
  auto t = fromJsonOrFail(json);
  ASSERT_TRUE(t);
  std::vector<TokenId> plain = t->encode("What is 2 + 2?", {.addSpecialTokens = false});
  std::vector<TokenId> wrapped = t->encode("What is 2 + 2?");
  ASSERT_EQ(wrapped.size(), plain.size() + 2);
  EXPECT_EQ(wrapped.front(), 0);
  EXPECT_EQ(wrapped.back(), 4);
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), wrapped.begin() + 1));
  EXPECT_EQ(t->decode(wrapped, {.skipSpecialTokens = true}), "What is 2 + 2?");
}

TEST(Tokenizer, AddedTokenStripFlagsSwallowWhitespace) {
  Json json = tinyArithJson();
  for (Json& token : json["added_tokens"]) {
    if (token["content"] == "<|user|>") token["lstrip"] = token["rstrip"] = true;
  }
  auto t = fromJsonOrFail(json);
  ASSERT_TRUE(t);
  std::vector<TokenId> expected = t->encode("a");
  expected.push_back(2);
  for (TokenId id : t->encode("b")) expected.push_back(id);
  EXPECT_EQ(t->encode("a \t<|user|>\n b"), expected);
}

TEST(Tokenizer, SingleWordAddedTokensNeedWordBoundaries) {
  Json json = tinyArithJson();
  json["added_tokens"].push_back(Json::parse(R"({"id": 1024, "content": "cat",
      "single_word": true, "lstrip": false, "rstrip": false, "normalized": false,
      "special": false})"));
  auto t = fromJsonOrFail(json);
  ASSERT_TRUE(t);
  std::vector<TokenId> alone = t->encode("a cat sat");
  EXPECT_NE(std::find(alone.begin(), alone.end(), 1024), alone.end());
  std::vector<TokenId> inside = t->encode("concatenate");
  EXPECT_EQ(std::find(inside.begin(), inside.end(), 1024), inside.end());
  EXPECT_EQ(t->decode(inside), "concatenate");
}

/// A four-letter byte-level tokenizer whose merge order makes BPE stop short of a vocabulary
/// word: "abc" merges "b c" first and then has no merge for "a bc".
Json abcJson(bool ignoreMerges) {
  Json json = Json::parse(R"({
    "version": "1.0", "normalizer": null, "added_tokens": [],
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
                      "use_regex": true},
    "post_processor": null, "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false,
              "byte_fallback": false,
              "vocab": {"a": 0, "b": 1, "c": 2, "bc": 3, "ab": 4, "abc": 5, "Ġ": 6},
              "merges": [["b", "c"], ["a", "b"], ["ab", "c"]]}})");
  json["model"]["ignore_merges"] = ignoreMerges;
  return json;
}

TEST(Tokenizer, SplitRegexesKeepTheirMeaningWhenSpacesAreSpelledOut) {
  // \s and \p{L} are rewritten into explicit classes (Pattern.cpp); a '-' after them inside a
  // class stays a literal, as PCRE2 and Oniguruma read it.
  Json json = tinyArithJson();
  json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] =
      R"([\s-]+|[\p{L}-]+|[^\s\p{L}-]+)";
  auto t = fromJsonOrFail(json);
  ASSERT_TRUE(t);
  std::string text = "well-known - x-ray 12";
  EXPECT_EQ(t->decode(t->encode(text)), text);
  // "well-known" is one piece, so it encodes as it does alone.
  std::vector<TokenId> word = t->encode("well-known");
  std::vector<TokenId> all = t->encode("well-known -");
  EXPECT_TRUE(std::equal(word.begin(), word.end(), all.begin()));
}

TEST(Tokenizer, MergesApplyLowestRankFirst) {
  auto t = fromJsonOrFail(abcJson(false));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->encode("abc"), (std::vector<TokenId>{0, 3}));
  EXPECT_EQ(t->encode("abab"), (std::vector<TokenId>{4, 4}));
  EXPECT_EQ(t->encode("ab abc"), (std::vector<TokenId>{4, 6, 0, 3}));
  // Bytes without a token and without unk_token are dropped, as tokenizers does: what is left
  // around them merges as if they had never been there.
  EXPECT_EQ(t->encode("axb"), (std::vector<TokenId>{4}));
}

TEST(Tokenizer, IgnoreMergesTakesWholeWordsFromTheVocabulary) {
  auto t = fromJsonOrFail(abcJson(true));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->encode("abc"), (std::vector<TokenId>{5}));
  EXPECT_EQ(t->encode("abcabc"), (std::vector<TokenId>{0, 3, 0, 3}));  // not a word: merged
}

TEST(Tokenizer, ByteLevelAddsPrefixSpaceWhenAsked) {
  Json json = abcJson(false);
  json["pre_tokenizer"]["add_prefix_space"] = true;
  auto t = fromJsonOrFail(json);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->encode("abc"), (std::vector<TokenId>{6, 0, 3}));
  EXPECT_EQ(t->decode(t->encode("abc")), " abc");
}

TEST(Tokenizer, DigitsPreTokenizerSplitsDigits) {
  Json json = abcJson(false);
  json["model"]["vocab"]["1"] = 7;
  json["model"]["vocab"]["11"] = 8;
  json["model"]["merges"].push_back({"1", "1"});
  json["pre_tokenizer"] = Json::parse(R"({"type": "Sequence", "pretokenizers": [
      {"type": "Digits", "individual_digits": true},
      {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}]})");
  auto split = fromJsonOrFail(json);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->encode("1111"), (std::vector<TokenId>{7, 7, 7, 7}));
  json["pre_tokenizer"]["pretokenizers"][0]["individual_digits"] = false;
  auto runs = fromJsonOrFail(json);
  ASSERT_TRUE(runs);
  EXPECT_EQ(runs->encode("1111"), (std::vector<TokenId>{8, 8}));
}

// ---- Errors: each names the file and what is wrong ----

std::string loadError(const std::string& path) {
  std::string error;
  EXPECT_EQ(Tokenizer::load(path, error), nullptr);
  return error;
}

std::string jsonError(const Json& json) {
  std::string error;
  EXPECT_EQ(Tokenizer::fromJson(json.dump(), "bad/tokenizer.json", error), nullptr);
  return error;
}

std::string tempFile(const std::string& name, const std::string& content) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(Tokenizer, MissingFileIsAnError) {
  std::string error = loadError(kRoot + "/no/such/dir/tokenizer.json");
  EXPECT_EQ(error, kRoot + "/no/such/dir/tokenizer.json: cannot open: No such file or directory");
  // A folder without tokenizer.json names the file it looked for.
  std::string folder = std::filesystem::temp_directory_path() / "mx-tokenizer-empty-dir";
  std::filesystem::create_directories(folder);
  EXPECT_EQ(loadError(folder), folder + "/tokenizer.json: cannot open: No such file or directory");
}

TEST(Tokenizer, TruncatedJsonIsAnError) {
  std::string text = readFile(kTinyArithDir + "/tokenizer.json");
  std::string path = tempFile("mx-truncated-tokenizer.json", text.substr(0, text.size() / 2));
  std::string error = loadError(path);
  EXPECT_EQ(error.rfind(path + ": invalid JSON: ", 0), 0u) << error;
  EXPECT_NE(error.find("unexpected end of input"), std::string::npos) << error;
  std::string empty = tempFile("mx-empty-tokenizer.json", "");
  EXPECT_EQ(loadError(empty).rfind(empty + ": invalid JSON: ", 0), 0u);
}

TEST(Tokenizer, UnsupportedModelTypesAreNamed) {
  Json wordPiece = Json::parse(R"({"model": {"type": "WordPiece", "unk_token": "[UNK]",
      "vocab": {"[UNK]": 0}}, "normalizer": null, "pre_tokenizer": null})");
  EXPECT_EQ(jsonError(wordPiece), "bad/tokenizer.json: unsupported model type \"WordPiece\" (mx "
                                  "reads byte-level BPE tokenizers only)");
  Json unigram = Json::parse(R"({"model": {"type": "Unigram", "vocab": [["a", -1.0]]}})");
  EXPECT_NE(jsonError(unigram).find("unsupported model type \"Unigram\""), std::string::npos);
  // Through load(), the message names the file on disk.
  std::string path = tempFile("mx-wordpiece-tokenizer.json", wordPiece.dump());
  EXPECT_EQ(loadError(path).rfind(path + ": unsupported model type \"WordPiece\"", 0), 0u);
}

TEST(Tokenizer, SentencePieceStyleBpeIsAnError) {
  // TinyLlama-like: BPE with a Metaspace pre-tokenizer and byte fallback.
  Json json = tinyArithJson();
  json["pre_tokenizer"] = Json::parse(R"({"type": "Metaspace", "replacement": "▁",
                                           "prepend_scheme": "first", "split": false})");
  EXPECT_EQ(jsonError(json), "bad/tokenizer.json: pre_tokenizer: unsupported pre-tokenizer type "
                             "\"Metaspace\" (supported: Split, Digits, ByteLevel, Sequence)");
  json["pre_tokenizer"] = nullptr;
  EXPECT_NE(jsonError(json).find("without a final ByteLevel pre-tokenizer"), std::string::npos);
  json = tinyArithJson();
  json["model"]["byte_fallback"] = true;
  EXPECT_NE(jsonError(json).find("model.byte_fallback"), std::string::npos);
}

TEST(Tokenizer, OtherUnsupportedComponentsAreNamed) {
  Json json = tinyArithJson();
  json["normalizer"] = Json::parse(R"({"type": "NFKC"})");
  EXPECT_EQ(jsonError(json), "bad/tokenizer.json: normalizer: unsupported normalizer type "
                             "\"NFKC\" (supported: NFC, Sequence)");
  json = tinyArithJson();
  json["decoder"] = Json::parse(R"({"type": "WordPiece", "prefix": "##"})");
  EXPECT_NE(jsonError(json).find("decoder: unsupported decoder type \"WordPiece\""),
            std::string::npos);
  json = tinyArithJson();
  json["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "MergedWithNext";
  EXPECT_NE(jsonError(json).find("pre_tokenizer.pretokenizers[0].behavior: \"MergedWithNext\""),
            std::string::npos);
  json = tinyArithJson();
  json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(unclosed";
  EXPECT_NE(jsonError(json).find("pre_tokenizer.pretokenizers[0].pattern: bad regex: missing "
                                 "closing parenthesis"),
            std::string::npos);
}

TEST(Tokenizer, MalformedFieldsAreNamedByPath) {
  Json json = tinyArithJson();
  json["model"]["merges"][3] = Json::array({"Ġ", "no-such-token"});
  EXPECT_EQ(jsonError(json),
            "bad/tokenizer.json: model.merges[3]: \"no-such-token\" is not in the vocabulary");
  json = tinyArithJson();
  json["model"]["merges"][0] = 17;
  EXPECT_NE(jsonError(json).find("model.merges[0]: expected"), std::string::npos);
  json = tinyArithJson();
  json["model"]["vocab"]["x"] = "seven";
  EXPECT_NE(jsonError(json).find("model.vocab[\"x\"]: expected a token id"), std::string::npos);
  json = tinyArithJson();
  json["added_tokens"][0].erase("content");
  EXPECT_EQ(jsonError(json), "bad/tokenizer.json: added_tokens[0]: missing \"content\"");
  EXPECT_EQ(jsonError(Json::array()),
            "bad/tokenizer.json: expected a JSON object at the top level");
}

}  // namespace
}  // namespace mx::engine
