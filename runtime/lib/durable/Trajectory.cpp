// Trajectory.cpp — building TrajectoryStep messages into per-thread blocks.
//
// Most steps (goto, done: no calls, no error) have the same shape, so they are written from a
// template: a TrajectoryRecord message built once with Cap'n Proto, copied, and its scalar
// fields stored at the offsets the schema gives. Same bytes as the builder writes, at a small
// fraction of the cost (StepTemplate); other steps go through the builder.
#include "Trajectory.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/schema.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

#include "Codec.h"
#include "PerThread.h"
#include "mx/Assert.h"
#include "mx/stdlib/Builtins.h"

namespace mx::rt::durable {

struct alignas(64) TrajectoryLog::ThreadBuffer {
  SpinLock mu;  // the owning thread appends; the commit thread flushes
  BlockBuffer block;
  uint64_t steps = 0;
};

struct TrajectoryLog::Buffers {
  PerThread<ThreadBuffer> perThread;
};

/// A step record with no calls and no error, as flat message bytes, and where its fields are.
struct TrajectoryLog::StepTemplate {
  std::vector<char> bytes;  // segment table + the one segment
  size_t data = 0;          // offset of TrajectoryStep's data section in `bytes`
  size_t rowId, trial, step, agent, resume, effect, gotoAgent, emits, randomBefore, randomAfter,
      startNs,
      durationNs;  // byte offsets in the data section
  size_t restoredByte;
  uint8_t restoredMask;

  StepTemplate() {
    capnp::MallocMessageBuilder message;
    auto s = message.initRoot<wire::TrajectoryRecord>().initStep();
    auto segments = message.getSegmentsForOutput();
    MX_ASSERT(segments.size() == 1, "a trajectory step template fits one segment");
    auto segment = segments[0];
    bytes.assign(8 + segment.size() * 8, 0);
    uint32_t words = static_cast<uint32_t>(segment.size());
    std::memcpy(bytes.data() + 4, &words, 4);  // segment count - 1 = 0, then its size
    std::memcpy(bytes.data() + 8, segment.begin(), segment.size() * 8);
    auto dataSection = capnp::AnyStruct::Builder(kj::mv(s)).getDataSection();
    data = 8 + static_cast<size_t>(dataSection.begin() -
                                   reinterpret_cast<const capnp::byte*>(segment.begin()));
    auto schema = capnp::Schema::from<wire::TrajectoryStep>();
    auto at = [&](const char* name, size_t width) {
      size_t offset = schema.getFieldByName(name).getProto().getSlot().getOffset() * width;
      MX_ASSERT(offset + width <= dataSection.size(), "a template field inside its data section");
      return offset;
    };
    rowId = at("rowId", 8);
    trial = at("trial", 4);
    step = at("step", 8);
    agent = at("agent", 4);
    resume = at("resume", 4);
    effect = at("effect", 2);
    gotoAgent = at("gotoAgent", 4);
    emits = at("emits", 4);
    randomBefore = at("randomDrawsBefore", 8);
    randomAfter = at("randomDrawsAfter", 8);
    startNs = at("startNs", 8);
    durationNs = at("durationNs", 8);
    uint32_t bit = schema.getFieldByName("restored").getProto().getSlot().getOffset();
    restoredByte = bit / 8;
    restoredMask = static_cast<uint8_t>(1u << (bit % 8));
  }

  /// Fills a copy at `out` (bytes.size() bytes).
  void write(char* out, const StepRecord& r) const {
    std::memcpy(out, bytes.data(), bytes.size());
    char* d = out + data;
    auto put = [d](size_t offset, auto value) { std::memcpy(d + offset, &value, sizeof value); };
    put(rowId, r.task->rowId);
    put(trial, r.task->trial);
    put(step, r.step);
    put(agent, r.agent);
    put(resume, r.resumeFrom);
    put(effect, static_cast<uint16_t>(r.effect));
    put(gotoAgent, r.gotoAgent);
    put(emits, r.emits);
    put(randomBefore, r.randomBefore);
    put(randomAfter, r.randomAfter);
    put(startNs, r.startNs);
    put(durationNs, r.durationNs);
    if (r.restored) d[restoredByte] = static_cast<char>(d[restoredByte] | restoredMask);
  }
};

namespace {

int64_t steadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

#if defined(__x86_64__)
/// True when the CPU's time-stamp counter ticks at a constant rate in every power state.
bool invariantTsc() {
  unsigned a, b, c, d;
  if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007) return false;
  __get_cpuid(0x80000007, &a, &b, &c, &d);
  return (d >> 8) & 1;
}
#endif

/// First-segment space for one builder-made step message, reused: most fit in it, so building a
/// record allocates nothing. MallocMessageBuilder zeroes what it used when it is destroyed.
constexpr size_t kScratchWords = 512;

}  // namespace

TrajectoryLog::TrajectoryLog(const ShapeIndex& shapes, size_t flushBytes)
    : shapes_(shapes), flushBytes_(flushBytes), buffers_(std::make_unique<Buffers>()),
      template_(std::make_unique<StepTemplate>()), epochNs_(steadyNs()) {
#if defined(__x86_64__)
  // Two clock reads per step are a real cost on virtual machines (clock_gettime can take
  // 50-100 ns there); the invariant TSC, calibrated against the steady clock for 2 ms, costs a
  // few ns and is accurate to well under 0.1%.
  if (invariantTsc()) {
    int64_t ns0 = steadyNs();
    uint64_t tick0 = __rdtsc();
    int64_t ns1 = ns0;
    while (ns1 - ns0 < 2'000'000) ns1 = steadyNs();
    uint64_t tick1 = __rdtsc();
    if (tick1 > tick0) {
      tscBase_ = tick0;
      nsPerTick_ = double(ns1 - ns0) / double(tick1 - tick0);
      epochNs_ = ns0;
    }
  }
#endif
}

