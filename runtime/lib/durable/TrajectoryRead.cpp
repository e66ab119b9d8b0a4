// TrajectoryRead.cpp — decodes RUNDIR/trajectory.log into StepInfo records (Journal.h), for
// `mx repl` and anything else that inspects a run.
#include <algorithm>
#include <map>
#include <tuple>

#include <capnp/serialize.h>

#include "Codec.h"
#include "mx/rt/Journal.h"

namespace mx::rt {
namespace {

bool decodeStep(wire::TrajectoryStep::Reader in, StepInfo& out, durable::ShapeResolver& shapes,
                std::string& error) {
  out.rowId = in.getRowId();
  out.trial = in.getTrial();
  out.step = in.getStep();
  out.agent = in.getAgent();
  out.resume = in.getResume();
  out.effect = static_cast<StepInfo::Effect>(in.getEffect());
  out.gotoAgent = in.getGotoAgent();
  out.emits = in.getEmits();
  out.randomBefore = in.getRandomDrawsBefore();
  out.randomAfter = in.getRandomDrawsAfter();
  out.error = in.getError().cStr();
  out.startNs = in.getStartNs();
  out.durationNs = in.getDurationNs();
  out.restored = in.getRestored();
  for (auto c : in.getCalls()) {
    CallInfo call;
    call.method = c.getMethod().cStr();
    call.resource = c.getResource();
    call.slot = c.getSlot();
    call.seed = c.getSeed();
    for (auto a : c.getArgs()) {
      Value v;
      if (!durable::decodeValue(a, v, shapes, error)) return false;
      call.args.push_back(std::move(v));
    }
    if (c.hasResult() && !durable::decodeValue(c.getResult(), call.result, shapes, error))
      return false;
    call.error = c.getError().cStr();
    call.tokensIn = c.getTokensIn();
    call.tokensOut = c.getTokensOut();
    call.latencyNs = c.getLatencyNs();
    call.attempt = c.getAttempt();
    out.calls.push_back(std::move(call));
  }
  return true;
}

}  // namespace

bool readTrajectory(const std::string& runDir, const ShapeTable& shapes, RunIdentity& header,
                    std::vector<StepInfo>& steps, std::string& error) {
  std::string path = (runDir.empty() ? std::string(".") : runDir) + "/trajectory.log";
  durable::ShapeResolver resolver(&shapes);
  std::map<std::tuple<uint64_t, uint32_t, uint64_t>, StepInfo> byKey;  // the last record wins
  bool haveHeader = false;
  std::string why;
  LogScan scan;
  bool ok = scanLog(
      path,
      [&](const LogMessage& m) {
        try {
          capnp::FlatArrayMessageReader reader(
              kj::ArrayPtr<const capnp::word>(static_cast<const capnp::word*>(m.words), m.bytes / 8),
              durable::readerOptions(m.bytes));
          auto record = reader.getRoot<wire::TrajectoryRecord>();
          if (record.which() == wire::TrajectoryRecord::HEADER) {
            if (!haveHeader) durable::decodeHeader(record.getHeader(), header);
            haveHeader = true;
            return true;
          }
          if (!haveHeader) {
            why = "it does not start with a run header";
            return false;
          }
          StepInfo step;
          std::string bad;
          if (!decodeStep(record.getStep(), step, resolver, bad)) {
            why = "a step at byte " + std::to_string(m.blockOffset) + ": " + bad;
            return false;
          }
          auto key = std::make_tuple(step.rowId, step.trial, step.step);
          byKey[key] = std::move(step);
        } catch (const kj::Exception& e) {
          why = std::string("a malformed record: ") + e.getDescription().cStr();
          return false;
        }
        return true;
      },
      scan, error);
  if (!ok) return false;
  if (!why.empty() || !haveHeader) {
    error = path + ": " + (why.empty() ? "no run header" : why);
    return false;
  }
  steps.clear();
  steps.reserve(byKey.size());
  for (auto& [key, step] : byKey) steps.push_back(std::move(step));
  return true;
}

}  // namespace mx::rt
