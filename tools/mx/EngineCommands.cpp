// EngineCommands.cpp — the engine's command-line tools (EngineCommands.h).
#include "EngineCommands.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "mx/ExitCodes.h"
#include "mx/engine/ChatFormat.h"
#include "mx/engine/CudaBackend.h"
#include "mx/engine/EnginePool.h"
#include "mx/engine/ForwardBench.h"

namespace mx::cli {
namespace {

namespace eng = mx::engine;
using Json = nlohmann::ordered_json;

constexpr const char* kTokenizeUsage = R"(Usage: mx tokenize --model DIR (TEXT | --file F)

Prints the token ids of TEXT (or of file F's bytes) as one JSON array, encoded as Hugging Face
Tokenizer.encode(text) does: added and special tokens in the text are recognised and the
post-processor applies. DIR needs only tokenizer.json.
)";

constexpr const char* kTemplateUsage = R"(Usage: mx template --model DIR --messages F.json [--kwargs JSON] [--no-generation-prompt]

Prints the prompt the model's chat template renders for the messages in F.json (a JSON array of
{"role", "content"} objects), byte for byte as transformers' apply_chat_template(tokenize=False).
--kwargs adds template variables (e.g. '{"enable_thinking": false}' or '{"tools": [...]}').
)";

constexpr const char* kGenerateUsage = R"(Usage: mx generate --model DIR (--prompt TEXT | --messages F.json) [options]

Generates with the built-in engine. --prompt continues TEXT as is; --messages
renders the chat template with the generation prompt first.

Options:
  --max-tokens N      new tokens at most (default: generation_config.json's max_new_tokens, else 256)
  --temperature T     0 is greedy (default 0)
  --top-p P           nucleus sampling (default 1)
  --top-k K           0 is off (default 0)
  --min-p P           drop tokens below P times the best one's probability (default 0: off)
  --repetition-penalty R
                      Hugging Face's repetition penalty (default 1: off)
  --seed S            sampling seed (default 0)
  --backend B         cpu, cuda or auto (default: cuda when a usable GPU is present, else cpu)
  --gpus N            load an engine replica on each of N GPUs (default 1; 0: every usable GPU)
  --threads N         CPU threads (default: every core)
  --json              print {"ids", "text", "finish_reason", "usage"} instead of the text
)";

constexpr const char* kBenchUsage = R"(Usage: mx bench engine (--model DIR | --config config.json) [options]

Measures the engine's throughput: B requests of P random prompt tokens each generate G tokens
through the engine (continuous batching, paged KV cache, sampling), and the forward pass alone
decodes B sequences at context P. With --config the weights are random (shape only).
With --gpus N the engine part runs N replicas, one per GPU, behind one queue and is given N x B
requests; the forward pass alone runs on GPU 0.

Options:
  --batch B        concurrent sequences per GPU (default 16)
  --prompt-len P   prompt tokens per request (default 128)
  --gen-len G      generated tokens per request (default 64)
  --backend B      cpu, cuda or auto (default: cuda when a usable GPU is present, else cpu)
  --gpus N         GPUs, one engine replica each (default 1: per-GPU figures; 0: every usable GPU)
  --max-batch-tokens T
                   prompt and decode tokens in one engine step (default: 8192 on a GPU, as a
                   pipeline's local model gets; the engine's 2048 on the CPU)
  --temperature T, --top-p P, --top-k K, --min-p P, --repetition-penalty R, --seed S
                   the engine part's sampling, as for mx generate (default: greedy); the
                   forward pass alone is always greedy
  --threads N      CPU threads (default: every core)
  --json           print one JSON object instead of the table
)";

int usage(const std::string& message, const char* text) {
  std::cerr << "mx: " << message << "\n" << text;
  return kExitUsage;
}

bool readFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

/// --flag VALUE pairs, bare words and switches, with a clear error for a flag missing its value.
struct Args {
  std::map<std::string, std::string> values;
  std::vector<std::string> words;
  std::map<std::string, bool> switches;
  std::string error;

