// ReplPrompt.cpp — rendering recorded chat calls for `history` (ReplPrompt.h).
#include "ReplPrompt.h"

#include <filesystem>

namespace mx::cli {

std::optional<std::string> PromptRenderer::render(const rt::CallInfo& call) {
  if (call.method != "chat" || call.resource >= m_.resources.size() || call.args.empty())
    return std::nullopt;
  const rt::ResourceInfo& r = m_.resources[call.resource];
  if (r.kind != "model" || r.ctor != "local") return std::nullopt;
  try {
    auto& format = formats_[call.resource];
    if (!format) {
      std::filesystem::path dir = r.stringArg("path");
      if (dir.is_relative()) dir = std::filesystem::path(baseDir_) / dir;
      format = std::make_unique<engine::ChatFormat>(engine::ChatFormat::load(dir));
    }
    auto messages = nlohmann::ordered_json::parse(call.args[0].toJsonText());
    for (auto& msg : messages)  // as LocalModel sends them
      if (msg.contains("tool_calls") && msg["tool_calls"].empty()) msg.erase("tool_calls");
    nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();
    if (call.args.size() > 1 && call.args[1].tag() == MX_INT) {
      auto index = static_cast<uint32_t>(call.args[1].asInt());
      auto& provider = tools_[index];
      std::string error;
      if (!provider && index < m_.resources.size())
        provider = rt::makeToolProvider(m_.resources[index], baseDir_, error);
      if (provider) kwargs["tools"] = provider->schemas();
    }
    return format->render(messages, true, kwargs);
  } catch (const std::exception& e) {
    return std::string("(cannot render: ") + e.what() + ")";
  }
}

}  // namespace mx::cli
