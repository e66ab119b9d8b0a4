// DatabaseDiff.h — `tools.matches(expected)`: whether a task's database equals the seed database
// changed by exactly `expected` (docs/language.md §4.4).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "SqliteDb.h"

namespace mx::rt::tools {

/// Sets `result`; false with `error` when `expected` is malformed (not an object of lists of
/// objects, or a table the database does not have).
bool matchesExpected(SqliteDb& seed, SqliteDb& task, const nlohmann::json& expected, bool& result,
                     std::string& error);

}  // namespace mx::rt::tools