  Args(const std::vector<std::string>& args, const std::vector<std::string>& withValue,
       const std::vector<std::string>& flags) {
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      bool known = false;
      for (const std::string& f : withValue)
        if (a == f) {
          known = true;
          if (i + 1 >= args.size()) error = a + " needs a value";
          else values[a] = args[++i];
        }
      for (const std::string& f : flags)
        if (a == f) known = switches[a] = true;
      if (known) continue;
      if (a.size() > 1 && a[0] == '-') error = "unknown option '" + a + "'";
      else words.push_back(a);
    }
  }
  bool has(const std::string& f) const { return values.count(f) != 0; }
  std::string get(const std::string& f, const std::string& fallback = "") const {
    auto it = values.find(f);
    return it == values.end() ? fallback : it->second;
  }
  bool on(const std::string& f) const { return switches.count(f) != 0; }
};

bool wantsHelp(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") return true;
  return false;
}

std::unique_ptr<eng::Tokenizer> loadTokenizer(const std::string& dir) {
  std::string error;
  auto tokenizer = eng::Tokenizer::load(dir + "/tokenizer.json", error);
  if (!tokenizer) throw std::runtime_error(error);
  return tokenizer;
}

Json readMessages(const std::string& path) {
  std::string text;
  if (!readFile(path, text)) throw std::runtime_error("cannot read '" + path + "'");
  Json messages = Json::parse(text, nullptr, false);
  if (messages.is_discarded() || !messages.is_array())
    throw std::runtime_error(path + ": not a JSON array of messages");
  return messages;
}

/// Parses a number option; throws naming the flag.
template <class T>
T numberOption(const Args& a, const std::string& flag, T fallback) {
  if (!a.has(flag)) return fallback;
  std::string v = a.get(flag);
  try {
    size_t used = 0;
    double d = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return static_cast<T>(d);
  } catch (const std::exception&) {
    throw std::invalid_argument(flag + " needs a number, got '" + v + "'");
  }
}

/// --backend cpu|cuda|auto → whether to run on the GPU. auto takes it when this mx has the CUDA
/// backend and a usable GPU is present; cuda without either is an error saying which is missing.
bool wantsCuda(const Args& a) {
  const std::string b = a.get("--backend", "auto");
  if (b != "cpu" && b != "cuda" && b != "auto")
    throw std::invalid_argument("--backend must be cpu, cuda or auto, got '" + b + "'");
  if (b == "cpu") return false;
#ifdef MX_HAVE_CUDA
  std::string why;
  if (eng::cudaAvailable(why)) return true;
  if (b == "cuda") throw std::runtime_error("--backend cuda: " + why);
#else
  if (b == "cuda") throw std::runtime_error("--backend cuda: this mx was built without the CUDA backend (MX_CUDA)");
#endif
  return false;
}

/// The sampling flags mx generate and mx bench engine share (SamplingParams' defaults otherwise,
/// greedy).
const std::vector<std::string> kSamplingFlags = {"--temperature", "--top-p", "--top-k", "--min-p",
                                                 "--repetition-penalty", "--seed"};

eng::SamplingParams samplingOptions(const Args& a) {
  eng::SamplingParams p;
  p.temperature = numberOption<float>(a, "--temperature", 0.0f);
  p.topP = numberOption<float>(a, "--top-p", 1.0f);
  p.topK = numberOption<int32_t>(a, "--top-k", 0);
  p.minP = numberOption<float>(a, "--min-p", 0.0f);
  p.repetitionPenalty = numberOption<float>(a, "--repetition-penalty", 1.0f);
  p.seed = numberOption<uint64_t>(a, "--seed", 0);
  return p;
}

