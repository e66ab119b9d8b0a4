// Messages.cpp — system, user, assistant and tool_result: chat messages as records of the built-in
// message shape (role, content, tool_calls).
//
// A message has no tool_call_id field, so a tool message carries the call it answers as the one
// element of its tool_calls; chat templates read the id and name from there.
#include "Impls.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;

Value message(std::string_view role, const MxValue& content, Value toolCalls) {
  return Value::record(rt::messageShape(),
                       {Value::string(role), Value::copyOf(content), std::move(toolCalls)});
}

}  // namespace

int32_t systemMessage(BuiltinCall& call) {
  call.result = message("system", call.arg(0), Value::list({}));
  return 0;
}

int32_t userMessage(BuiltinCall& call) {
  call.result = message("user", call.arg(0), Value::list({}));
  return 0;
}

int32_t assistantMessage(BuiltinCall& call) {
  call.result = message("assistant", call.arg(0), Value::list({}));
  return 0;
}

int32_t toolResultMessage(BuiltinCall& call) {
  call.result = message("tool", call.arg(1), Value::list({Value::copyOf(call.arg(0))}));
  return 0;
}

}  // namespace mx::stdlib::impl
