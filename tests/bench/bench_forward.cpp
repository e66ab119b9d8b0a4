// bench_forward.cpp — CPU backend decode throughput at batch 1, 16 and 64 for tiny-arith (its real
// weights) and the Qwen2.5-0.5B shape (random weights), with 128 prompt positions already in each
// sequence's cache, as tokens/s and as a fraction of the fp32 FMA peak.
//
// Peak = cores × (one core's measured FMA rate: 2 FMA pipes × lanes × 2 flops × clock). Two
// fractions are printed: wall-clock GFLOP/s over that peak, and GFLOP per CPU-second over one
// core's peak ("% busy"), which stays meaningful when other processes share the cores.
//
//   mx_bench_forward [--threads N] [--only tiny|qwen] [--batches 1,16,64] [--steps-scale X]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "BenchArgs.h"
#include "mx/engine/Backend.h"
#include "mx/engine/ForwardBench.h"

using namespace mx::engine;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Enough steps for a couple of seconds per row: the step time grows with batch and model size.
int stepsFor(const ModelConfig& c, int batch, double scale) {
  const double gflopPerStep = decodeFlopsPerToken(c, 128) * batch * 1e-9;
  int steps = int(std::max(8.0, 300.0 / (gflopPerStep + 0.3)) * scale);
  return std::max(2, std::min(steps, 400));
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  std::string only;
  std::vector<int> batches = {1, 16, 64};
  double stepsScale = 1.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
    else if (!std::strcmp(argv[i], "--batches")) batches = mx::bench::parseList(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--steps-scale")) stepsScale = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--threads N] [--only tiny|qwen] [--batches 1,16,64]\n",
                   argv[0]);
      return 2;
    }
  }

  const FmaPeak peak = measureFmaPeak(threads);
  if (peak.ghz > 0)
    std::printf("fp32 FMA peak: %d cores x 2 FMA pipes x %d lanes (%s) x 2 flops x %.2f GHz "
                "(measured %.1f GFLOP/s per core) = %.1f GFLOP/s\n",
                peak.cores, peak.lanes, peak.isa, peak.ghz, peak.gflopsPerCore,
                peak.gflopsPerSecond);
  else
    std::printf("fp32 peak (%s, no FMA): %d cores x %.1f GFLOP/s measured per core = %.1f GFLOP/s\n",
                peak.isa, peak.cores, peak.gflopsPerCore, peak.gflopsPerSecond);
  std::printf("%-15s %5s %5s %6s %10s %9s %7s %7s %9s\n", "model", "batch", "ctx", "steps",
              "tokens/s", "GFLOP/s", "% peak", "% busy", "prefill s");

  const std::string root = MX_SOURCE_DIR;
  struct Model {
    const char* name;
    std::unique_ptr<Backend> (*make)(const std::string& root, int threads);
  };
  const Model models[] = {
      {"tiny", [](const std::string& r, int t) { return makeCpuBackend(r + "/models/tiny-arith", t); }},
      {"qwen", [](const std::string& r, int t) {
         std::string path = r + "/tests/fixtures/model-shapes/qwen-0.5b.json";
         return makeRandomCpuBackend(ModelConfig::parse(readFile(path), "", path), 7, t);
       }},
  };
  for (const Model& m : models) {
    if (!only.empty() && only != m.name) continue;
    std::unique_ptr<Backend> backend = m.make(root, threads);
    const char* label = std::strcmp(m.name, "tiny") == 0 ? "tiny-arith" : "qwen-0.5b-shape";
    for (int batch : batches) {
      DecodeBenchOptions o;
      o.batch = batch;
      o.promptLen = 128;
      o.steps = stepsFor(backend->config(), batch, stepsScale);
      DecodeBenchResult r = benchDecode(*backend, o);
      std::printf("%-15s %5d %5d %6d %10.1f %9.1f %6.1f%% %6.1f%% %9.2f\n", label, batch,
                  o.promptLen, o.steps, r.tokensPerSecond, r.gflopsPerSecond,
                  100.0 * r.gflopsPerSecond / peak.gflopsPerSecond,
                  100.0 * r.flops / r.cpuSeconds * 1e-9 / peak.gflopsPerCore, r.prefillSeconds);
      std::fflush(stdout);
    }
  }
  return 0;
}