/// --gpus N → how many GPUs get an engine replica: 1 unless asked, 0 for every usable one; the
/// CPU backend is one engine.
int gpusOption(const Args& a, bool cuda) {
  const int asked = numberOption<int>(a, "--gpus", 1);
  if (asked < 0) throw std::invalid_argument("--gpus must be 0 (every GPU) or more");
  if (!cuda) {
    if (asked > 1) throw std::invalid_argument("--gpus " + std::to_string(asked) + " needs the cuda backend");
    return 1;
  }
#ifdef MX_HAVE_CUDA
  return eng::cudaDevicesToUse(asked);
#else
  return 1;
#endif
}

/// One backend per device 0..devices-1, each made by `make(device)`.
std::vector<std::unique_ptr<eng::Backend>> backendsOn(
    int devices, const std::function<std::unique_ptr<eng::Backend>(int)>& make) {
  std::vector<std::unique_ptr<eng::Backend>> backends;
  for (int device = 0; device < devices; ++device) backends.push_back(make(device));
  return backends;
}

std::unique_ptr<eng::Backend> loadBackend(bool cuda, const std::string& dir, int threads, int device) {
#ifdef MX_HAVE_CUDA
  if (cuda) return eng::makeCudaBackend(dir, device);
#endif
  (void)cuda, (void)device;
  return eng::makeCpuBackend(dir, threads);
}

std::unique_ptr<eng::Backend> randomBackend(bool cuda, const eng::ModelConfig& config, int threads, int device) {
#ifdef MX_HAVE_CUDA
  if (cuda) return eng::makeRandomCudaBackend(config, 1, device);
#endif
  (void)cuda, (void)device;
  return eng::makeRandomCpuBackend(config, 1, threads);
}

int runGuarded(const char* usageText, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::invalid_argument& e) {
    return usage(e.what(), usageText);
  } catch (const std::exception& e) {
    std::cerr << "mx: error: " << e.what() << "\n";
    return kExitInput;
  }
}

}  // namespace

int tokenizeCommand(const std::vector<std::string>& args) {
  if (wantsHelp(args)) return std::cout << kTokenizeUsage, kExitOk;
  Args a(args, {"--model", "--file"}, {});
  if (!a.error.empty()) return usage(a.error, kTokenizeUsage);
  if (!a.has("--model")) return usage("--model DIR is required", kTokenizeUsage);
  if (a.has("--file") == (a.words.size() == 1) || a.words.size() > 1)
    return usage("give one TEXT or --file F", kTokenizeUsage);
  return runGuarded(kTokenizeUsage, [&] {
    std::string text = a.words.empty() ? "" : a.words[0];
    if (a.has("--file") && !readFile(a.get("--file"), text))
      throw std::runtime_error("cannot read '" + a.get("--file") + "'");
    auto tokenizer = loadTokenizer(a.get("--model"));
    std::cout << Json(tokenizer->encode(text)).dump() << "\n";
    return kExitOk;
  });
}

int templateCommand(const std::vector<std::string>& args) {
  if (wantsHelp(args)) return std::cout << kTemplateUsage, kExitOk;
  Args a(args, {"--model", "--messages", "--kwargs"}, {"--no-generation-prompt"});
  if (!a.error.empty()) return usage(a.error, kTemplateUsage);
  if (!a.has("--model") || !a.has("--messages")) return usage("--model and --messages are required", kTemplateUsage);
  return runGuarded(kTemplateUsage, [&] {
    Json kwargs = Json::object();
    if (a.has("--kwargs")) {
      kwargs = Json::parse(a.get("--kwargs"), nullptr, false);
      if (kwargs.is_discarded() || !kwargs.is_object())
        throw std::invalid_argument("--kwargs needs a JSON object");
    }
    auto format = eng::ChatFormat::load(a.get("--model"));
    std::cout << format.render(readMessages(a.get("--messages")), !a.on("--no-generation-prompt"), kwargs);
    return kExitOk;
  });
}

