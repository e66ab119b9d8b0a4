// AbiEffects.cpp — the effect half of the mx_rt_* ABI: routing, emits, awaits and failures.
#include "mx/rt/Context.h"
#include "mx/rt/Effects.h"
#include "mx/rt/ModuleInfo.h"

using mx::rt::Value;

extern "C" {

void mx_rt_goto(MxCtx* ctx, uint32_t agent) { ctx->effects->gotoAgent = agent; }

void mx_rt_fail(MxCtx* ctx, uint32_t loc, const MxValue* reason) {
  ctx->fail(loc, mx::rt::toString(*reason));
}

int32_t mx_rt_emit(MxCtx* ctx, uint32_t loc, uint32_t sink, const MxValue* record) {
  ctx->effects->emits.emplace_back(sink, Value::copyOf(*record));
  return 0;
}

void mx_rt_await_call(MxCtx* ctx, uint32_t loc, uint32_t builtin, uint32_t resource, uint32_t slot,
                      const MxValue* args, uint32_t count) {
  mx::rt::PendingCall call;
  call.loc = loc;
  call.builtin = builtin;
  call.resource = resource;
  call.slot = slot;
  for (uint32_t i = 0; i < count; ++i) call.args.push_back(Value::copyOf(args[i]));
  ctx->effects->calls.push_back(std::move(call));
}

// Workers run with 64 MiB stacks (tools/mx); compiled fn frames are a few hundred bytes, so this
// bound leaves a wide margin while allowing any recursion a pipeline reasonably needs.
constexpr uint32_t kMaxCallDepth = 10000;

int32_t mx_rt_enter(MxCtx* ctx, uint32_t loc) {
  if (++ctx->callDepth <= kMaxCallDepth) return 0;
  --ctx->callDepth;
  return ctx->fail(loc, "fn calls nested deeper than " + std::to_string(kMaxCallDepth) + " (runaway recursion?)");
}

void mx_rt_leave(MxCtx* ctx) { --ctx->callDepth; }

int32_t mx_rt_await(MxCtx* ctx, int32_t resume) {
  ctx->effects->resume = resume;
  return MX_EFFECT_AWAIT;
}

void mx_rt_await_result(MxCtx* ctx, uint32_t slot, MxValue* out) {
  const auto* results = ctx->effects->results;
  if (results && slot < results->size()) mx_rt_copy(out, (*results)[slot].slot());
  else mx_rt_clear(out);
}

}  // extern "C"