TrajectoryLog::~TrajectoryLog() = default;

uint64_t TrajectoryLog::now() const {
#if defined(__x86_64__)
  if (nsPerTick_ > 0) return static_cast<uint64_t>(double(__rdtsc() - tscBase_) * nsPerTick_);
#endif
  return static_cast<uint64_t>(steadyNs() - epochNs_);
}

bool TrajectoryLog::open(const std::string& path, uint64_t keepBytes, const RunIdentity& identity,
                         uint32_t resumes,
                         const std::vector<std::pair<uint32_t, std::string>>& sinks,
                         std::string& error) {
  if (!file_.open(path, keepBytes, error)) return false;
  capnp::MallocMessageBuilder message;
  encodeHeader(message.initRoot<wire::TrajectoryRecord>().initHeader(), identity, resumes, sinks);
  BlockBuffer block;
  block.add(message);
  if (!file_.write(block)) {
    error = file_.error();
    return false;
  }
  return true;
}

TrajectoryLog::ThreadBuffer& TrajectoryLog::local() { return buffers_->perThread.local(); }

void TrajectoryLog::add(const StepRecord& r) {
  ThreadBuffer& buffer = local();
  const TaskState& t = *r.task;
  if (r.effect != StepRecord::Await && r.error.empty()) {
    std::lock_guard lock(buffer.mu);
    if (buffer.steps == 0) buffer.block.reserve(flushBytes_ + (size_t(64) << 10));  // once
    template_->write(buffer.block.append(template_->bytes.size()), r);
    ++buffer.steps;
    if (buffer.block.bytes() >= flushBytes_) writeBlock(buffer.block);  // keeps its capacity
    return;
  }
  thread_local std::array<capnp::word, kScratchWords> scratch{};
  capnp::MallocMessageBuilder message(kj::arrayPtr(scratch.data(), scratch.size()));
  auto s = message.initRoot<wire::TrajectoryRecord>().initStep();
  s.setRowId(t.rowId);
  s.setTrial(t.trial);
  s.setStep(r.step);
  s.setAgent(r.agent);
  s.setResume(r.resumeFrom);
  s.setEffect(static_cast<wire::TrajectoryStep::Effect>(r.effect));
  s.setGotoAgent(r.gotoAgent);
  s.setEmits(r.emits);
  s.setRandomDrawsBefore(r.randomBefore);
  s.setRandomDrawsAfter(r.randomAfter);
  s.setStartNs(r.startNs);
  s.setDurationNs(r.durationNs);
  s.setRestored(r.restored);
  if (!r.error.empty()) s.setError(capnp::Text::Reader(r.error.data(), r.error.size()));
  if (r.effect == StepRecord::Await) {
    auto calls = s.initCalls(static_cast<unsigned>(t.calls.size()));
    auto specs = stdlib::builtinSpecs();
    const AwaitTrace* trace = t.trace.get();
    for (size_t i = 0; i < t.calls.size(); ++i) {
      const PendingCall& c = t.calls[i];
      auto b = calls[static_cast<unsigned>(i)];
      if (c.builtin < specs.size()) {
        std::string_view name = specs[c.builtin].name;
        auto text = b.initMethod(static_cast<unsigned>(name.size()));
        std::copy(name.begin(), name.end(), text.begin());
      }
      b.setResource(c.resource);
      b.setSlot(c.slot);
      b.setAttempt(t.attempts);
      auto args = b.initArgs(static_cast<unsigned>(c.args.size()));
      for (size_t k = 0; k < c.args.size(); ++k)
        encodeValue(args[static_cast<unsigned>(k)], c.args[k].raw(), shapes_);
      if (c.slot < t.results.size()) encodeValue(b.initResult(), t.results[c.slot].raw(), shapes_);
      if (trace && i < trace->calls.size()) {
        const CallTrace& ct = trace->calls[i];
        b.setSeed(ct.seed);
        b.setLatencyNs(ct.latencyNs);
        b.setTokensIn(ct.tokensIn);
        b.setTokensOut(ct.tokensOut);
        if (!ct.error.empty()) b.setError(ct.error);
      }
    }
  }
  std::lock_guard lock(buffer.mu);
  buffer.block.add(message);
  ++buffer.steps;
  if (buffer.block.bytes() >= flushBytes_) writeBlock(buffer.block);
}

void TrajectoryLog::writeBlock(BlockBuffer& block) {
  std::lock_guard lock(fileMu_);
  file_.write(block);
}

uint64_t TrajectoryLog::flush() {
  buffers_->perThread.forEach([&](ThreadBuffer& buffer) {
    std::lock_guard lock(buffer.mu);
    writeBlock(buffer.block);
  });
  std::lock_guard lock(fileMu_);
  return file_.size();
}

bool TrajectoryLog::sync() {
  flush();
  std::lock_guard lock(fileMu_);
  return file_.sync();
}

std::string TrajectoryLog::error() {
  std::lock_guard lock(fileMu_);
  return file_.error();
}

uint64_t TrajectoryLog::steps() {
  uint64_t n = 0;
  buffers_->perThread.forEach([&](ThreadBuffer& buffer) {
    std::lock_guard lock(buffer.mu);
    n += buffer.steps;
  });
  return n;
}

}  // namespace mx::rt::durable
