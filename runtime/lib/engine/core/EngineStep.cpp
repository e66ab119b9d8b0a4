// EngineStep.cpp — one engine step: plan the batch, copy-on-write, one forward over every
// scheduled sequence (prefill chunks and decodes together), then sample (in the backend when it
// can and every request allows, else on the host), apply stops, fork n samples after the
// prompt's prefill, and complete finished requests.
#include <algorithm>
#include <exception>

#include "EngineImpl.h"
#include "Rng.h"
#include "Stops.h"
#include "mx/Assert.h"

namespace mx::engine {

void Engine::Impl::step() {
  core::StepPlan plan = scheduler->plan();
  preemptions += plan.preempted;
  for (core::Sequence* seq : plan.cacheFull) {
    // Only a sample can outgrow the cache: every accepted prompt fits it (RequestCheck).
    MX_ASSERT(seq->group->forked, "a prompt in prefill cannot outgrow the cache");
    core::finishSequence(*seq, "length");
    retireSample(*seq);
  }
  if (plan.slices.empty()) return;

  slices.clear();
  for (const core::ScheduledSlice& s : plan.slices) {
    const core::Sequence& seq = *s.seq;
    slices.push_back(
        {.tokens = std::span(seq.tokens).subspan(size_t(seq.numComputed), size_t(s.count)),
         .startPos = seq.numComputed,
         .blocks = seq.blocks,
         .allLogits = false});
  }
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
    if (seq.numComputed + s.count < int32_t(seq.tokens.size())) {
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
