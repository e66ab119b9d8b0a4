// bench_tokenizer — single-threaded encode speed of a tokenizer.json on mixed text.
//
// A benchmark, not a test: it builds a few megabytes of text by concatenating the fixture case
// strings (English, code, numbers, whitespace runs, emoji, CJK, accents, special tokens), encodes
// it five times on one thread and prints the median in MB/s, once as one big encode call and
// once as one call per case string (the per-call overhead a chat engine pays).
//
//   bench_tokenizer [--model DIR] [--cases FILE | --text FILE] [--mb N] [--ids-out FILE]
//                   [--line-ids-out FILE] [--json]
// Defaults: the Qwen3 tokenizer and its cases from tests/fixtures/tokenizer-qwen3, 4 MB.
// --text encodes a file as it is (one string per line for the per-string run); --ids-out writes
// the ids of the whole-text encode as a JSON array, --line-ids-out those of each line (without
// its newline) as JSON lines, to compare with another implementation (tokenizer_vs_hf.py).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mx/engine/Tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRuns = 5;

double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int usage() {
  std::fprintf(stderr, "usage: bench_tokenizer [--model DIR] [--cases FILE | --text FILE] [--mb N] "
                       "[--ids-out FILE] [--line-ids-out FILE] [--json]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = MX_SOURCE_DIR "/tests/fixtures/tokenizer-qwen3";
  std::string casesPath, textPath, idsOut, lineIdsOut;
  double megabytes = 4;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (i + 1 < argc && arg == "--model") {
      model = argv[++i];
    } else if (i + 1 < argc && arg == "--cases") {
      casesPath = argv[++i];
    } else if (i + 1 < argc && arg == "--text") {
      textPath = argv[++i];
    } else if (i + 1 < argc && arg == "--ids-out") {
      idsOut = argv[++i];
    } else if (i + 1 < argc && arg == "--line-ids-out") {
      lineIdsOut = argv[++i];
    } else if (i + 1 < argc && arg == "--mb") {
      megabytes = std::atof(argv[++i]);
    } else {
      return usage();
    }
  }
  if (casesPath.empty()) casesPath = model + "/cases.jsonl";

  std::vector<std::string> strings;
  std::ifstream in(textPath.empty() ? casesPath : textPath, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    if (!textPath.empty()) {
      strings.push_back(line);
    } else if (!line.empty()) {
      strings.push_back(nlohmann::json::parse(line)["text"].get<std::string>());
    }
  }
  if (strings.empty()) {
    std::fprintf(stderr, "bench_tokenizer: %s: no text\n",
                 (textPath.empty() ? casesPath : textPath).c_str());
    return 1;
  }
  if (!textPath.empty()) megabytes = 0;  // the file as it is

  auto loadStart = Clock::now();
  std::string error;
  auto tokenizer = mx::engine::Tokenizer::load(model, error);
  if (!tokenizer) {
    std::fprintf(stderr, "bench_tokenizer: %s\n", error.c_str());
    return 1;
  }
  double loadSeconds = seconds(loadStart);

  // The corpus: the case strings, each followed by a newline, repeated to the size asked for.
  std::vector<std::string> pieces;
  std::string text;
  do {
    for (const std::string& s : strings) {
      pieces.push_back(s + "\n");
      text += pieces.back();
    }
  } while (text.size() < megabytes * 1e6);

  std::vector<mx::engine::TokenId> ids;
  ids.reserve(text.size());
  tokenizer->encode(text, ids);  // warm-up
  size_t tokens = ids.size();
  std::vector<double> whole, perString;
  for (int run = 0; run < kRuns; ++run) {
    ids.clear();
    auto start = Clock::now();
    tokenizer->encode(text, ids);
    whole.push_back(text.size() / 1e6 / seconds(start));
  }
  for (int run = 0; run < kRuns; ++run) {
    ids.clear();
    auto start = Clock::now();
    for (const std::string& p : pieces) tokenizer->encode(p, ids);
    perString.push_back(text.size() / 1e6 / seconds(start));
  }
  double wholeMBs = median(whole), perStringMBs = median(perString);
  if (!idsOut.empty()) {
    ids.clear();
    tokenizer->encode(text, ids);
    std::ofstream(idsOut) << nlohmann::json(ids).dump() << "\n";
  }
  if (!lineIdsOut.empty()) {
    std::ofstream out(lineIdsOut);
    for (const std::string& s : strings) out << nlohmann::json(tokenizer->encode(s)).dump() << "\n";
  }

  if (json) {
    std::printf("{\"tokenizer\": \"%s\", \"bytes\": %zu, \"tokens\": %zu, \"load_s\": %.3f, "
                "\"encode_mb_per_s\": %.2f, \"encode_per_string_mb_per_s\": %.2f}\n",
                tokenizer->name().c_str(), text.size(), tokens, loadSeconds, wholeMBs,
                perStringMBs);
  } else {
    std::printf("tokenizer        %s (loaded in %.2f s)\n", tokenizer->name().c_str(), loadSeconds);
    std::printf("text             %.2f MB, %zu tokens (%.2f bytes/token), %zu strings\n",
                text.size() / 1e6, tokens, double(text.size()) / tokens, pieces.size());
    std::printf("encode, 1 call   %8.2f MB/s  %10.0f tokens/s  (median of %d)\n", wholeMBs,
                wholeMBs * 1e6 / text.size() * tokens, kRuns);
    std::printf("encode, per str  %8.2f MB/s  %10.0f tokens/s  (median of %d)\n", perStringMBs,
                perStringMBs * 1e6 / text.size() * tokens, kRuns);
  }
  return 0;
}
