// EngineStep.cpp — one engine step: plan the batch, copy-on-write, one forward over every
// scheduled sequence (prefill chunks and decodes together), then sample (in the backend when it
// can and every request allows, else on the host), apply stops, fork n samples after the
// prompt's prefill, and complete finished requests.
//
// With a backend that overlaps steps (Backend::overlapsSteps), a step whose tokens the backend
// draws is launched and left running: the next call plans and launches the step after it — its
// decodes feed tokens the device has not handed back yet (Sequence::pendingRow) — and only then
// takes the earlier step's tokens, applies their stops and completes requests. So the host's
// work of a step runs while the device computes the next. The price: a sample that stops on a
// token (EOS, a stop string) has one more row computed and thrown away; one that reaches a
// length limit is known in advance and is not scheduled again.
#include <algorithm>
#include <exception>

#include "EngineImpl.h"
#include "Rng.h"
#include "Stops.h"
#include "mx/Assert.h"

namespace mx::engine {

void Engine::Impl::step() {
  stepFailed = false;  // failAll() sets it: the plan's sequences are gone then
  // Planning ahead of the device needs only what the host knows, except a penalised row's newest
  // token (its spec carries the context): wait for the step in flight first.
  if (launched.active && !canPlanAhead()) collectLaunched(nullptr, nullptr);
  if (stepFailed) return;
  core::StepPlan plan = scheduler->plan();
  preemptions += plan.preempted;
  if (!plan.cacheFull.empty() && launched.active) {
    collectLaunched(&plan, nullptr);
    if (stepFailed) return;
    std::erase_if(plan.slices, [](const core::ScheduledSlice& s) { return s.seq == nullptr; });
  }
  for (core::Sequence* seq : plan.cacheFull) {
    if (!seq) continue;  // its pending token finished it
    // Only a sample can outgrow the cache: every accepted prompt fits it (RequestCheck).
    MX_ASSERT(seq->group->forked, "a prompt in prefill cannot outgrow the cache");
    core::finishSequence(*seq, "length");
    retireSample(*seq);
  }
  if (plan.slices.empty()) {
    if (launched.active) collectLaunched(nullptr, nullptr);
    return;
  }
  if (overlapSteps && backendSampling && planBackendSampling(plan) && launchAhead(plan)) return;
  if (stepFailed) return;
  if (launched.active) {
    // This step needs the host (logprobs, n samples forking, a backend declining the specs):
    // take the step in flight's tokens first, and drop what they finished.
    collectLaunched(&plan, nullptr);
    if (stepFailed) return;
    std::erase_if(plan.slices, [](const core::ScheduledSlice& s) { return s.seq == nullptr; });
    if (plan.slices.empty()) return;
  }
  buildSlices(plan);
  bool sampledByBackend = false;
  try {
    for (auto [from, to] : plan.copies) backend->copyBlock(from, to);
    blockCopies += int64_t(plan.copies.size());
    sampledByBackend = backendSampling && planBackendSampling(plan) &&
                       backend->forwardSample(slices, sampleSpecs, sampledTokens);
    if (!sampledByBackend) backend->forward(slices, logits);
  } catch (const std::exception& e) {
    // What the cache holds is in doubt now: fail what the engine holds rather than guess.
    failAll(std::string("backend ") + backend->name() + ": " + e.what());
    return;
  }
  ++steps;
  scheduler->commit(plan);

  if (sampledByBackend) {
    MX_ASSERT(sampledTokens.size() == plan.slices.size(), "the backend returns one token a slice");
    for (size_t j = 0; j < plan.slices.size(); ++j) {
      core::Sequence& seq = *plan.slices[j].seq;
      if (seq.remaining() > 0) continue;  // a prefill chunk short of the end: its token is unused
      // A prompt that just finished prefill forks here; planBackendSampling let only n == 1
      // through, so the fork adds no sample and this sequence is the only one to draw.
      if (!seq.group->forked) forkSamples(*seq.group);
      takeToken(seq, sampledTokens[j]);
    }
    return;
  }

  const size_t vocab = size_t(backend->config().vocabSize);
  MX_ASSERT(logits.size() == plan.slices.size() * vocab, "the backend returns one row a slice");
  for (size_t j = 0; j < plan.slices.size(); ++j) {
    core::Sequence& seq = *plan.slices[j].seq;
    if (seq.remaining() > 0) continue;  // a prefill chunk short of the end: its logits go unused
    sampleNext(seq, std::span<const float>(logits).subspan(j * vocab, vocab));
  }
}

void Engine::Impl::buildSlices(const core::StepPlan& plan) {
  slices.clear();
  for (const core::ScheduledSlice& s : plan.slices) {
    const core::Sequence& seq = *s.seq;
    SeqSlice slice{.tokens = {}, .startPos = seq.numComputed, .blocks = seq.blocks, .allLogits = false};
    if (seq.pending()) {
      // Its one token to feed is the one the step in flight draws: the device fills it in.
      MX_ASSERT(s.count == 1 && seq.numComputed == int32_t(seq.tokens.size()), "a pending token is fed alone");
      slice.tokens = std::span<const int32_t>(&kPlaceholderToken, 1);
      slice.previousRow = seq.pendingRow;
    } else {
      slice.tokens = std::span(seq.tokens).subspan(size_t(seq.numComputed), size_t(s.count));
    }
    slices.push_back(slice);
  }
}

bool Engine::Impl::canPlanAhead() const {
  for (const auto& [seq, row] : launched.draws)
    if (seq->group->request.params.repetitionPenalty != 1.0f) return false;
  return true;
}

bool Engine::Impl::launchAhead(core::StepPlan& plan) {
  buildSlices(plan);
  bool started = false;
  try {
    for (auto [from, to] : plan.copies) backend->copyBlock(from, to);
    blockCopies += int64_t(plan.copies.size());
    started = backend->launchSample(slices, sampleSpecs);
  } catch (const std::exception& e) {
    failAll(std::string("backend ") + backend->name() + ": " + e.what());
    return false;
  }
  if (!started) {
    plan.copies.clear();  // done: the host path must not copy them again
    return false;
  }
  ++uncollected;
  ++steps;
  // The rows that draw a token: slices that reach their sequence's end.
  std::vector<std::pair<core::Sequence*, int32_t>> draws;
  for (size_t j = 0; j < plan.slices.size(); ++j) {
    const core::ScheduledSlice& s = plan.slices[j];
    if (s.seq->numComputed + s.count == s.seq->length()) draws.emplace_back(s.seq, int32_t(j));
  }
  // The device now runs this step; meanwhile the host takes the previous step's tokens.
  if (launched.active) {
    ++stepsAhead;
    collectLaunched(&plan, &draws);
    if (stepFailed) return true;
  }
  for (auto [seq, row] : draws) seq->pendingRow = row;
  scheduler->commit(plan);
  launched.draws = std::move(draws);
  launched.active = true;
  return true;
}

void Engine::Impl::collectLaunched(core::StepPlan* next,
                                   std::vector<std::pair<core::Sequence*, int32_t>>* nextDraws) {
  try {
    --uncollected;
    backend->collectSample(sampledTokens);
  } catch (const std::exception& e) {
    failAll(std::string("backend ") + backend->name() + ": " + e.what());
    return;
  }
  auto draws = std::move(launched.draws);
  launched = {};
  std::vector<core::Sequence*> finished;
  for (auto [seq, row] : draws) {
    MX_ASSERT(size_t(row) < sampledTokens.size(), "the backend returns one token a slice");
    seq->pendingRow = -1;
    if (!seq->group->forked) forkSamples(*seq->group);  // n == 1: no sample to add
    core::appendToken(*seq, sampledTokens[size_t(row)], seq->group->stops);
    if (seq->finished()) finished.push_back(seq);
  }
  if (finished.empty()) return;
  // A sequence that just finished may already be in the next step (it could not be known): its
  // row there is wasted, and the host forgets it before the sequence is gone. (Only these can be
  // finished there: the others were retired before the next step was planned.)
  auto done = [](const core::Sequence* seq) { return seq && seq->finished(); };
  if (next) {
    for (core::ScheduledSlice& s : next->slices)
      if (done(s.seq)) s.seq = nullptr;
    for (core::Sequence*& seq : next->cacheFull)
      if (done(seq)) seq = nullptr;
  }
  if (nextDraws) std::erase_if(*nextDraws, [&](const auto& draw) { return done(draw.first); });
  for (core::Sequence* seq : finished) retireSample(*seq);
}

void Engine::Impl::sampleNext(core::Sequence& seq, std::span<const float> row) {
  core::RequestGroup& group = *seq.group;
  if (group.forked) {
    draw(seq, row);
    return;
  }
  // The prompt's prefill just finished: the n samples start here from the same logits.
  forkSamples(group);
  std::vector<core::Sequence*> samples;
  for (auto& sample : group.samples) samples.push_back(sample.get());
  for (core::Sequence* sample : samples) draw(*sample, row);
}

void Engine::Impl::forkSamples(core::RequestGroup& group) {
  group.forked = true;
  const core::Sequence& parent = *group.samples.front();
  for (int32_t k = 1; k < group.request.params.n; ++k) {
    auto child = std::make_unique<core::Sequence>(group, k, tokenizer);
    child->tokens = parent.tokens;
    child->promptLen = parent.promptLen;
    child->numComputed = parent.numComputed;
    child->blocks = parent.blocks;
    child->blockHashes = parent.blockHashes;
    for (int32_t block : child->blocks) blocks->retain(block);
    scheduler->addRunning(child.get());
    group.samples.push_back(std::move(child));
  }
}

void Engine::Impl::draw(core::Sequence& seq, std::span<const float> row) {
  const SamplingParams& params = seq.group->request.params;
  double uniform =
      core::uniformDraw(params.seed, uint32_t(seq.sampleIndex), uint32_t(seq.generated()));
  int32_t token = sampler.sample(row, params, seq.tokens, uniform);
  if (params.logprobs >= 0) seq.logprobs.push_back(sampler.logprobs(row, token, params.logprobs));
  takeToken(seq, token);
}

void Engine::Impl::takeToken(core::Sequence& seq, int32_t token) {
  core::appendToken(seq, token, seq.group->stops);
  if (seq.finished()) retireSample(seq);
}

bool Engine::Impl::planBackendSampling(const core::StepPlan& plan) {
  const int32_t vocab = backend->config().vocabSize;
  sampleSpecs.clear();
  for (const core::ScheduledSlice& s : plan.slices) {
    const core::Sequence& seq = *s.seq;
    // A prefill chunk short of the prompt's end samples nothing: any spec will do.
    if (seq.numComputed + s.count < seq.length()) {
      sampleSpecs.push_back({});
      continue;
    }
    const SamplingParams& p = seq.group->request.params;
    // What only the host sampler does: logprobs; n samples forking off one prefill need n draws
    // from one row.
    if (p.logprobs >= 0) return false;
    if (!seq.group->forked && p.n != 1) return false;
    // The same draw as draw() would make: the RNG is keyed by sample and token index only.
    // Greedy ignores the truncation filters (the argmax survives every one of them).
    SampleSpec spec{.temperature = p.temperature,
                    .uniform = core::uniformDraw(p.seed, uint32_t(seq.sampleIndex), uint32_t(seq.generated())),
                    .repetitionPenalty = p.repetitionPenalty,
                    .context = seq.tokens};
    if (p.temperature > 0.0f) {
      spec.topK = p.topK >= vocab ? 0 : std::max(p.topK, 0);
      spec.topP = p.topP;
      spec.minP = std::max(p.minP, 0.0f);
    }
    sampleSpecs.push_back(spec);
  }
  return true;
}

void Engine::Impl::retireSample(core::Sequence& seq) {
  scheduler->retire(&seq);
  core::RequestGroup& group = *seq.group;
  if (++group.finishedSamples == group.request.params.n) complete(group);
}

void Engine::Impl::complete(core::RequestGroup& group) {
  Completion done;
  done.promptTokens = int64_t(group.request.promptIds.size());
  done.cachedPromptTokens = group.cachedPromptTokens;
  for (auto& seq : group.samples) {
    Sample sample;
    sample.ids.assign(seq->tokens.begin() + seq->promptLen, seq->tokens.end());
    sample.text = std::move(seq->text);
    sample.finishReason = std::move(seq->finishReason);
    sample.logprobs = std::move(seq->logprobs);
    done.completionTokens += int64_t(sample.ids.size());
    done.samples.push_back(std::move(sample));
  }
  auto callback = std::move(group.done);
  groups.erase(group.arrival);  // `group` is gone from here on
  deliver(callback, std::move(done));
}

}  // namespace mx::engine
