// Repl.h — `mx repl FILE.mx [RUN_DIR]`: inspect, step, replay and fork the tasks of a run
// (docs/repl.md).
#pragma once

#include <string>
#include <vector>

namespace mx::cli {

int replCommand(const std::vector<std::string>& args);

}  // namespace mx::cli
