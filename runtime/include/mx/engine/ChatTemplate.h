// ChatTemplate.h — renders a model's chat template (the Jinja `chat_template` of
// tokenizer_config.json) exactly as transformers' apply_chat_template does.
//
// An interpreter of the Jinja subset that chat templates use: text with `{{ }}`, `{% %}` and
// `{# #}` tags and their `-` whitespace control, with transformers' environment settings
// (trim_blocks and lstrip_blocks on, loop controls on); if/elif/else, for (with `if` filters,
// tuple unpacking, else, loop.*), set (including namespace attributes), break/continue;
// expressions with Python semantics (slicing, `in`, `is` tests, filters, string and dict
// methods, namespace(), raise_exception()). A template that uses anything else fails to compile
// with an error naming the construct and its line, instead of rendering something wrong.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace mx::engine {

class ChatTemplate {
 public:
  virtual ~ChatTemplate() = default;

  /// Parses a template. Returns null and sets `error` ("line 12: unsupported tag 'macro'").
  static std::unique_ptr<ChatTemplate> compile(const std::string& source, std::string& error);

  /// Renders with the given variables (messages, tools, add_generation_prompt, bos_token, ...).
  /// Returns false and sets `error` when the template raises or misuses a value.
  virtual bool render(const nlohmann::ordered_json& variables, std::string& out, std::string& error) const = 0;
};

}  // namespace mx::engine
