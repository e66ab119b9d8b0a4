// EngineStopsTest.cpp — how samples end and what they report: stop strings matched across token
// (and UTF-8 character) boundaries, stop tokens, max tokens, the model's context, and logprobs.
// The FakeBackend's script makes the "model" say a chosen text.
#include <gtest/gtest.h>

#include <cmath>

#include "EngineTestSupport.h"

namespace mx::engine::testing {
namespace {

constexpr int32_t kPromptLen = 6;

/// A fake model that says `ids` after any prompt of kPromptLen tokens (then has no preference).
FakeBackend::Script saying(std::vector<int32_t> ids) {
  return [ids = std::move(ids)](std::span<const int32_t> context) {
    size_t said = context.size() - kPromptLen;
    return said < ids.size() ? ids[said] : -1;
  };
}

Request greedy(int32_t maxTokens = 64) {
  return makeRequest(makePrompt(kPromptLen, 42), maxTokens, 0.0f, 0);
}

int32_t idOf(std::string_view token) {
  std::optional<TokenId> id = tinyTokenizer().tokenToId(token);
  if (!id) throw std::runtime_error("no token " + std::string(token));
  return *id;
}

TEST(EngineStops, StopStringSpanningTokensCutsTheTextBeforeIt) {
  const std::string said = "The answer is 42. Done";
  const std::string stop = "swer is 4";
  std::vector<int32_t> ids = tinyTokenizer().encode(said, {.addSpecialTokens = false});
  // Which token the stop string starts in and which completes it: they must differ.
  const size_t stopAt = said.find(stop);
  size_t starting = SIZE_MAX, completing = SIZE_MAX;
  std::string text;
  for (size_t i = 0; i < ids.size() && completing == SIZE_MAX; ++i) {
    text += tinyTokenizer().decode(std::span(&ids[i], 1));
    if (starting == SIZE_MAX && text.size() > stopAt) starting = i;
    if (text.size() >= stopAt + stop.size()) completing = i;
  }
  ASSERT_LT(starting, completing) << "the stop string lies inside one token; pick another";

  FakeEngine e({}, fakeConfig(), saying(ids));
  Request r = greedy();
  r.params.stop = {"never", stop};
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].text, "The an");
  EXPECT_EQ(c.samples[0].finishReason, "stop");
  EXPECT_EQ(c.samples[0].ids, std::vector<int32_t>(ids.begin(), ids.begin() + completing + 1));
}

TEST(EngineStops, StopStringMatchesACharacterSplitAcrossTokens) {
  // "é" is the bytes C3 A9: as the byte-level tokens "Ã" and "©" the character only exists once
  // both arrived, and the stop string "é au" must still be found.
  std::vector<int32_t> ids = tinyTokenizer().encode("caf", {.addSpecialTokens = false});
  ids.push_back(idOf("Ã"));
  ids.push_back(idOf("©"));
  for (int32_t id : tinyTokenizer().encode(" au lait", {.addSpecialTokens = false})) {
    ids.push_back(id);
  }
  FakeEngine e({}, fakeConfig(), saying(ids));
  Request r = greedy();
  r.params.stop = {"é au"};
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].text, "caf");
  EXPECT_EQ(c.samples[0].finishReason, "stop");
}

TEST(EngineStops, EosIsKeptInTheIdsAndLeftOutOfTheText) {
  std::vector<int32_t> ids = tinyTokenizer().encode("12", {.addSpecialTokens = false});
  ids.push_back(4);  // <|end|>, the config's EOS
  FakeEngine e({}, fakeConfig(), saying(ids));
  Completion c = submit(*e.engine, greedy()).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].ids, ids);
  EXPECT_EQ(c.samples[0].text, "12");
  EXPECT_EQ(c.samples[0].finishReason, "stop");
}

TEST(EngineStops, RequestStopTokenIdsStopLikeEos) {
  std::vector<int32_t> ids = tinyTokenizer().encode("3+4=7", {.addSpecialTokens = false});
  FakeEngine e({}, fakeConfig(), saying(ids));
  Request r = greedy();
  r.params.stopTokenIds = {idOf("=")};
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].text, "3+4");
  EXPECT_EQ(c.samples[0].ids.back(), idOf("="));
  EXPECT_EQ(c.samples[0].finishReason, "stop");
}

TEST(EngineStops, IgnoreEosRunsToMaxTokensAndSkipsSpecialTokensInText) {
  std::vector<int32_t> ids = {idOf("a"), 4, idOf("b")};
  FakeEngine e({}, fakeConfig(), saying(ids));
  Request r = greedy(3);
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].ids, ids);
  EXPECT_EQ(c.samples[0].text, "ab");
  EXPECT_EQ(c.samples[0].finishReason, "length");
}

TEST(EngineStops, MaxTokensEndsWithLength) {
  FakeEngine e;
  Request r = greedy(7);
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].ids.size(), 7u);
  EXPECT_EQ(c.samples[0].finishReason, "length");
  EXPECT_EQ(c.completionTokens, 7);
}

TEST(EngineStops, TheModelsContextEndsWithLength) {
  FakeEngine e({}, fakeConfig(32));
  Request r = makeRequest(makePrompt(30, 1), 100, 0.0f, 0);
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].ids.size(), 2u);
  EXPECT_EQ(c.samples[0].finishReason, "length");
}

TEST(EngineStops, LogprobsAreThoseOfTheRawModelDistribution) {
  FakeEngine e;
  FakeBackend reference(fakeConfig());
  Request r = makeRequest(makePrompt(9, 4), 6, 0.5f, 11);
  r.params.topK = 4;
  r.params.logprobs = 3;
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  const Sample& s = c.samples[0];
  ASSERT_EQ(s.logprobs.size(), s.ids.size());
  std::vector<int32_t> context = r.promptIds;
  std::vector<float> logits(1024);
  for (size_t i = 0; i < s.ids.size(); ++i) {
    reference.logitsFor(context, logits.data());
    double total = 0;
    for (float l : logits) total += std::exp(double(l));
    const TokenLogprob& lp = s.logprobs[i];
    EXPECT_EQ(lp.id, s.ids[i]);
    // Temperature 0.5 and top-k 4 shape the draw, not the reported logprob.
    EXPECT_NEAR(lp.logprob, logits[size_t(s.ids[i])] - std::log(total), 1e-4);
    ASSERT_EQ(lp.top.size(), 3u);
    int32_t best = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
    EXPECT_EQ(lp.top[0].first, best);
    EXPECT_GE(lp.top[0].second, lp.top[1].second);
    EXPECT_GE(lp.top[1].second, lp.top[2].second);
    context.push_back(s.ids[i]);
  }
}

}  // namespace
}  // namespace mx::engine::testing