int generateCommand(const std::vector<std::string>& args) {
  if (wantsHelp(args)) return std::cout << kGenerateUsage, kExitOk;
  std::vector<std::string> valued = {"--model", "--prompt", "--messages", "--max-tokens", "--threads", "--backend",
                                     "--gpus"};
  valued.insert(valued.end(), kSamplingFlags.begin(), kSamplingFlags.end());
  Args a(args, valued, {"--json"});
  if (!a.error.empty()) return usage(a.error, kGenerateUsage);
  if (!a.words.empty()) return usage("unexpected argument '" + a.words[0] + "'", kGenerateUsage);
  if (!a.has("--model")) return usage("--model DIR is required", kGenerateUsage);
  if (a.has("--prompt") == a.has("--messages")) return usage("give --prompt or --messages", kGenerateUsage);
  return runGuarded(kGenerateUsage, [&] {
    std::string dir = a.get("--model");
    eng::SamplingParams p = samplingOptions(a);
    int threads = numberOption<int>(a, "--threads", 0);
    auto tokenizer = loadTokenizer(dir);
    const bool cuda = wantsCuda(a);
    auto backends = backendsOn(gpusOption(a, cuda), [&](int device) { return loadBackend(cuda, dir, threads, device); });
    int32_t configured = 256;
    std::string gen;
    if (readFile(dir + "/generation_config.json", gen)) {
      auto g = nlohmann::json::parse(gen, nullptr, false);
      if (g.is_object() && g.contains("max_new_tokens") && g["max_new_tokens"].is_number_integer())
        configured = g["max_new_tokens"];
    }
    p.maxTokens = numberOption<int32_t>(a, "--max-tokens", configured);
    eng::Request request;
    request.params = p;
    if (a.has("--prompt")) {
      request.promptIds = tokenizer->encode(a.get("--prompt"));
    } else {
      eng::EncodeOptions options;
      options.addSpecialTokens = false;  // the template wrote them
      request.promptIds = tokenizer->encode(eng::ChatFormat::load(dir).render(readMessages(a.get("--messages"))), options);
    }
    eng::EnginePool engine(std::move(backends), *tokenizer);
    std::promise<eng::Completion> promise;
    auto future = promise.get_future();
    engine.submit(std::move(request), [&](eng::Completion c) { promise.set_value(std::move(c)); });
    eng::Completion c = future.get();
    if (!c.ok) throw std::runtime_error(c.error);
    const eng::Sample& s = c.samples.at(0);
    if (a.on("--json")) {
      Json out = {{"ids", s.ids},
                  {"text", s.text},
                  {"finish_reason", s.finishReason},
                  {"usage", {{"prompt_tokens", c.promptTokens},
                             {"completion_tokens", c.completionTokens},
                             {"total_tokens", c.promptTokens + c.completionTokens}}}};
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      std::cout << s.text << "\n";
    }
    return kExitOk;
  });
}

