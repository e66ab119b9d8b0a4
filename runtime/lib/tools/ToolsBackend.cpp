// ToolsBackend.cpp — `shop.call(c)` and `shop.invoke(name, args)`: a tool provider behind the
// scheduler's asynchronous call interface (ModelBackend), so tool calls await like model calls.
// Tools answer in microseconds, so a call completes before submit returns.
#include "mx/rt/ModelBackend.h"
#include "mx/rt/Tools.h"

namespace mx::rt {
namespace {

class ToolsBackend : public ModelBackend {
 public:
  explicit ToolsBackend(ToolProvider& provider) : provider_(provider) {}

  void submit(ModelCall call, std::function<void(ModelResult)> done) override {
    std::string name;
    nlohmann::ordered_json args;
    if (call.method == "call" && !call.args.empty()) {  // a tool_call record: id, name, arguments
      name = std::string(call.args[0].at(1).asString());
      args = argumentsOf(call.args[0].at(2));
    } else if (call.method == "invoke" && call.args.size() >= 2) {
      name = std::string(call.args[0].asString());
      args = argumentsOf(call.args[1]);
    } else {
      done({false, Value(), "tools have no method '" + call.method + "'"});
      return;
    }
    ModelResult r;
    r.value = Value::string(provider_.invoke({call.rowId, call.trial}, name, args));
    done(std::move(r));
  }

  size_t inFlight() const override { return 0; }

 private:
  /// Arguments come as a JSON object, or as a string holding one (the OpenAI wire form).
  static nlohmann::ordered_json argumentsOf(const Value& v) {
    if (v.tag() == MX_STR) return nlohmann::ordered_json::parse(v.asString(), nullptr, false);
    return nlohmann::ordered_json::parse(v.toJsonText(), nullptr, false);
  }

  ToolProvider& provider_;
};

}  // namespace

std::unique_ptr<ModelBackend> makeToolsBackend(ToolProvider& provider) {
  return std::make_unique<ToolsBackend>(provider);
}

}  // namespace mx::rt
