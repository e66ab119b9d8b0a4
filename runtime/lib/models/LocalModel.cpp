// LocalModel.cpp — `model m = local("folder")`: a Hugging Face model folder served by the
// built-in engine (Engine.h). chat() renders the messages with the folder's chat template,
// complete() tokenizes the prompt as is; sampling options come from the declaration's block,
// overridden per call, and every call's seed from (run seed, row, trial, call index).
//
// On GPUs the model is served by one engine replica per GPU (EnginePool.h), each sized for
// thousands of requests in flight; the declaration's `gpus: N` (0: all) and `max_batch: N`, or
// MX_GPUS=N in the environment (over the declaration), choose otherwise.
#include <cstdlib>
#include <future>
#include <stdexcept>

#include "mx/engine/ChatFormat.h"
#include "mx/engine/CudaBackend.h"
#include "mx/engine/EnginePool.h"
#include "mx/rt/ModelBackend.h"
#include "mx/rt/Tools.h"
#include "mx/stdlib/Builtins.h"

namespace mx::rt {
namespace {

namespace eng = mx::engine;

/// A whole-number engine setting of the declaration's block (checked by the compiler), or
/// `fallback` when absent.
int engineSetting(const nlohmann::json& options, const char* key, int fallback) {
  auto it = options.find(key);
  return it == options.end() ? fallback : it->get<int>();
}

/// The replicas: one per GPU used when this build has the CUDA backend and a usable GPU is
/// present (loaded in parallel: each reads the whole folder), else one CPU engine.
std::unique_ptr<eng::EnginePool> makeEngines(const std::filesystem::path& dir, const nlohmann::json& options,
                                             const eng::Tokenizer& tokenizer) {
  eng::EngineOptions engineOptions;  // the CPU's defaults
  std::vector<std::unique_ptr<eng::Backend>> backends;
#ifdef MX_HAVE_CUDA
  std::string why;
  if (eng::cudaDeviceCount(why) > 0) {
    int gpus = engineSetting(options, "gpus", 0);
    if (const char* env = std::getenv("MX_GPUS")) gpus = std::atoi(env);
    const int devices = eng::cudaDevicesToUse(gpus);
    std::vector<std::future<std::unique_ptr<eng::Backend>>> loading;
    for (int device = 0; device < devices; ++device)
      loading.push_back(std::async(std::launch::async, [&dir, device] { return eng::makeCudaBackend(dir, device); }));
    for (auto& backend : loading) backends.push_back(backend.get());
    // A GPU's decode step reads every weight whatever the batch, so 256 sequences cost little
    // more than 8; its free memory holds the KV cache (Backend::cacheBlockLimit): batch wide.
    engineOptions.maxBatchSeqs = 256;
    engineOptions.maxBatchTokens = 8192;
  }
#endif
  if (backends.empty()) backends.push_back(eng::makeCpuBackend(dir));
  engineOptions.maxBatchSeqs = engineSetting(options, "max_batch", engineOptions.maxBatchSeqs);
  return std::make_unique<eng::EnginePool>(std::move(backends), tokenizer, engineOptions);
}

/// The parameter names of a model method, in the order ModelCall::args holds them (the
/// built-in table's signature: "(messages: list<message>, tools?: tools, temperature?: ...)").
std::vector<std::string> parameterNames(std::string_view method) {
  std::vector<std::string> names;
  for (const auto& spec : stdlib::builtinSpecs()) {
    if (spec.name != method || spec.scope != stdlib::BuiltinScope::Model) continue;
    std::string_view sig = spec.signature;
    size_t open = sig.find('('), close = sig.find(')');
    std::string_view params = sig.substr(open + 1, close - open - 1);
    while (!params.empty()) {
      size_t comma = params.find(',');
      std::string_view p = params.substr(0, comma);
      while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
      std::string_view name = p.substr(0, p.find_first_of("?:"));
      names.emplace_back(name);
      if (comma == std::string_view::npos) break;
      params.remove_prefix(comma + 1);
    }
  }
  return names;
}

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t x = a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ull;
  return x ^ (x >> 29);
}

/// Applies one sampling option (from the declaration's JSON block or a call's Value).
template <class Get>
void applyOption(eng::SamplingParams& p, const std::string& key, Get&& get, uint64_t& seedOption) {
  if (key == "temperature") p.temperature = static_cast<float>(get.number());
  else if (key == "top_p") p.topP = static_cast<float>(get.number());
  else if (key == "top_k") p.topK = static_cast<int32_t>(get.number());
  else if (key == "min_p") p.minP = static_cast<float>(get.number());
  else if (key == "max_tokens") p.maxTokens = static_cast<int32_t>(get.number());
  else if (key == "repetition_penalty") p.repetitionPenalty = static_cast<float>(get.number());
  else if (key == "seed") seedOption = static_cast<uint64_t>(get.number());
  else if (key == "stop") p.stop = get.strings();
}

struct JsonOption {
  const nlohmann::json& v;
  double number() const { return v.get<double>(); }
  std::vector<std::string> strings() const { return v.get<std::vector<std::string>>(); }
};

struct ValueOption {
  const Value& v;
  double number() const { return v.asFloat(); }
  std::vector<std::string> strings() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) out.emplace_back(v.at(i).asString());
    return out;
  }
};