int benchCommand(const std::vector<std::string>& args) {
  if (wantsHelp(args)) return std::cout << kBenchUsage, kExitOk;
  if (args.empty() || args[0] != "engine") return usage("the benchmark to run is 'engine'", kBenchUsage);
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::vector<std::string> valued = {"--model",   "--config",  "--batch", "--prompt-len",      "--gen-len",
                                     "--threads", "--backend", "--gpus",  "--max-batch-tokens"};
  valued.insert(valued.end(), kSamplingFlags.begin(), kSamplingFlags.end());
  Args a(rest, valued,
         {"--json"});
  if (!a.error.empty()) return usage(a.error, kBenchUsage);
  if (a.has("--model") == a.has("--config")) return usage("give --model DIR or --config config.json", kBenchUsage);
  return runGuarded(kBenchUsage, [&] {
    int32_t batch = numberOption<int32_t>(a, "--batch", 16);
    int32_t promptLen = numberOption<int32_t>(a, "--prompt-len", 128);
    int32_t genLen = numberOption<int32_t>(a, "--gen-len", 64);
    const eng::SamplingParams sampling = samplingOptions(a);
    int threads = numberOption<int>(a, "--threads", 0);
    if (batch < 1 || promptLen < 1 || genLen < 1)
      throw std::invalid_argument("--batch, --prompt-len and --gen-len must be positive");
    const bool cuda = wantsCuda(a);
    const int gpus = gpusOption(a, cuda);
    std::vector<std::unique_ptr<eng::Backend>> backends;
    std::string source;
    if (a.has("--model")) {
      source = a.get("--model");
      backends = backendsOn(gpus, [&](int device) { return loadBackend(cuda, source, threads, device); });
    } else {
      source = a.get("--config") + " (random weights)";
      std::string text;
      if (!readFile(a.get("--config"), text)) throw std::runtime_error("cannot read '" + a.get("--config") + "'");
      const eng::ModelConfig shape = eng::ModelConfig::parse(text, "", a.get("--config"));
      backends = backendsOn(gpus, [&](int device) { return randomBackend(cuda, shape, threads, device); });
    }
    eng::Backend& backend = *backends.front();
    const eng::ModelConfig config = backend.config();
    if (promptLen + genLen > config.maxPositions)
      throw std::invalid_argument("--prompt-len + --gen-len exceed the model's context (" +
                                  std::to_string(config.maxPositions) + ")");

    // 1. The forward pass alone: B sequences decoding at context P, on the first GPU.
    eng::DecodeBenchOptions fo;
    fo.batch = batch;
    fo.promptLen = promptLen;
    fo.steps = std::min(genLen, 16);
    eng::DecodeBenchResult forward = eng::benchDecode(backend, fo);
    // The other GPUs get the same warm-up (CUDA's lazy module loading, cuBLAS's first calls, the
    // decode graph of this batch): otherwise their first second counts against the engine run.
    eng::DecodeBenchOptions warmUp = fo;
    warmUp.steps = 2;
    for (size_t i = 1; i < backends.size(); ++i) eng::benchDecode(*backends[i], warmUp);
    eng::FmaPeak peak;  // the CPU's: meaningless for the GPU backend
    if (!cuda) peak = eng::measureFmaPeak(threads);

    // 2. The whole engine: B requests per replica submitted at once, each P random ids, G
    // tokens, no EOS.
    // A tokenizer only decodes text here; a byte-level stand-in would do, but use the folder's
    // when there is one so stop handling is exercised as in a run.
    std::unique_ptr<eng::Tokenizer> tokenizer;
    std::string tokError;
    if (a.has("--model")) tokenizer = eng::Tokenizer::load(a.get("--model") + "/tokenizer.json", tokError);
    if (!tokenizer) {
      std::string json = R"({"model": {"type": "BPE", "vocab": {}, "merges": []}, "added_tokens": [],
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
          "decoder": {"type": "ByteLevel"}})";
      tokenizer = eng::Tokenizer::fromJson(json, "bench", tokError);
      if (!tokenizer) throw std::runtime_error("bench tokenizer: " + tokError);
    }
    eng::EngineOptions eo;
    eo.maxBatchSeqs = batch;
    if (cuda) {
      // Every sequence's whole context fits (no preemption), and a local model's prefill chunks
      // (runtime/lib/models/LocalModel.cpp): the default cache size assumes CPU-sized budgets.
      eo.numBlocks = batch * ((promptLen + genLen + eo.blockSize - 1) / eo.blockSize + 1);
      eo.maxBatchTokens = 8192;
    }
    eo.maxBatchTokens = numberOption<int32_t>(a, "--max-batch-tokens", eo.maxBatchTokens);
    if (eo.maxBatchTokens < 1) throw std::invalid_argument("--max-batch-tokens must be positive");
    eo.maxBatchTokens = std::max(eo.maxBatchTokens, batch);  // every sequence decodes each step
    eng::EnginePool engine(std::move(backends), *tokenizer, eo);
    const int32_t requests = batch * gpus;
    std::mt19937_64 rng(7);
    std::mutex mu;
    std::condition_variable cv;
    int remaining = requests;
    int64_t generated = 0;
    std::string failure;
    auto t0 = std::chrono::steady_clock::now();
    for (int32_t i = 0; i < requests; ++i) {
      eng::Request r;
      for (int32_t k = 0; k < promptLen; ++k)
        r.promptIds.push_back(static_cast<int32_t>(rng() % static_cast<uint64_t>(config.vocabSize)));
      r.params = sampling;
      r.params.maxTokens = genLen;
      r.params.ignoreEos = true;
      engine.submit(std::move(r), [&](eng::Completion c) {
        std::lock_guard lock(mu);
        if (!c.ok) failure = c.error;
        generated += c.completionTokens;
        if (--remaining == 0) cv.notify_all();
      });
    }
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return remaining == 0; });
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!failure.empty()) throw std::runtime_error("a bench request failed: " + failure);

    double peakFraction = peak.gflopsPerSecond > 0 ? forward.gflopsPerSecond / peak.gflopsPerSecond : 0;
    const double totalTokens = double(generated) + double(requests) * promptLen;
    Json out = {{"model", source},
                {"backend", engine.backendName()},
                {"gpus", gpus},
                {"batch", batch},
                {"max_batch_tokens", eo.maxBatchTokens},
                {"sampling", {{"temperature", sampling.temperature}, {"top_p", sampling.topP}, {"top_k", sampling.topK},
                              {"min_p", sampling.minP}, {"repetition_penalty", sampling.repetitionPenalty}}},
                {"prompt_len", promptLen},
                {"gen_len", genLen},
                {"engine", {{"seconds", seconds},
                            {"requests", requests},
                            {"generated_tokens", generated},
                            {"generated_tokens_per_second", generated / seconds},
                            {"generated_tokens_per_second_per_gpu", generated / seconds / gpus},
                            {"total_tokens_per_second", totalTokens / seconds}}},
                {"decode_forward", {{"tokens_per_second", forward.tokensPerSecond},
                                    {"gflops_per_second", forward.gflopsPerSecond},
                                    {"fraction_of_fma_peak", peakFraction}}},
                {"fma_peak", {{"isa", peak.isa}, {"cores", peak.cores}, {"gflops_per_second", peak.gflopsPerSecond}}}};
    if (a.on("--json")) {
      std::cout << out.dump(2) << "\n";
      return kExitOk;
    }
    std::printf("mx bench engine: %s, %s backend\n", source.c_str(), engine.backendName().c_str());
    std::printf("  batch %d%s, prompt %d tokens, generate %d tokens\n\n", batch, gpus > 1 ? " per GPU" : "",
                promptLen, genLen);
    std::printf("  %-34s %12s\n", "measure", "value");
    std::printf("  %-34s %12.1f\n", "engine: generated tokens/s", generated / seconds);
    if (gpus > 1) std::printf("  %-34s %12.1f\n", "engine: generated tokens/s per GPU", generated / seconds / gpus);
    std::printf("  %-34s %12.1f\n", "engine: prompt+generated tokens/s", totalTokens / seconds);
    std::printf("  %-34s %12.1f\n", gpus > 1 ? "forward only (GPU 0): decode tok/s" : "forward only: decode tokens/s",
                forward.tokensPerSecond);
    std::printf("  %-34s %12.1f\n", "forward only: GFLOP/s", forward.gflopsPerSecond);
    if (!cuda) {
      std::printf("  %-34s %11.1f%%\n", "fraction of fp32 FMA peak", 100 * peakFraction);
      std::printf("  %-34s %12.1f  (%s, %d cores)\n", "fp32 FMA peak GFLOP/s", peak.gflopsPerSecond, peak.isa, peak.cores);
    }
    return kExitOk;
  });
}

}  // namespace mx::cli
