// SqliteDb.h — a thin RAII handle over one SQLite connection, with the few query shapes the
// tool providers need (bound text parameters, rows as ordered JSON objects).
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mx::rt::tools {

class SqliteDb {
 public:
  SqliteDb() = default;
  ~SqliteDb();
  SqliteDb(SqliteDb&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  SqliteDb& operator=(SqliteDb&& o) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  /// A fresh in-memory database; false with `error`.
  bool openMemory(std::string& error);
  /// Runs a script of statements; false with `error` (SQLite's message).
  bool exec(const std::string& sql, std::string& error);
  /// Rows of a query with text parameters ?1, ?2, ...; columns as JSON (null, integer, real, text).
  bool query(const std::string& sql, const std::vector<std::string>& params,
             std::vector<nlohmann::ordered_json>& rows, std::string& error);
  /// An exact copy of another connection's main database (sqlite3_serialize/deserialize).
  bool copyFrom(const SqliteDb& other, std::string& error);
  /// Names of the user tables, sorted.
  std::vector<std::string> tables();
  /// The primary-key column of `table` ("" when it has none or several).
  std::string primaryKey(const std::string& table);

  sqlite3* raw() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace mx::rt::tools
