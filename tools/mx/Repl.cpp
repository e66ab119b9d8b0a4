// Repl.cpp — `mx repl`: loads the program and the run, then reads commands from a terminal
// (libedit: line editing, history, tab completion) or, when standard input is not a terminal,
// from a script, one command a line.
#include "Repl.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include <editline/readline.h>

#include "ModuleLoader.h"
#include "ReplJitEval.h"
#include "ReplPrompt.h"
#include "ReplSession.h"
#include "mx/ExitCodes.h"
#include "mx/LargeStack.h"
#include "mx/rt/Journal.h"
#include "mx/rt/TaskDebugger.h"

namespace mx::cli {

namespace {

constexpr const char* kUsage = R"(mx repl — inspect, step, replay and fork the tasks of a run

Usage:
  mx repl [--pipeline NAME] FILE.mx [RUN_DIR]
  mx repl [--pipeline NAME] --aot PIPELINE.so [RUN_DIR]

RUN_DIR is a directory `mx run` wrote (its trajectory.log). Without it, `run N` steps new rows
from the pipeline's source. Commands are read from the terminal (with editing, history and tab
completion) or, when standard input is not a terminal, one a line from it; `help` lists them.
Exit status: 0; 1 when a command of a script failed; 2 bad command line; 3 unreadable program.
)";

// libedit's readline interface calls completion back without a user pointer, so the session
// it completes for is reachable only from here; set while a terminal session runs.
ReplSession* completing = nullptr;
std::vector<std::string> candidates;

char* nextCandidate(const char*, int state) {
  static size_t next = 0;
  if (state == 0) next = 0;
  return next < candidates.size() ? strdup(candidates[next++].c_str()) : nullptr;
}

char** completeWord(const char* text, int start, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  if (!completing) return nullptr;
  candidates = completing->complete(std::string(rl_line_buffer, static_cast<size_t>(start)), text);
  if (candidates.empty()) return nullptr;
  return rl_completion_matches(text, nextCandidate);
}

std::string historyPath() {
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.mx_repl_history" : std::string();
}

int interactive(ReplSession& session) {
  completing = &session;
  rl_readline_name = "mx";
  rl_attempted_completion_function = completeWord;
  rl_basic_word_break_characters = " \t";
  using_history();
  std::string saved = historyPath();
  if (!saved.empty()) read_history(saved.c_str());
  while (char* raw = readline("mx> ")) {
    std::string line(raw);
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
    if (!session.execute(line)) break;
  }
  if (!saved.empty()) write_history(saved.c_str());
  completing = nullptr;
  return kExitOk;
}

int script(ReplSession& session) {
  std::string line;
  while (std::getline(std::cin, line) && session.execute(line)) {
  }
  return session.failures() ? kExitProgramErrors : kExitOk;
}

int repl(const std::vector<std::string>& args) {
  std::string file, aot, runDir, pipeline;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-h" || args[i] == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else if (args[i] == "--aot" && i + 1 < args.size()) {
      aot = args[++i];
    } else if (args[i] == "--pipeline" && i + 1 < args.size()) {
      pipeline = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::cerr << "mx repl: unknown option '" << args[i] << "'\nTry 'mx repl --help'.\n";
      return kExitUsage;
    } else if (file.empty() && aot.empty()) {
      file = args[i];
    } else if (runDir.empty()) {
      runDir = args[i];
    } else {
      std::cerr << "mx repl: one program and one run directory ('" << args[i] << "' is extra)\n";
      return kExitUsage;
    }
  }
  if (file.empty() && aot.empty()) {
    std::cerr << "mx repl: no program given\nTry 'mx repl --help'.\n";
    return kExitUsage;
  }
  LoadedModule loaded;
  int rc = aot.empty() ? loadJit(file, loaded) : loadAot(aot, loaded);
  if (rc != kExitOk) return rc;
  std::string error;
  auto module = rt::ModuleInfo::load(loaded.module, error);
  if (!module) {
    std::cerr << "mx repl: error: " << (aot.empty() ? file : aot) << ": " << error << '\n';
    return kExitInput;
  }
  std::string baseDir = module->baseDir;
  if (baseDir.empty()) {
    const std::string& src = module->sourcePath;
    baseDir = src.find('/') == std::string::npos ? "." : src.substr(0, src.rfind('/'));
  }
  rt::TaskDebugger debugger(*module, baseDir);
  if (!debugger.usePipeline(pipeline, error)) {
    std::cerr << "mx repl: error: " << error << '\n';
    return kExitUsage;
  }
  std::string hash = rt::descriptorHash(loaded.module->descriptor);
  JitEvaluator jit(aot.empty() ? file : std::string());
  PromptRenderer prompts(*module, baseDir);
  ReplSession session(debugger, hash, std::cout, std::cerr, &jit, &prompts);
  std::cout << "mx repl: pipeline " << debugger.pipeline().name << " of " << module->sourcePath;
  if (!runDir.empty() && debugger.openRun(runDir, hash, error))
    std::cout << "; " << runDir << ": " << debugger.tasks().size() << " tasks";
  std::cout << " (help lists the commands)" << std::endl;
  if (!error.empty()) std::cerr << "error: " << error << std::endl;  // the session goes on
  return isatty(STDIN_FILENO) ? interactive(session) : script(session);
}

}  // namespace

int replCommand(const std::vector<std::string>& args) {
  return runWithLargeStack([&] { return repl(args); });
}

}  // namespace mx::cli
