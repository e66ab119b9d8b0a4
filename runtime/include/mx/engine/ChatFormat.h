// ChatFormat.h — how a model folder turns chat messages into a prompt: its chat template
// (tokenizer_config.json's chat_template, or chat_template.jinja) and the special-token strings
// the template refers to (bos_token, eos_token, ...), rendered as apply_chat_template does.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "mx/engine/ChatTemplate.h"

namespace mx::engine {

class ChatFormat {
 public:
  /// Reads DIR/tokenizer_config.json (and DIR/chat_template.jinja when the config has no
  /// template). Throws std::runtime_error naming the file when it is missing, not JSON, or its
  /// template does not compile.
  static ChatFormat load(const std::filesystem::path& dir);

  /// Renders `messages` (a JSON array of {role, content, ...}) with add_generation_prompt,
  /// the special tokens and any extra template variables in `kwargs` (an object: tools,
  /// enable_thinking, ...). Throws std::runtime_error when the template raises.
  std::string render(const nlohmann::ordered_json& messages, bool addGenerationPrompt = true,
                     const nlohmann::ordered_json& kwargs = nlohmann::ordered_json::object()) const;

  bool hasTemplate() const { return template_ != nullptr; }

 private:
  std::shared_ptr<const ChatTemplate> template_;
  nlohmann::ordered_json specialTokens_ = nlohmann::ordered_json::object();  // bos_token, ...
  std::string path_;  // of the template, for messages
};

}  // namespace mx::engine
