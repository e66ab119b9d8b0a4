// Random.cpp — rand, rand_int, choice and shuffle, reproducible per task.
//
// Each call draws from its own stream, seeded by hashing (run seed, row id, trial, call index)
// where the call index is ctx->randomDraws, which the task carries with it and which each call
// advances by one. So a task replays the same numbers after a resume, on any worker, and a
// fork that changes an earlier call does not shift the seeds of independent rows. Within a call
// the stream is SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and well mixed, which is all a
// sampling helper needs (not cryptographic).
#include <string>
#include <utility>
#include <vector>

#include "Impls.h"
#include "mx/rt/Context.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;

/// SplitMix64's output function: a bijective 64-bit mixer.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Stream {
 public:
  explicit Stream(MxCtx& ctx) {
    uint64_t h = mix(ctx.runSeed + kGolden);
    h = mix(h ^ (ctx.rowId + kGolden));
    h = mix(h ^ (uint64_t(ctx.trial) + kGolden));
    state_ = mix(h ^ (ctx.randomDraws++ + kGolden));
  }
  uint64_t next() { return mix(state_ += kGolden); }
  /// Uniform in [0, span) for span > 0, or over all 64-bit values for span == 0; unbiased
  /// (Lemire's multiply-and-reject).
  uint64_t below(uint64_t span) {
    if (span == 0) return next();
    unsigned __int128 m = (unsigned __int128)next() * span;
    if (uint64_t(m) < span) {
      uint64_t threshold = -span % span;
      while (uint64_t(m) < threshold) m = (unsigned __int128)next() * span;
    }
    return uint64_t(m >> 64);
  }

 private:
  static constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;
  uint64_t state_;
};

}  // namespace

int32_t randFloat(BuiltinCall& call) {
  Stream s(*call.ctx);
  call.result = Value::number(double(s.next() >> 11) * 0x1p-53);  // 53 random bits → [0, 1)
  return 0;
}

int32_t randInt(BuiltinCall& call) {
  int64_t lo = call.integer(0), hi = call.integer(1);
  if (lo > hi) {
    return call.fail("rand_int: lo " + std::to_string(lo) + " is greater than hi " +
                     std::to_string(hi));
  }
  Stream s(*call.ctx);
  uint64_t span = uint64_t(hi) - uint64_t(lo) + 1;  // 0 when the range covers every int64
  call.result = Value::integer(int64_t(uint64_t(lo) + s.below(span)));
  return 0;
}

int32_t choice(BuiltinCall& call) {
  const auto& xs = rt::listObj(call.arg(0))->items;
  if (xs.empty()) return call.fail("choice of an empty list");
  Stream s(*call.ctx);
  call.result = Value::copyOf(xs[s.below(xs.size())]);
  return 0;
}

int32_t shuffle(BuiltinCall& call) {
  std::vector<MxValue> out = rt::listObj(call.arg(0))->items;
  for (const MxValue& v : out) rt::retain(v);
  Stream s(*call.ctx);
  for (size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[s.below(i)]);  // Fisher-Yates
  call.result = Value::adopt(rt::newList(std::move(out)));
  return 0;
}

}  // namespace mx::stdlib::impl
