// ChatFormat.cpp — a model folder's chat template and special tokens (ChatFormat.h).
#include "mx/engine/ChatFormat.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mx::engine {

namespace {

bool readFile(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

/// A special token in tokenizer_config.json is a string, null, or an AddedToken object.
std::string tokenText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"];
  return "";
}

}  // namespace

ChatFormat ChatFormat::load(const std::filesystem::path& dir) {
  ChatFormat f;
  auto configPath = dir / "tokenizer_config.json";
  std::string text, source;
  nlohmann::json config = nlohmann::json::object();
  if (readFile(configPath, text)) {
    config = nlohmann::json::parse(text, nullptr, false);
    if (config.is_discarded() || !config.is_object())
      throw std::runtime_error(configPath.string() + ": not a JSON object");
  }
  for (const char* key : {"bos_token", "eos_token", "pad_token", "unk_token"})
    if (config.contains(key)) f.specialTokens_[key] = tokenText(config[key]);
  f.path_ = configPath.string();
  if (config.contains("chat_template") && config["chat_template"].is_string()) {
    source = config["chat_template"];
  } else if (config.contains("chat_template") && config["chat_template"].is_array()) {
    // Several named templates: the "default" one is what apply_chat_template uses.
    for (const auto& t : config["chat_template"])
      if (t.value("name", "") == "default") source = t.value("template", "");
  }
  if (source.empty() && readFile(dir / "chat_template.jinja", source)) f.path_ = (dir / "chat_template.jinja").string();
  if (source.empty()) return f;  // no template: chat() is refused, complete() still works
  std::string error;
  auto compiled = ChatTemplate::compile(source, error);
  if (!compiled) throw std::runtime_error(f.path_ + ": chat template: " + error);
  f.template_ = std::move(compiled);
  return f;
}

std::string ChatFormat::render(const nlohmann::ordered_json& messages, bool addGenerationPrompt,
                               const nlohmann::ordered_json& kwargs) const {
  if (!template_) throw std::runtime_error(path_ + ": the model has no chat template");
  nlohmann::ordered_json vars = specialTokens_;
  for (auto it = kwargs.begin(); it != kwargs.end(); ++it) vars[it.key()] = it.value();
  vars["messages"] = messages;
  vars["add_generation_prompt"] = addGenerationPrompt;
  std::string out, error;
  if (!template_->render(vars, out, error)) throw std::runtime_error(path_ + ": chat template: " + error);
  return out;
}

}  // namespace mx::engine
