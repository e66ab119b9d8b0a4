// SqliteDb.cpp — the SQLite handle of the tool providers (SqliteDb.h).
#include "SqliteDb.h"

namespace mx::rt::tools {

SqliteDb::~SqliteDb() {
  if (db_) sqlite3_close(db_);
}

SqliteDb& SqliteDb::operator=(SqliteDb&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

bool SqliteDb::openMemory(std::string& error) {
  if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    error = db_ ? sqlite3_errmsg(db_) : "out of memory";
    return false;
  }
  return true;
}

bool SqliteDb::exec(const std::string& sql, std::string& error) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return true;
  error = message ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  return false;
}

bool SqliteDb::query(const std::string& sql, const std::vector<std::string>& params,
                     std::vector<nlohmann::ordered_json>& rows, std::string& error) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db_);
    return false;
  }
  for (size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    nlohmann::ordered_json row = nlohmann::ordered_json::object();
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const char* name = sqlite3_column_name(stmt, c);
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER: row[name] = sqlite3_column_int64(stmt, c); break;
        case SQLITE_FLOAT: row[name] = sqlite3_column_double(stmt, c); break;
        case SQLITE_NULL: row[name] = nullptr; break;
        default: row[name] = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)); break;
      }
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) error = sqlite3_errmsg(db_);
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE;
}

bool SqliteDb::copyFrom(const SqliteDb& other, std::string& error) {
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(other.db_, "main", &size, 0);
  if (!bytes) {
    error = "cannot copy the seed database";
    return false;
  }
  // FREEONCLOSE + RESIZEABLE: the new connection owns the copy and may grow it.
  if (sqlite3_deserialize(db_, "main", bytes, size, size,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK) {
    error = sqlite3_errmsg(db_);
    return false;
  }
  return true;
}

std::vector<std::string> SqliteDb::tables() {
  std::vector<nlohmann::ordered_json> rows;
  std::string error;
  query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", {},
        rows, error);
  std::vector<std::string> out;
  for (auto& r : rows) out.push_back(r["name"]);
  return out;
}

std::string SqliteDb::primaryKey(const std::string& table) {
  std::vector<nlohmann::ordered_json> rows;
  std::string error;
  query("SELECT name FROM pragma_table_info(?1) WHERE pk > 0", {table}, rows, error);
  return rows.size() == 1 ? rows[0]["name"].get<std::string>() : "";
}

}  // namespace mx::rt::tools
