// AbiSymbols.h — the address of every mx_rt_* function, for the JIT to register explicitly
// (compiled code may call exactly these and nothing else of the host).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mx::rt {

std::vector<std::pair<std::string, void*>> abiSymbols();

}  // namespace mx::rt
