// DatabaseDiff.cpp — comparing a task's database with the seed plus expected changes.
#include "DatabaseDiff.h"

#include <map>

namespace mx::rt::tools {
namespace {

using Json = nlohmann::ordered_json;

/// Values compare as JSON, numbers by value (34.5 written as an int or a float is the same).
bool sameValue(const nlohmann::json& want, const Json& got) {
  if (want.is_number() && got.is_number()) return want.get<double>() == got.get<double>();
  return Json(want) == got;
}

/// Every column `want` names has that value in `row`.
bool rowHas(const nlohmann::json& want, const Json& row) {
  for (auto it = want.begin(); it != want.end(); ++it)
    if (!row.contains(it.key()) || !sameValue(it.value(), row[it.key()])) return false;
  return true;
}

std::string keyText(const Json& v) { return v.dump(); }

}  // namespace

bool matchesExpected(SqliteDb& seed, SqliteDb& task, const nlohmann::json& expected, bool& result,
                     std::string& error) {
  if (!expected.is_object()) {
    error = "matches: expected must be an object of table names to lists of rows";
    return false;
  }
  auto tables = task.tables();
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    if (std::find(tables.begin(), tables.end(), it.key()) == tables.end()) {
      error = "matches: the database has no table '" + it.key() + "'";
      return false;
    }
    if (!it.value().is_array()) {
      error = "matches: expected['" + it.key() + "'] must be a list of rows";
      return false;
    }
    for (const auto& row : it.value())
      if (!row.is_object()) {
        error = "matches: every row of expected['" + it.key() + "'] must be an object";
        return false;
      }
  }
  result = false;
  for (const auto& table : tables) {
    std::string pk = task.primaryKey(table);
    std::vector<Json> seedRows, taskRows;
    std::string sql = "SELECT * FROM \"" + table + "\"";
    if (!seed.query(sql, {}, seedRows, error) || !task.query(sql, {}, taskRows, error)) return false;
    nlohmann::json want = expected.contains(table) ? expected[table] : nlohmann::json::array();
    if (pk.empty()) {  // no key: the rows must be the seed's exactly (as multisets)
      if (!want.empty()) {
        error = "matches: table '" + table + "' has no primary key to name rows by";
        return false;
      }
      auto a = seedRows, b = taskRows;
      auto less = [](const Json& x, const Json& y) { return x.dump() < y.dump(); };
      std::sort(a.begin(), a.end(), less);
      std::sort(b.begin(), b.end(), less);
      if (a != b) return true;
      continue;
    }
    std::map<std::string, const Json*> seedByKey, taskByKey;
    for (const auto& r : seedRows) seedByKey[keyText(r[pk])] = &r;
    for (const auto& r : taskRows) taskByKey[keyText(r[pk])] = &r;
    std::map<std::string, bool> changed;  // keys that expected rows name
    std::vector<nlohmann::json> inserts;
    for (const auto& w : want) {
      if (!w.contains(pk)) {
        inserts.push_back(w);
        continue;
      }
      std::string key = keyText(Json(w[pk]));
      auto found = taskByKey.find(key);
      if (found == taskByKey.end() || !rowHas(w, *found->second)) return true;
      changed[key] = true;
    }
    // Rows the seed has: unchanged unless expected names them; none may disappear.
    for (const auto& [key, row] : seedByKey) {
      auto found = taskByKey.find(key);
      if (found == taskByKey.end()) return true;
      if (!changed.count(key) && *found->second != *row) return true;
    }
    // Rows the task added: one for one against the expected rows without a key.
    std::vector<bool> used(inserts.size(), false);
    for (const auto& [key, row] : taskByKey) {
      if (seedByKey.count(key) || changed.count(key)) continue;
      bool matched = false;
      for (size_t i = 0; i < inserts.size() && !matched; ++i)
        if (!used[i] && rowHas(inserts[i], *row)) used[i] = matched = true;
      if (!matched) return true;
    }
    if (std::find(used.begin(), used.end(), false) != used.end()) return true;
  }
  result = true;
  return true;
}

}  // namespace mx::rt::tools
