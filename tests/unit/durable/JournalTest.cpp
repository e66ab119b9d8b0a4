// JournalTest.cpp — RunLogs: what a crashed run's journal gives back to a resume (finished
// tasks, checkpoints, output lengths), and the errors a resume must give instead of guessing.
// The scheduler's side (restoring and re-reading rows) is covered end to end by
// tests/integration/resume_test.py.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "durable/RunLogs.h"

namespace mx::rt::durable {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/mx-journal-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

uint64_t sizeOf(const std::string& path) { return slurp(path).size(); }

/// A module with one task type (two frame slots), one agent and one sink: enough for RunLogs,
/// which never runs code.
ModuleInfo makeModule() {
  ModuleInfo m;
  m.sourcePath = "test.mx";
  TaskInfo task;
  task.name = "T";
  task.fields = {{"n", "int"}};
  task.frameSize = 2;
  m.tasks.push_back(task);
  AgentInfo agent;
  agent.name = "a";
  m.agents.push_back(agent);
  m.resources.push_back(
      {"sink", "out", "jsonl", nlohmann::json{{"#0", "out.jsonl"}}, nlohmann::json::object()});
  return m;
}

LogsConfig makeConfig(const std::string& dir, bool resume = false) {
  LogsConfig c;
  c.runDir = dir;
  c.resume = resume;
  c.sinks = {{0, "out.jsonl"}};
  c.commitIntervalMs = 5;
  c.identity.schemaVersion = journalSchemaVersion();
  c.identity.descriptorHash = "hash-1";
  c.identity.pipeline = "p";
  c.identity.inputPath = "/data/rows.jsonl";
  c.identity.trials = 1;
  return c;
}

std::unique_ptr<TaskState> makeTask(uint64_t row) {
  auto t = std::make_unique<TaskState>();
  t->rowId = row;
  t->frame = {Value::integer(static_cast<int64_t>(row)), Value()};
  return t;
}

/// Runs a small "crashed" run in `dir`: rows 0-4 read; 0 done with a record, 3 failed, 1 and 2
/// stepped (so checkpointed), 4 never stepped. Ends without the complete mark, as a kill would
/// leave it (the last commit is what close(false) writes).
void crashedRun(const ModuleInfo& m, const std::string& dir) {
  RunLogs logs(m, makeConfig(dir));
  std::string error;
  ASSERT_TRUE(logs.open(nullptr, error)) << error;
  logs.start(16);
  std::vector<std::unique_ptr<TaskState>> tasks;
  for (uint64_t row = 0; row < 5; ++row) {
    tasks.push_back(makeTask(row));
    logs.add(*tasks.back());
  }
  logs.admitted(5);
  for (uint64_t row : {1, 2}) {
    TaskState& t = *tasks[row];
    logs.lock(t);
    t.frame[1] = Value::string("stepped " + std::to_string(row));
    t.steps = 1;
    t.randomDraws = 3;
    t.emits.emplace_back(0, Value::json(R"({"held": true})"));
    logs.unlock(t, true);
  }
  logs.lock(*tasks[0]);
  EXPECT_TRUE(logs.finish(0, 0, true, {{0, R"({"row":0})"}}, ""));
  logs.remove(*tasks[0]);
  logs.lock(*tasks[3]);
  EXPECT_TRUE(logs.finish(3, 0, false, {}, R"({"row":3,"error":"boom"})"));
  logs.remove(*tasks[3]);
  ASSERT_TRUE(logs.close(false, error)) << error;
}

TEST(Journal, ResumeGetsBackWhatWasDurable) {
  TempDir dir;
  ModuleInfo m = makeModule();
  crashedRun(m, dir.path);
  RunLogs logs(m, makeConfig(dir.path, true));
  ResumeState state;
  std::string error;
  ASSERT_TRUE(logs.open(&state, error)) << error;
  EXPECT_FALSE(state.complete);
  EXPECT_EQ(state.admitted, 5u);
  EXPECT_TRUE(state.finished.contains(0, 0));
  EXPECT_TRUE(state.finished.contains(3, 0));
  EXPECT_FALSE(state.finished.contains(1, 0));
  EXPECT_EQ(state.finished.below(), 1u);  // row 0; row 3 is above the mark
  ASSERT_EQ(state.tasks.size(), 2u);      // rows 1 and 2; row 4 never ran a step
  for (size_t i = 0; i < 2; ++i) {
    const TaskState& t = *state.tasks[i];
    EXPECT_EQ(t.rowId, i + 1);
    EXPECT_EQ(t.steps, 1u);
    EXPECT_EQ(t.randomDraws, 3u);
    EXPECT_EQ(t.frame[1].asString(), "stepped " + std::to_string(i + 1));
    ASSERT_EQ(t.emits.size(), 1u);
    EXPECT_TRUE(t.emits[0].second.get("held").asBool());
  }
  EXPECT_EQ(slurp(dir.path + "/out.jsonl"), "{\"row\":0}\n");
  EXPECT_EQ(slurp(dir.path + "/dead_letter.jsonl"), "{\"row\":3,\"error\":\"boom\"}\n");
}

TEST(Journal, OutputsAreCutBackToTheJournal) {
  TempDir dir;
  ModuleInfo m = makeModule();
  crashedRun(m, dir.path);
  // What a task wrote after the last commit, and a torn line: the resumed run writes them again.
  std::ofstream(dir.path + "/out.jsonl", std::ios::app) << "{\"row\":1}\n{\"row\":2";
  std::ofstream(dir.path + "/dead_letter.jsonl", std::ios::app) << "{\"row\":4,\"err";
  RunLogs logs(m, makeConfig(dir.path, true));
  ResumeState state;
  std::string error;
  ASSERT_TRUE(logs.open(&state, error)) << error;
  EXPECT_EQ(slurp(dir.path + "/out.jsonl"), "{\"row\":0}\n");
  EXPECT_EQ(slurp(dir.path + "/dead_letter.jsonl"), "{\"row\":3,\"error\":\"boom\"}\n");
}

TEST(Journal, ASinkShorterThanTheJournalSaysIsAnError) {
  TempDir dir;
  ModuleInfo m = makeModule();
  crashedRun(m, dir.path);
  ASSERT_EQ(truncate((dir.path + "/out.jsonl").c_str(), 3), 0);
  RunLogs logs(m, makeConfig(dir.path, true));
  ResumeState state;
  std::string error;
  EXPECT_FALSE(logs.open(&state, error));
  EXPECT_NE(error.find("out.jsonl"), std::string::npos) << error;
  EXPECT_NE(error.find("would lose records"), std::string::npos) << error;
}

TEST(Journal, PartialTailIsIgnored) {
  TempDir dir;
  ModuleInfo m = makeModule();
  crashedRun(m, dir.path);
  std::string journal = dir.path + "/journal.log";
  std::string bytes = slurp(journal);
  std::ofstream(journal, std::ios::app | std::ios::binary) << bytes.substr(0, 40);  // half a block
  RunLogs logs(m, makeConfig(dir.path, true));
  ResumeState state;
  std::string error;
  ASSERT_TRUE(logs.open(&state, error)) << error;
  EXPECT_EQ(state.tornTailBytes, 40u);
  EXPECT_EQ(state.tasks.size(), 2u);
}

TEST(Journal, CorruptMiddleIsReportedWithFileAndOffset) {
  TempDir dir;
  ModuleInfo m = makeModule();
  crashedRun(m, dir.path);
  std::string journal = dir.path + "/journal.log";
  {
    std::fstream f(journal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(24);  // inside the first block (the header) with intact blocks after it
    f.put('\x5A');
  }
  RunLogs logs(m, makeConfig(dir.path, true));
  ResumeState state;
  std::string error;
  EXPECT_FALSE(logs.open(&state, error));
  EXPECT_NE(error.find(journal + ": corrupt block at byte 0"), std::string::npos) << error;
}

TEST(Journal, AnotherPipelineIsRefused) {
  TempDir dir;
  ModuleInfo m = makeModule();
  crashedRun(m, dir.path);
  LogsConfig c = makeConfig(dir.path, true);
  c.identity.descriptorHash = "hash-2";
  RunLogs logs(m, c);
  ResumeState state;
  std::string error;
  EXPECT_FALSE(logs.open(&state, error));
  EXPECT_NE(error.find("another pipeline or another version of it"), std::string::npos) << error;
  EXPECT_NE(error.find("hash-1"), std::string::npos) << error;
}

TEST(Journal, OtherInputOrSeedIsRefused) {
  TempDir dir;
  ModuleInfo m = makeModule();
  crashedRun(m, dir.path);
  for (int which = 0; which < 2; ++which) {
    LogsConfig c = makeConfig(dir.path, true);
    if (which == 0)
      c.identity.inputPath = "/data/other.jsonl";
    else
      c.identity.seed = 99;
    RunLogs logs(m, c);
    ResumeState state;
    std::string error;
    EXPECT_FALSE(logs.open(&state, error));
    EXPECT_NE(error.find(which == 0 ? "other.jsonl" : "seed 0, not 99"), std::string::npos)
        << error;
  }
}

TEST(Journal, NoJournalIsAClearError) {
  TempDir dir;
  ModuleInfo m = makeModule();
  RunLogs logs(m, makeConfig(dir.path, true));
  ResumeState state;
  std::string error;
  EXPECT_FALSE(logs.open(&state, error));
  EXPECT_NE(error.find("has no journal"), std::string::npos) << error;
  RunIdentity id;
  EXPECT_FALSE(readRunIdentity(dir.path, id, error));
  EXPECT_NE(error.find("has no journal"), std::string::npos) << error;
}

TEST(Journal, FreshRunRefusesAnUnfinishedRunDirectory) {
  TempDir dir;
  ModuleInfo m = makeModule();
  crashedRun(m, dir.path);
  RunLogs logs(m, makeConfig(dir.path));
  std::string error;
  EXPECT_FALSE(logs.open(nullptr, error));
  EXPECT_NE(error.find("--resume"), std::string::npos) << error;
}

TEST(Journal, CompleteRunHasNothingToResumeAndMayBeOverwritten) {
  TempDir dir;
  ModuleInfo m = makeModule();
  {
    RunLogs logs(m, makeConfig(dir.path));
    std::string error;
    ASSERT_TRUE(logs.open(nullptr, error)) << error;
    logs.start(4);
    auto t = makeTask(0);
    logs.add(*t);
    logs.admitted(1);
    logs.lock(*t);
    logs.finish(0, 0, true, {{0, "{}"}}, "");
    logs.remove(*t);
    ASSERT_TRUE(logs.close(true, error)) << error;
  }
  RunIdentity id;
  std::string error;
  ASSERT_TRUE(readRunIdentity(dir.path, id, error)) << error;
  EXPECT_EQ(id.descriptorHash, "hash-1");
  EXPECT_EQ(id.inputPath, "/data/rows.jsonl");
  {
    RunLogs logs(m, makeConfig(dir.path, true));
    ResumeState state;
    ASSERT_TRUE(logs.open(&state, error)) << error;
    EXPECT_TRUE(state.complete);
  }
  RunLogs fresh(m, makeConfig(dir.path));
  ASSERT_TRUE(fresh.open(nullptr, error)) << error;
  EXPECT_EQ(sizeOf(dir.path + "/out.jsonl"), 0u);
}

TEST(Journal, RotationKeepsTheState) {
  TempDir dir;
  ModuleInfo m = makeModule();
  {
    LogsConfig c = makeConfig(dir.path);
    c.rotateBytes = 1;  // rewrite the journal whenever it is 4x its last snapshot
    RunLogs logs(m, c);
    std::string error;
    ASSERT_TRUE(logs.open(nullptr, error)) << error;
    logs.start(64);
    std::vector<std::unique_ptr<TaskState>> tasks;
    for (uint64_t row = 0; row < 50; ++row) {
      tasks.push_back(makeTask(row));
      logs.add(*tasks.back());
      logs.admitted(row + 1);
      TaskState& t = *tasks.back();
      logs.lock(t);
      t.steps = 1;
      logs.unlock(t, true);
      if (row % 2 == 0 || row == 25) {  // even rows (and 25) finish: 25 sits above the mark
        logs.lock(t);
        logs.finish(row, 0, true, {{0, "{\"row\":" + std::to_string(row) + "}"}}, "");
        logs.remove(t);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_TRUE(logs.close(false, error)) << error;
    EXPECT_GE(logs.stats().rotations, 1u);
  }
  RunLogs logs(m, makeConfig(dir.path, true));
  ResumeState state;
  std::string error;
  ASSERT_TRUE(logs.open(&state, error)) << error;
  EXPECT_EQ(state.admitted, 50u);
  for (uint64_t row = 0; row < 50; ++row)
    EXPECT_EQ(state.finished.contains(row, 0), row % 2 == 0 || row == 25) << row;
  EXPECT_EQ(state.tasks.size(), 24u);  // the odd rows but 25, each checkpointed once
  std::string out = slurp(dir.path + "/out.jsonl");
  EXPECT_NE(out.find("{\"row\":48}\n"), std::string::npos);
  EXPECT_NE(out.find("{\"row\":25}\n"), std::string::npos);
}

TEST(Journal, FinishedSetStaysSmall) {
  FinishedSet s(3);
  for (uint64_t row = 0; row < 1000; ++row)
    for (uint32_t trial = 3; trial-- > 0;) s.add(row, trial);  // trials end out of order
  EXPECT_EQ(s.below(), 3000u);
  EXPECT_TRUE(s.above().empty());
  EXPECT_TRUE(s.rowDone(999));
  s.add(1005, 1);
  EXPECT_FALSE(s.rowDone(1005));
  EXPECT_TRUE(s.contains(1005, 1));
  EXPECT_FALSE(s.contains(1005, 0));
  EXPECT_EQ(s.above(), (std::vector<uint64_t>{1005 * 3 + 1}));
  EXPECT_EQ(s.count(), 3001u);
  s.setBelow(1010 * 3);
  EXPECT_TRUE(s.above().empty());
  EXPECT_TRUE(s.rowDone(1009));
  EXPECT_EQ(s.count(), 3030u);
}

TEST(Journal, FinishedSetMatchesASimpleModel) {
  // Random end orders within a window, as a scheduler with tasks in flight produces them.
  std::mt19937_64 rng(5);
  for (int round = 0; round < 20; ++round) {
    FinishedSet s(1);
    std::set<uint64_t> model;
    std::vector<uint64_t> order(5000);
    for (uint64_t i = 0; i < order.size(); ++i) order[i] = i;
    for (size_t i = 0; i + 1 < order.size(); ++i)
      std::swap(order[i], order[i + rng() % std::min<size_t>(300, order.size() - i)]);
    for (size_t k = 0; k < order.size(); ++k) {
      s.addIndex(order[k]);
      model.insert(order[k]);
      if (k % 97 == 0) {
        uint64_t below = 0;
        while (model.count(below)) ++below;
        ASSERT_EQ(s.below(), below);
        ASSERT_EQ(s.count(), model.size());
        std::vector<uint64_t> above;
        for (uint64_t i : model)
          if (i >= below) above.push_back(i);
        ASSERT_EQ(s.above(), above);
        for (uint64_t probe = 0; probe < 5100; probe += 7)
          ASSERT_EQ(s.containsIndex(probe), model.count(probe) > 0);
      }
    }
    EXPECT_EQ(s.below(), 5000u);
  }
}

}  // namespace
}  // namespace mx::rt::durable
