// ChatTemplate.* — chat templates render byte for byte as transformers' apply_chat_template
// (the fixture renderings were made with transformers), and unsupported or failing templates
// give located errors.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mx/engine/ChatTemplate.h"

namespace mx::engine {
namespace {

using nlohmann::ordered_json;

std::string fixtures() { return MX_FIXTURES_DIR; }  // tests/fixtures
std::string modelDir(const std::string& model) {  // the tiny models ship in models/
  return std::string(MX_MODELS_DIR) + "/" + model;
}

ordered_json readJson(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return ordered_json::parse(in);
}

std::string render(const std::string& source, const ordered_json& vars) {
  std::string error, out;
  auto t = ChatTemplate::compile(source, error);
  EXPECT_TRUE(t) << error;
  if (!t) return "";
  EXPECT_TRUE(t->render(vars, out, error)) << error;
  return out;
}

TEST(ChatTemplate, Qwen3FixtureCasesRenderExactly) {
  auto config = readJson(fixtures() + "/tokenizer-qwen3/tokenizer_config.json");
  std::ifstream cases(fixtures() + "/tokenizer-qwen3/chat_cases.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(cases, line)) {
    auto c = ordered_json::parse(line);
    ordered_json vars = {{"messages", c["messages"]},
                         {"add_generation_prompt", c.value("add_generation_prompt", false)}};
    for (const auto& key : {"tools", "enable_thinking"})
      if (c.contains(key)) vars[key] = c[key];
    if (c.contains("kwargs"))
      for (const auto& [k, v] : c["kwargs"].items()) vars[k] = v;
    EXPECT_EQ(render(config["chat_template"], vars), c["rendered"].get<std::string>()) << line;
    ++n;
  }
  EXPECT_EQ(n, 5);
}

TEST(ChatTemplate, TinyModelReferencePromptsRenderExactly) {
  for (const char* model : {"tiny-arith", "tiny-agent"}) {
    auto config = readJson(modelDir(model) + "/tokenizer_config.json");
    auto reference = readJson(modelDir(model) + "/reference.json");
    int n = 0;
    for (const auto& c : reference["cases"]) {
      if (!c.contains("messages") || !c.contains("rendered")) continue;
      ordered_json vars = {{"messages", c["messages"]},
                           {"add_generation_prompt", c.value("add_generation_prompt", true)},
                           {"bos_token", config.value("bos_token", "")},
                           {"eos_token", config.value("eos_token", "")}};
      if (c.contains("tools")) vars["tools"] = c["tools"];
      EXPECT_EQ(render(config["chat_template"], vars), c["rendered"].get<std::string>()) << model << " " << c.value("name", "");
      ++n;
    }
    EXPECT_GT(n, 0) << model;
  }
}

TEST(ChatTemplate, WhitespaceControlAndBlocks) {
  EXPECT_EQ(render("a  {{- 'b' -}}  c", {}), "abc");
  EXPECT_EQ(render("{% if x %}\n  yes\n{% else %}\n  no\n{% endif %}\n", {{"x", true}}), "  yes\n");
  EXPECT_EQ(render("    {% for i in xs %}{{ i }},{% endfor %}", {{"xs", {1, 2}}}), "1,2,");
  EXPECT_EQ(render("{# gone #}x", {}), "x");
}

TEST(ChatTemplate, PythonSemantics) {
  ordered_json vars = {{"m", {{"content", "  hi  "}, {"role", "user"}}}, {"xs", {1, 2, 3}}};
  EXPECT_EQ(render("{{ '<' + m['content'] | trim + '>' }}", vars), "<hi>");  // filters bind first
  EXPECT_EQ(render("{{ xs[::-1] }}|{{ xs[-1] }}|{{ xs | length }}", vars), "[3, 2, 1]|3|3");
  EXPECT_EQ(render("{{ 'a</think>b'.split('</think>')[-1] }}", vars), "b");
  EXPECT_EQ(render("{{ m.missing is defined }}|{{ m.role is string }}|{{ none is none }}", vars), "False|True|True");
  EXPECT_EQ(render("{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }}", vars), "6");
  EXPECT_EQ(render("{% for x in xs if x != 2 %}{{ loop.index }}{{ x }}{% if loop.last %}.{% endif %}{% endfor %}", vars), "1123.");
  EXPECT_EQ(render("{{ {'a': 1, 'b': [true, none]} | tojson }}", vars), "{\"a\": 1, \"b\": [true, null]}");
  EXPECT_EQ(render("{{ 'x' if 1 > 2 else 'y' }}{{ 'ab' in 'cabd' }}{{ 3 not in xs }}", vars), "yTrueFalse");
}

TEST(ChatTemplate, ErrorsNameTheConstructAndLine) {
  std::string error;
  EXPECT_FALSE(ChatTemplate::compile("ok\n{% macro f() %}{% endmacro %}", error));
  EXPECT_EQ(error, "line 2: unsupported tag 'macro'");
  EXPECT_FALSE(ChatTemplate::compile("{% if x %}never closed", error));
  EXPECT_EQ(error, "line 1: 'if' is never closed");
  auto t = ChatTemplate::compile("{{ raise_exception('Unknown role: ' + r) }}", error);
  ASSERT_TRUE(t);
  std::string out;
  EXPECT_FALSE(t->render({{"r", "robot"}}, out, error));
  EXPECT_EQ(error, "line 1: the template raised: Unknown role: robot");
  t = ChatTemplate::compile("{{ x | frobnicate }}", error);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->render({}, out, error));
  EXPECT_EQ(error, "line 1: unsupported filter 'frobnicate'");
}

}  // namespace
}  // namespace mx::engine
