// Tools.cpp — tools.describe() and tools.matches(expected): synchronous methods of a `tools`
// declaration, run on the run's provider (mx/rt/Tools.h). The compiler passes the declaration's
// resource index as an extra first argument.
#include "Impls.h"
#include "mx/rt/Context.h"
#include "mx/rt/Tools.h"

namespace mx::stdlib::impl {
namespace {

rt::ToolProvider* provider(BuiltinCall& call) {
  return call.ctx->tools ? call.ctx->tools->find(static_cast<uint32_t>(call.integer(0))) : nullptr;
}

}  // namespace

int32_t toolsDescribe(BuiltinCall& call) {
  rt::ToolProvider* p = provider(call);
  if (!p) return call.fail("this run has no tool provider for the declaration");
  std::string text;
  for (const auto& schema : p->schemas()) text += rt::pythonJsonDumps(schema) + "\n";
  call.result = rt::Value::string(text);
  return 0;
}

int32_t toolsMatches(BuiltinCall& call) {
  rt::ToolProvider* p = provider(call);
  if (!p) return call.fail("this run has no tool provider for the declaration");
  auto expected = nlohmann::json::parse(rt::toJson(call.arg(1)), nullptr, false);
  bool result = false;
  std::string error;
  if (expected.is_discarded() || !p->matches({call.ctx->rowId, call.ctx->trial}, expected, result, error))
    return call.fail(error.empty() ? "matches: expected is not JSON" : error);
  call.result = rt::Value::boolean(result);
  return 0;
}

}  // namespace mx::stdlib::impl
