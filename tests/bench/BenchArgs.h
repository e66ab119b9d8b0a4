// BenchArgs.h — command-line helpers shared by the benchmark programs in tests/bench/.
#pragma once

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace mx::bench {

/// "1,16,64" → {1, 16, 64}.
inline std::vector<int> parseList(const char* text) {
  std::vector<int> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(std::atoi(item.c_str()));
  return out;
}

}  // namespace mx::bench
