// EngineCommands.h — `mx tokenize`, `mx template`, `mx generate` and `mx bench engine`: the
// built-in engine from the command line (tests and people use these forms; keep them stable).
#pragma once

#include <string>
#include <vector>

namespace mx::cli {

int tokenizeCommand(const std::vector<std::string>& args);
int templateCommand(const std::vector<std::string>& args);
int generateCommand(const std::vector<std::string>& args);
int benchCommand(const std::vector<std::string>& args);

}  // namespace mx::cli
