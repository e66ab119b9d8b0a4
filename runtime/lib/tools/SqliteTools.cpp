// SqliteTools.cpp — `tools NAME = sqlite("script.sql", per_task: true) { tool, ... }`: the
// provider behind it (Tools.h). The script runs once into a seed database; with per_task every
// task gets a private copy on first use (an in-memory page copy, microseconds), dropped when the
// task ends. The tools themselves are the TinyShop set (TinyShop.h).
#include <fstream>
#include <mutex>
#include <sstream>

#include "DatabaseDiff.h"
#include "TinyShop.h"
#include "mx/rt/Tools.h"

namespace mx::rt {
namespace {

using Json = nlohmann::ordered_json;
using tools::SqliteDb;

class SqliteTools : public ToolProvider {
 public:
  bool open(const ResourceInfo& r, const std::string& baseDir, std::string& error) {
    std::string script = r.stringArg("path");
    if (script.empty() && r.args.contains("#0") && r.args["#0"].is_string()) script = r.args["#0"];
    std::string path = script.empty() || script[0] == '/' ? script : baseDir + "/" + script;
    std::ifstream in(path);
    if (!in) {
      error = "cannot read the database script '" + path + "'";
      return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (!seed_.openMemory(error) || !seed_.exec(text.str(), error)) {
      error = path + ": " + error;
      return false;
    }
    perTask_ = !(r.args.contains("per_task") && r.args["per_task"].is_boolean() && !r.args["per_task"].get<bool>());
    if (!perTask_ && (!shared_.openMemory(error) || !shared_.copyFrom(seed_, error))) return false;
    schemas_ = Json::array();
    for (auto it = r.options.begin(); it != r.options.end(); ++it) {
      const Json* found = nullptr;
      for (const auto& s : tools::tinyShopSchemas())
        if (s["function"]["name"] == it.key()) found = &s;
      if (!found) {
        error = "the sqlite tool provider has no tool '" + it.key() +
                "' (it implements find_user, get_order, list_orders, cancel_order, transfer_to_human)";
        return false;
      }
      schemas_.push_back(*found);
      exposed_.push_back(it.key());
    }
    return true;
  }

  const Json& schemas() const override { return schemas_; }

  std::string invoke(TaskKey task, const std::string& name, const Json& args) override {
    Json result;
    if (std::find(exposed_.begin(), exposed_.end(), name) == exposed_.end()) {
      result = Json{{"error", "unknown tool " + name}};
    } else {
      std::lock_guard lock(mu_);
      SqliteDb* db = database(task);
      result = db ? tools::runTinyShopTool(*db, name, args) : Json{{"error", "the task's database could not be created"}};
    }
    return pythonJsonDumps(result);
  }

  bool matches(TaskKey task, const nlohmann::json& expected, bool& result, std::string& error) override {
    std::lock_guard lock(mu_);
    SqliteDb* db = database(task);
    if (!db) {
      error = "the task's database could not be created";
      return false;
    }
    return tools::matchesExpected(seed_, *db, expected, result, error);
  }

  void release(TaskKey task) override {
    if (!perTask_) return;
    std::lock_guard lock(mu_);
    perTaskDbs_.erase(task);
  }

 private:
  /// The task's database, created from the seed on first use. Called holding mu_.
  SqliteDb* database(TaskKey task) {
    if (!perTask_) return &shared_;
    auto it = perTaskDbs_.find(task);
    if (it != perTaskDbs_.end()) return &it->second;
    SqliteDb db;
    std::string error;
    if (!db.openMemory(error) || !db.copyFrom(seed_, error)) return nullptr;
    return &perTaskDbs_.emplace(task, std::move(db)).first->second;
  }

  SqliteDb seed_, shared_;
  bool perTask_ = true;
  Json schemas_;
  std::vector<std::string> exposed_;
  std::mutex mu_;  // SQLite connections are used from one thread at a time
  std::map<TaskKey, SqliteDb> perTaskDbs_;
};

}  // namespace

std::unique_ptr<ToolProvider> makeToolProvider(const ResourceInfo& resource, const std::string& baseDir,
                                               std::string& error) {
  if (resource.ctor != "sqlite") {
    error = "tools '" + resource.name + "': unknown provider '" + resource.ctor + "' (mx has sqlite)";
    return nullptr;
  }
  auto p = std::make_unique<SqliteTools>();
  if (!p->open(resource, baseDir, error)) {
    error = "tools '" + resource.name + "': " + error;
    return nullptr;
  }
  return p;
}

}  // namespace mx::rt