/// Splits a reply into its text and its tool calls: each `<tool_call>\n{"name": ..., "arguments":
/// ...}\n</tool_call>` block (the format of Qwen2.5-style templates) becomes a tool_call record and
/// leaves the content. A block that is not such JSON stays in the content as text.
Value replyMessage(const std::string& text) {
  std::string content;
  std::vector<Value> calls;
  const std::string open = "<tool_call>", close = "</tool_call>";
  size_t at = 0;
  while (true) {
    size_t b = text.find(open, at);
    size_t e = b == std::string::npos ? b : text.find(close, b);
    if (e == std::string::npos) {
      content += text.substr(at);
      break;
    }
    auto call = nlohmann::ordered_json::parse(text.substr(b + open.size(), e - b - open.size()), nullptr, false);
    if (call.is_object() && call.contains("name") && call["name"].is_string()) {
      content += text.substr(at, b - at);
      std::string error;
      Value args = Value::fromJson(call.value("arguments", nlohmann::ordered_json::object()).dump(), error);
      calls.push_back(Value::record(toolCallShape(), {Value::string("call_" + std::to_string(calls.size())),
                                                      Value::string(call["name"].get<std::string>()), args}));
    } else {
      content += text.substr(at, e + close.size() - at);
    }
    at = e + close.size();
  }
  size_t first = content.find_first_not_of(" \n\t"), last = content.find_last_not_of(" \n\t");
  content = first == std::string::npos ? "" : content.substr(first, last - first + 1);
  return Value::record(messageShape(), {Value::string("assistant"), Value::string(content), Value::list(std::move(calls))});
}

class LocalModel : public ModelBackend {
 public:
  LocalModel(const ResourceInfo& r, const std::filesystem::path& dir, const ToolHost* tools)
      : name_(r.name), tools_(tools) {
    std::string error;
    tokenizer_ = eng::Tokenizer::load((dir / "tokenizer.json").string(), error);
    if (!tokenizer_) throw std::runtime_error(error);
    format_ = eng::ChatFormat::load(dir);
    for (auto it = r.options.begin(); it != r.options.end(); ++it)
      applyOption(defaults_, it.key(), JsonOption{it.value()}, seedOption_);
    engine_ = makeEngines(dir, r.options, *tokenizer_);
    chatParams_ = parameterNames("chat");
    completeParams_ = parameterNames("complete");
  }

  void submit(ModelCall call, std::function<void(ModelResult)> done) override {
    bool chat = call.method == "chat";
    bool withTools = false;
    eng::Request request;
    request.params = defaults_;
    uint64_t seedOption = seedOption_;
    const auto& names = chat ? chatParams_ : completeParams_;
    for (size_t i = 1; i < call.args.size() && i < names.size(); ++i)
      if (!call.args[i].isNone()) applyOption(request.params, names[i], ValueOption{call.args[i]}, seedOption);
    request.params.seed = mix(call.seed, seedOption);
    try {
      if (chat) {
        auto messages = nlohmann::ordered_json::parse(call.args.at(0).toJsonText());
        for (auto& m : messages)  // an empty tool_calls list is what "no tool calls" looks like
          if (m.contains("tool_calls") && m["tool_calls"].empty()) m.erase("tool_calls");
        nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();
        if (call.args.size() > 1 && call.args[1].tag() == MX_INT) {  // tools: t (a resource index)
          const ToolProvider* provider = tools_ ? tools_->find(static_cast<uint32_t>(call.args[1].asInt())) : nullptr;
          if (!provider) throw std::runtime_error("chat(tools: ...) names no tool provider of this run");
          kwargs["tools"] = provider->schemas();
          withTools = true;
        }
        std::string prompt = format_.render(messages, true, kwargs);
        eng::EncodeOptions options;
        options.addSpecialTokens = false;  // the template wrote them, as apply_chat_template does
        request.promptIds = tokenizer_->encode(prompt, options);
      } else {
        request.promptIds = tokenizer_->encode(call.args.at(0).asString());
      }
    } catch (const std::exception& e) {
      done({false, Value(), "model '" + name_ + "': " + e.what()});
      return;
    }
    engine_->submit(std::move(request), [chat, withTools, name = name_, done = std::move(done)](eng::Completion c) {
      ModelResult r;
      r.tokensIn = static_cast<uint64_t>(c.promptTokens);
      r.tokensOut = static_cast<uint64_t>(c.completionTokens);
      if (!c.ok || c.samples.empty()) {
        r.ok = false;
        r.error = "model '" + name + "': " + (c.error.empty() ? "no completion" : c.error);
      } else {
        const std::string& text = c.samples[0].text;
        if (withTools) r.value = replyMessage(text);
        else if (chat) r.value = Value::record(messageShape(), {Value::string("assistant"), Value::string(text), Value::list({})});
        else r.value = Value::string(text);
      }
      done(std::move(r));
    });
  }

  size_t inFlight() const override { return engine_->inFlight(); }

 private:
  std::string name_;
  const ToolHost* tools_;
  std::unique_ptr<eng::Tokenizer> tokenizer_;
  eng::ChatFormat format_;
  eng::SamplingParams defaults_;
  uint64_t seedOption_ = 0;
  std::vector<std::string> chatParams_, completeParams_;
  std::unique_ptr<eng::EnginePool> engine_;  // last: stops before what its callbacks use goes away
};

}  // namespace

std::unique_ptr<ModelBackend> makeLocalModel(const ResourceInfo& resource, const std::string& baseDir,
                                             const ToolHost* tools, std::string& error) {
  std::filesystem::path dir = resource.stringArg("path");
  if (dir.is_relative()) dir = std::filesystem::path(baseDir) / dir;
  try {
    return std::make_unique<LocalModel>(resource, dir.lexically_normal(), tools);
  } catch (const std::exception& e) {
    error = "model '" + resource.name + "' (" + dir.lexically_normal().string() + "): " + e.what();
    return nullptr;
  }
}

}  // namespace mx::rt
