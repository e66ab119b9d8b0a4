// TinyShop.cpp — the TinyShop tools (TinyShop.h).
#include "TinyShop.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace mx::rt::tools {
namespace {

using Json = nlohmann::ordered_json;

Json error(const std::string& why) { return Json{{"error", why}}; }

// tools.json of models/tiny-agent, verbatim: these schemas are what the model saw in training.
constexpr const char* kSchemas = R"([
 {"type": "function", "function": {"name": "find_user", "description": "Find a user's id from their full name and zip code.", "parameters": {"type": "object", "properties": {"name": {"type": "string"}, "zip": {"type": "string"}}, "required": ["name", "zip"]}}},
 {"type": "function", "function": {"name": "get_order", "description": "Get the details of an order.", "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}},
 {"type": "function", "function": {"name": "list_orders", "description": "List the orders of a user.", "parameters": {"type": "object", "properties": {"user_id": {"type": "string"}}, "required": ["user_id"]}}},
 {"type": "function", "function": {"name": "cancel_order", "description": "Cancel a pending order.", "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}, "reason": {"type": "string", "enum": ["no longer needed", "ordered by mistake"]}}, "required": ["order_id", "reason"]}}},
 {"type": "function", "function": {"name": "transfer_to_human", "description": "Transfer the user to a human agent, with a summary of the request.", "parameters": {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}}}
])";

std::string withHash(std::string id) { return !id.empty() && id[0] == '#' ? id : "#" + id; }

/// The order as get_order returns it, or null when there is none.
Json order(SqliteDb& db, const std::string& id) {
  std::vector<Json> rows;
  std::string err;
  db.query("SELECT order_id, user_id, status, items, total, cancel_reason FROM orders WHERE order_id = ?1",
           {withHash(id)}, rows, err);
  if (rows.empty()) return nullptr;
  Json& r = rows[0];
  Json out = {{"order_id", r["order_id"]}, {"user_id", r["user_id"]}, {"status", r["status"]},
              {"items", Json::parse(r["items"].get<std::string>(), nullptr, false)}, {"total", r["total"]}};
  if (r["status"] == "cancelled") out["cancel_reason"] = r["cancel_reason"];
  return out;
}

}  // namespace

const Json& tinyShopSchemas() {
  static const Json schemas = Json::parse(kSchemas);
  return schemas;
}

Json runTinyShopTool(SqliteDb& db, const std::string& name, const Json& args) {
  const Json* schema = nullptr;
  for (const auto& s : tinyShopSchemas())
    if (s["function"]["name"] == name) schema = &s;
  if (!schema) return error("unknown tool " + name);
  // Exactly the schema's arguments, all strings: anything else is "bad arguments".
  const Json& props = (*schema)["function"]["parameters"]["properties"];
  if (!args.is_object() || args.size() != props.size()) return error("bad arguments for " + name);
  for (auto it = args.begin(); it != args.end(); ++it)
    if (!props.contains(it.key()) || !it.value().is_string()) return error("bad arguments for " + name);
  auto arg = [&](const char* key) { return args[key].get<std::string>(); };
  std::vector<Json> rows;
  std::string err;

  if (name == "find_user") {
    db.query("SELECT user_id FROM users WHERE lower(name) = lower(?1) AND zip = ?2", {arg("name"), arg("zip")}, rows, err);
    return rows.empty() ? error("user not found") : Json{{"user_id", rows[0]["user_id"]}};
  }
  if (name == "get_order") {
    Json o = order(db, arg("order_id"));
    return o.is_null() ? error("order not found") : o;
  }
  if (name == "list_orders") {
    db.query("SELECT user_id FROM users WHERE user_id = ?1", {arg("user_id")}, rows, err);
    if (rows.empty()) return error("user not found");
    rows.clear();
    db.query("SELECT order_id, status, items FROM orders WHERE user_id = ?1 ORDER BY order_id", {arg("user_id")}, rows, err);
    Json orders = Json::array();
    for (auto& r : rows)
      orders.push_back({{"order_id", r["order_id"]}, {"status", r["status"]},
                        {"items", Json::parse(r["items"].get<std::string>(), nullptr, false)}});
    return Json{{"orders", orders}};
  }
  if (name == "cancel_order") {
    Json o = order(db, arg("order_id"));
    if (o.is_null()) return error("order not found");
    std::string reason = arg("reason");
    if (reason != "no longer needed" && reason != "ordered by mistake")
      return error("reason must be 'no longer needed' or 'ordered by mistake'");
    if (o["status"] != "pending")
      return error("order " + o["order_id"].get<std::string>() + " is " + o["status"].get<std::string>() +
                   "; only pending orders can be cancelled");
    db.query("UPDATE orders SET status = 'cancelled', cancel_reason = ?2 WHERE order_id = ?1",
             {o["order_id"].get<std::string>(), reason}, rows, err);
    return order(db, o["order_id"].get<std::string>());
  }
  // transfer_to_human
  db.query("INSERT INTO tickets (summary) VALUES (?1)", {arg("summary")}, rows, err);
  return Json{{"result", "transfer successful"}};
}

}  // namespace mx::rt::tools
