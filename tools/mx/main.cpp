// mx — runs pipelines: `mx run FILE.mx` (compiled in process by the JIT plugin) or
// `mx run --aot pipeline.so` (compiled ahead of time by `mxc -o`).
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <tbb/global_control.h>

#include "EngineCommands.h"
#include "ModuleLoader.h"
#include "Repl.h"
#include "mx/ExitCodes.h"
#include "mx/LargeStack.h"
#include "mx/rt/Journal.h"
#include "mx/rt/ModuleInfo.h"
#include "mx/rt/Runner.h"

namespace {

using mx::cli::LoadedModule, mx::cli::loadAot, mx::cli::loadJit;

constexpr const char* kMxVersion = "0.1.0";

constexpr const char* kUsage = R"(mx — run synthetic-data pipelines written in .mx

Usage:
  mx run [options] FILE.mx          compile FILE.mx in process (JIT) and run it
  mx run [options] --aot PIPELINE.so run a pipeline compiled with `mxc -o`
  mx run --resume DIR [FILE.mx | --aot PIPELINE.so]
                                    finish a run that was killed or crashed (the program
                                    defaults to the one the run was started with)
  mx tokenize --model DIR (TEXT | --file F)     token ids of TEXT, as JSON
  mx template --model DIR --messages F.json     the prompt the chat template renders
  mx generate --model DIR (--prompt TEXT | --messages F.json) [--json]
                                    generate with the built-in engine
  mx bench engine (--model DIR | --config F) [--batch B --prompt-len P --gen-len G]
                                    engine and forward-pass throughput
  mx repl FILE.mx [RUN_DIR]         inspect, step, replay and fork tasks (docs/repl.md)
  (each command's --help lists its options)

Options for run:
  -o, --output DIR       run directory: sinks, dead_letter.jsonl, journal.log, trajectory.log,
                         stats.json (default runs/<pipeline>-<time>)
  --input FILE           read rows from FILE instead of the task's source
  --pipeline NAME        which pipeline to run (default: the first)
  --max-in-flight N      tasks alive at once (default: the pipeline's max_in_flight, else 1024)
  --limit N              stop after N input rows
  --seed S               run seed (default: the pipeline's seed, else 0)
  --mode row|batch       row: every task advances on its own (default); batch: rows in batches
  --batch-size B         rows per batch in batch mode (default 64)
  --workers N            worker threads (default: one per hardware thread)
  --stats-json FILE      write the run's statistics as JSON
  --metrics-port PORT    serve Prometheus metrics at http://HOST:PORT/metrics while the run goes
                         (queue lengths, in flight, rates, step and call latencies; 0: a free port)
  --progress / --no-progress   live progress line (default: on when stderr is a terminal)
  --resume DIR           continue the run in DIR from its journal: every row's output exactly
                         once, however the run ended (docs/trajectory.md)
  --no-journal           no DIR/journal.log (the run cannot be resumed)
  --no-trajectory        no DIR/trajectory.log (the record of every step)
  -h, --help             show this help

Exit status: 0 the run finished (failed rows are in dead_letter.jsonl); 1 the program has errors
or the run had to stop; 2 bad command line; 3 an input could not be read; 4 internal error.
)";

int usageError(const std::string& message) {
  std::cerr << "mx: " << message << "\nTry 'mx --help'.\n";
  return mx::kExitUsage;
}

std::string absolutePath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

std::string dirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool makeDirs(const std::string& path) {
  std::string cur;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!cur.empty() && mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    if (i < path.size()) cur += path[i];
  }
  return true;
}

int runCommand(const std::vector<std::string>& args) {
  mx::rt::RunOptions options;
  std::string file, aot, statsPath, mode = "row";
  size_t batchSize = 64;
  int progress = -1;
  auto number = [&](size_t& i, const std::string& flag, int64_t& out) {
    if (i + 1 >= args.size()) return false;
    try {
      out = std::stoll(args[++i]);
      return true;
    } catch (...) {
      std::cerr << "mx: " << flag << " needs a number, got '" << args[i] << "'\n";
      return false;
    }
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    int64_t n = 0;
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return mx::kExitOk;
    } else if ((a == "-o" || a == "--output") && i + 1 < args.size()) {
      options.runDir = args[++i];
    } else if (a == "--input" && i + 1 < args.size()) {
      options.inputOverride = args[++i];
    } else if (a == "--pipeline" && i + 1 < args.size()) {
      options.pipeline = args[++i];
    } else if (a == "--aot" && i + 1 < args.size()) {
      aot = args[++i];
    } else if (a == "--metrics-port") {
      if (!number(i, a, n) || n < 0 || n > 65535) return usageError("--metrics-port needs a port number (0-65535)");
      options.metricsPort = static_cast<int>(n);
    } else if (a == "--max-in-flight") {
      if (!number(i, a, n) || n < 1) return usageError("--max-in-flight needs a positive number");
      options.maxInFlight = n;
    } else if (a == "--limit") {
      if (!number(i, a, n) || n < 0) return usageError("--limit needs a number");
      options.limit = n;
    } else if (a == "--seed") {
      if (!number(i, a, n)) return usageError("--seed needs a number");
      options.seed = n;
    } else if (a == "--workers") {
      if (!number(i, a, n) || n < 1) return usageError("--workers needs a positive number");
      options.workers = static_cast<unsigned>(n);
    } else if (a == "--mode" && i + 1 < args.size()) {
      mode = args[++i];
      if (mode != "row" && mode != "batch") return usageError("--mode is row or batch");
      if (mode == "batch" && i + 1 < args.size() && !args[i + 1].empty() && std::isdigit(args[i + 1][0]))
        batchSize = std::stoul(args[++i]);  // `--mode batch 64`
    } else if (a == "--batch-size") {
      if (!number(i, a, n) || n < 1) return usageError("--batch-size needs a positive number");
      batchSize = static_cast<size_t>(n);
    } else if (a == "--stats-json" && i + 1 < args.size()) {
      statsPath = args[++i];
    } else if (a == "--progress") {
      progress = 1;
    } else if (a == "--no-progress") {
      progress = 0;
    } else if (a == "--resume") {
      if (i + 1 >= args.size()) return usageError("--resume needs the run directory to continue");
      options.resume = true;
      options.runDir = args[++i];
    } else if (a == "--no-journal") {
      options.journal = false;
    } else if (a == "--no-trajectory") {
      options.trajectory = false;
    } else if (a == "--metrics-port") {
      return usageError(a + " is not available in this build yet");
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option '" + a + "'");
    } else if (file.empty()) {
      file = a;
    } else {
      return usageError("one pipeline at a time ('" + a + "' is extra)");
    }
  }
  if (options.resume) {
    if (mode == "batch") return usageError("--resume continues a row-mode run; batch mode keeps no journal");
    if (!options.journal) return usageError("--resume needs the journal; drop --no-journal");
    mx::rt::RunIdentity before;  // the program the run was started with
    std::string why;
    if (!mx::rt::readRunIdentity(options.runDir, before, why)) {
      std::cerr << "mx: error: cannot resume: " << why << '\n';
      return mx::kExitInput;
    }
    if (file.empty() && aot.empty()) (before.aot ? aot : file) = before.modulePath;
  }
  if (file.empty() == aot.empty()) return usageError(file.empty() ? "no pipeline given" : "give FILE.mx or --aot, not both");
  if (mode == "batch") options.batchSize = batchSize;
  options.progress = progress == -1 ? isatty(STDERR_FILENO) : progress == 1;

  LoadedModule loaded;
  int rc = aot.empty() ? loadJit(file, loaded) : loadAot(aot, loaded);
  if (rc != mx::kExitOk) return rc;
  std::string error;
  auto module = mx::rt::ModuleInfo::load(loaded.module, error);
  if (!module) {
    std::cerr << "mx: error: " << (aot.empty() ? file : aot) << ": " << error << '\n';
    return mx::kExitInput;
  }
  options.baseDir = module->baseDir.empty() ? dirOf(module->sourcePath) : module->baseDir;
  options.aot = !aot.empty();
  options.modulePath = absolutePath(aot.empty() ? file : aot);
  options.descriptorHash = mx::rt::descriptorHash(loaded.module->descriptor);
  options.mxVersion = kMxVersion;
  if (options.runDir.empty()) {
    const auto* p = module->pipeline(options.pipeline);
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    options.runDir = "runs/" + (p ? p->name : std::string("run")) + "-" + stamp;
  }
  if (!makeDirs(options.runDir)) {
    std::cerr << "mx: error: cannot create the run directory '" << options.runDir << "': " << std::strerror(errno) << '\n';
    return mx::kExitInput;
  }
  mx::rt::RunStats stats;
  bool ok = mx::rt::runPipeline(*module, options, stats, error);
  if (options.resume && stats.alreadyComplete) {  // leave the finished run's stats.json alone
    std::cerr << "mx: the run in " << options.runDir << " already finished; nothing to resume\n";
    return ok ? mx::kExitOk : mx::kExitProgramErrors;
  }
  int failure = stats.inputUnreadable ? mx::kExitInput : mx::kExitProgramErrors;
  if (!ok && stats.seconds == 0) {  // refused before anything ran: say only why
    std::cerr << "mx: error: " << error << '\n';
    return failure;
  }
  std::string json = stats.toJson();
  std::ofstream(options.runDir + "/stats.json") << json << '\n';
  if (!statsPath.empty()) std::ofstream(statsPath) << json << '\n';
  std::cerr << "mx: " << (stats.resumed ? "resumed: " : "") << stats.tasksDone << " tasks done, " << stats.tasksFailed
            << " failed, " << stats.rowsBad << " bad rows, " << stats.emitted << " records in " << stats.seconds
            << " s -> " << options.runDir << '\n';
  if (!ok) {
    std::cerr << "mx: error: " << error << '\n';
    return failure;
  }
  return mx::kExitOk;
}


}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usageError("no command given");
  if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return mx::kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "mx " << kMxVersion << "\n";
    return mx::kExitOk;
  }
  if (args[0] == "tokenize") return mx::cli::tokenizeCommand({args.begin() + 1, args.end()});
  if (args[0] == "template") return mx::cli::templateCommand({args.begin() + 1, args.end()});
  if (args[0] == "generate") return mx::cli::generateCommand({args.begin() + 1, args.end()});
  if (args[0] == "bench") return mx::cli::benchCommand({args.begin() + 1, args.end()});
  if (args[0] == "repl") return mx::cli::replCommand({args.begin() + 1, args.end()});
  if (args[0] == "run") {
    // Compiled fns recurse on the worker's stack; mx_rt_enter bounds the depth for this size.
    tbb::global_control stack(tbb::global_control::thread_stack_size, 64u << 20);
    std::vector<std::string> rest(args.begin() + 1, args.end());
    return mx::runWithLargeStack([&] { return runCommand(rest); });
  }
  return usageError("unknown command '" + args[0] + "'");
}
