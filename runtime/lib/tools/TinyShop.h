// TinyShop.h — the TinyShop tools (find_user, get_order, list_orders, cancel_order,
// transfer_to_human) over a shop database, exactly as models/tiny-agent was trained to use them
// (its fixture README: arguments, result keys and their order, error texts).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "SqliteDb.h"

namespace mx::rt::tools {

/// Every TinyShop tool's OpenAI function schema, in tools.json's order and key order.
const nlohmann::ordered_json& tinyShopSchemas();

/// Runs tool `name` on `db`; the result object (tool errors are results: {"error": ...}).
nlohmann::ordered_json runTinyShopTool(SqliteDb& db, const std::string& name, const nlohmann::ordered_json& args);

}  // namespace mx::rt::tools
