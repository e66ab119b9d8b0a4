// Runner.cpp — the scheduler: admission, per-agent queues, oneTBB workers, effects, retries,
// dead letters, sinks and statistics. See Runner.h for the two modes.
//
// Life of a task: the reader thread admits a row (blocking while max_in_flight tasks are alive:
// backpressure), runs the task type's init function to fill the frame, and pushes the task on
// the start agent's queue. Each push also enqueues one oneTBB job that pops one task from that
// queue and runs one step; so workers never block, and nothing central sits between steps. A
// step ends in goto (push to the next queue), await (hand the calls to their backends, whose
// completions push the task back), done (its held records go to the sinks), or fail (write a
// dead letter). A task's whole state is its TaskState: frame, resume point, results, seeds.
#include "mx/rt/Runner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "AgentQueue.h"
#include "mx/rt/Context.h"
#include "mx/rt/Effects.h"
#include "mx/rt/Jsonl.h"
#include "mx/rt/ModelBackend.h"
#include "mx/stdlib/Builtins.h"

namespace mx::rt {

struct TaskState {
  uint64_t rowId = 0;
  uint32_t trial = 0;
  uint32_t agent = 0;
  int32_t resume = 0;
  uint32_t attempts = 0;     // failed attempts of the current step
  uint64_t randomDraws = 0;  // random() calls so far: part of the task's seed state
  uint64_t callIndex = 0;    // model/tool calls so far: seeds each call
  std::vector<Value> frame;
  std::vector<Value> results;          // results of the await being resumed
  std::vector<PendingCall> calls;      // the calls of the current await (kept for retries)
  std::vector<std::pair<uint32_t, Value>> emits;  // held until the task is done: a row ends
                                                  // as all its records or one dead letter
  std::atomic<uint32_t> pending{0};
  std::string callError;               // first failed call of the current await
  std::mutex callMu;
};

namespace {

using Clock = std::chrono::steady_clock;

uint64_t mix(uint64_t a, uint64_t b) {  // splitmix64 of a combined with b
  uint64_t z = a + 0x9E3779B97F4A7C15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t peakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<uint64_t>(u.ru_maxrss);
}

std::string joinPath(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return dir + "/" + path;
}

/// Counters that workers bump concurrently; copied into RunStats at the end.
struct Counters {
  std::atomic<uint64_t> tasksDone{0}, tasksFailed{0}, emitted{0}, steps{0}, llmCalls{0}, tokensIn{0}, tokensOut{0};
};

class Scheduler {
 public:
  Scheduler(const ModuleInfo& m, const RunOptions& o, RunStats& s) : m_(m), o_(o), stats_(s) {}

  bool run(std::string& error) {
    pipeline_ = m_.pipeline(o_.pipeline);
    if (!pipeline_) {
      error = o_.pipeline.empty() ? "the program declares no pipeline" : "no pipeline named '" + o_.pipeline + "'";
      return false;
    }
    start_ = &m_.agents[pipeline_->start];
    task_ = &m_.tasks[start_->task];
    maxInFlight_ = o_.maxInFlight > 0 ? o_.maxInFlight : pipeline_->option("max_in_flight", 1024);
    retries_ = static_cast<uint32_t>(pipeline_->option("retries", 0));
    trials_ = static_cast<uint32_t>(pipeline_->option("trials", 1));
    seed_ = static_cast<uint64_t>(o_.seed ? *o_.seed : pipeline_->option("seed", 0));
    if (!openResources(error)) return false;
    for (size_t i = 0; i < m_.agents.size(); ++i) queues_.push_back(std::make_unique<LocalAgentQueue>());

    unsigned workers = o_.workers ? o_.workers : std::max(1u, std::thread::hardware_concurrency());
    // oneTBB caps its workers at the hardware threads minus one (it expects a master thread to
    // join); here the master only reads rows, so allow every worker the run asks for.
    tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, workers + 1);
    arena_.initialize(static_cast<int>(workers), 0);  // no slot reserved: only workers step
    workers_ = static_cast<int>(workers);
    auto t0 = Clock::now();
    std::thread progress;
    if (o_.progress) progress = std::thread([this, t0] { reportProgress(t0); });

    bool ok = o_.batchSize ? readBatches(error) : readRows(error);
    while (alive_.load() > 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
    finished_ = true;
    if (progress.joinable()) progress.join();

    while (jobs_.load() != 0) std::this_thread::yield();  // the last jobs are returning
    stats_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    stats_.tasksDone = c_.tasksDone;
    stats_.tasksFailed = c_.tasksFailed;
    stats_.emitted = c_.emitted;
    stats_.steps = c_.steps;
    stats_.llmCalls = c_.llmCalls;
    stats_.tokensIn = c_.tokensIn;
    stats_.tokensOut = c_.tokensOut;
    stats_.peakRssKb = peakRssKb();
    for (auto& [index, sink] : sinks_)
      if (!sink->sync() && ok) {
        error = sink->error();
        ok = false;
      }
    if (!deadLetters_.sync() && ok) {
      error = deadLetters_.error();
      ok = false;
    }
    return ok;
  }

 private:
  // ------------------------------------------------------------------------- resources

  bool openResources(std::string& error) {
    for (size_t i = 0; i < m_.resources.size(); ++i) {
      const ResourceInfo& r = m_.resources[i];
      if (r.kind == "sink") {
        auto w = std::make_unique<JsonlWriter>();
        if (!w->open(joinPath(o_.runDir, r.stringArg("path")), false, error)) return false;
        sinks_[static_cast<uint32_t>(i)] = std::move(w);
      } else if (r.kind == "model") {
        if (r.ctor == "sim") {
          backends_[static_cast<uint32_t>(i)] = makeSimModel(r);
        } else {
          modelsMissing_[static_cast<uint32_t>(i)] =
              "model '" + r.name + "' (" + r.ctor + ") needs the " +
              (r.ctor == "local" ? std::string("built-in LLM engine") : std::string("OpenAI-compatible client")) +
              ", which this build of mx does not have yet";
        }
      } else if (r.kind == "tools") {
        modelsMissing_[static_cast<uint32_t>(i)] = "tools '" + r.name + "' (" + r.ctor +
                                                   ") are not supported by this build of mx yet";
      }
    }
    if (!deadLetters_.open(joinPath(o_.runDir, "dead_letter.jsonl"), false, error)) return false;
    // A pipeline whose models are all missing cannot produce anything: say so before reading.
    for (const auto& [index, why] : modelsMissing_) {
      (void)index;
      error = why;
      return false;
    }
    return true;
  }

  // --------------------------------------------------------------------------- admission

  bool openSource(JsonlReader& reader, std::string& path, std::string& error) {
    path = o_.inputOverride;
    if (path.empty()) {
      int32_t src = m_.resourceIndex("source", task_->source);
      if (src < 0) {
        error = "task '" + task_->name + "' has no source; give rows with --input FILE";
        return false;
      }
      path = joinPath(o_.baseDir, m_.resources[static_cast<size_t>(src)].stringArg("path"));
    }
    return reader.open(path, error);
  }

  /// Parses one input line into a fresh task per trial; a bad line becomes a dead letter.
  bool admitRow(const std::string& line, uint64_t lineNo, const std::string& path, std::vector<TaskState*>& out) {
    uint64_t rowId = stats_.rowsIn++;
    std::string why;
    Value row = Value::fromJson(line, why);
    if (why.empty() && row.tag() != MX_MAP) why = "a row must be a JSON object";
    if (!why.empty()) {
      writeDeadLetter(rowId, 0, "", path + ":" + std::to_string(lineNo) + ": " + why, nullptr);
      stats_.rowsBad++;
      return false;
    }
    for (uint32_t trial = 0; trial < trials_; ++trial) {
      auto* t = new TaskState;
      t->rowId = rowId;
      t->trial = trial;
      t->agent = pipeline_->start;
      t->frame.resize(task_->frameSize);
      MxCtx ctx;
      StepEffects effects;
      prepare(ctx, effects, *t);
      int32_t rc = task_->init(&ctx, reinterpret_cast<MxValue*>(t->frame.data()), row.slot());
      if (rc != 0 || ctx.failed) {
        writeDeadLetter(rowId, trial, "", path + ":" + std::to_string(lineNo) + ": " +
                                              m_.location(ctx.failLoc) + ": " + ctx.failMessage, nullptr);
        delete t;
        stats_.rowsBad++;
        return false;
      }
      t->randomDraws = ctx.randomDraws;
      out.push_back(t);
    }
    return true;
  }

  /// Waits until `n` more tasks may be alive (max_in_flight), then counts them in. Lock-free
  /// while there is room; the reader sleeps on a condition only when the run is full.
  void admit(size_t n) {
    int64_t want = static_cast<int64_t>(n);
    while (true) {
      int64_t alive = alive_.load();
      if (alive + want <= maxInFlight_ || alive == 0) {
        if (!alive_.compare_exchange_weak(alive, alive + want)) continue;
        if (static_cast<uint64_t>(alive + want) > stats_.peakInFlight)
          stats_.peakInFlight = static_cast<uint64_t>(alive + want);
        return;
      }
      std::unique_lock lock(mu_);
      readerWaiting_.store(true);
      // A bounded wait: a release that raced with setting the flag costs at most this long.
      room_.wait_for(lock, std::chrono::milliseconds(1),
                     [&] { return alive_.load() + want <= maxInFlight_; });
      readerWaiting_.store(false);
    }
  }

  bool readRows(std::string& error) {
    JsonlReader reader;
    std::string path;
    if (!openSource(reader, path, error)) return false;
    std::string line;
    uint64_t lineNo = 0;
    while ((o_.limit < 0 || static_cast<int64_t>(stats_.rowsIn) < o_.limit) && reader.next(line, lineNo)) {
      if (stopping_) break;
      std::vector<TaskState*> tasks;
      admit(trials_);
      if (!admitRow(line, lineNo, path, tasks)) {  // dead-lettered: nothing to run
        for (auto* t : tasks) delete t;
        release(trials_);
        continue;
      }
      for (auto* t : tasks) schedule(t);
    }
    if (!reader.error().empty()) {
      error = reader.error();
      return false;
    }
    return !stopping_ || (error = stopReason_, false);
  }

  // ------------------------------------------------------------------------- execution

  void prepare(MxCtx& ctx, StepEffects& effects, TaskState& t) {
    ctx.runSeed = seed_;
    ctx.rowId = t.rowId;
    ctx.trial = t.trial;
    ctx.randomDraws = t.randomDraws;
    ctx.module = &m_;
    ctx.shapes = &m_.shapes;
    ctx.effects = &effects;
    ctx.failed = false;
    ctx.failMessage.clear();
    effects.reset();
    effects.results = &t.results;
  }

  /// Pushes a task on its agent's queue, and wakes a worker when fewer than all are draining.
  void schedule(TaskState* t) {
    uint32_t agent = t->agent;  // read first: once pushed, another worker may run (or free) it
    queues_[agent]->push(t);
    ready_.fetch_add(1);
    int active = active_.load();
    while (active < workers_) {
      if (active_.compare_exchange_weak(active, active + 1)) {
        jobs_.fetch_add(1);
        arena_.enqueue([this] { drain(); });
        return;
      }
    }
  }

  /// A worker's job: step tasks from the agent queues until all are empty. Queues are visited
  /// from the last agent back, so tasks near their end finish first and free their slot.
  void drain() {
    while (true) {
      TaskState* t = nullptr;
      for (size_t k = queues_.size(); k-- > 0 && !t;) t = queues_[k]->tryPop();
      if (!t) {
        active_.fetch_sub(1);
        // A push that saw every worker active before our decrement would otherwise be missed.
        int active = active_.load();
        if (ready_.load() > 0 && active < workers_ && active_.compare_exchange_strong(active, active + 1)) continue;
        break;
      }
      ready_.fetch_sub(1);
      step(*t);
    }
    jobs_.fetch_sub(1);
  }

  /// A task's turn ended and it goes on: straight to its queue in row mode; in batch mode it
  /// waits for the rest of the batch.
  void proceed(TaskState* t) {
    if (!batchMode_) {
      schedule(t);
      return;
    }
    std::lock_guard lock(mu_);
    nextTurn_.push_back(t);
    if (--turnPending_ == 0) turnDone_.notify_all();
  }

  void step(TaskState& t) {
    thread_local MxCtx ctx;
    thread_local StepEffects effects;
    prepare(ctx, effects, t);
    const AgentInfo& agent = m_.agents[t.agent];
    int32_t rc = agent.step(&ctx, reinterpret_cast<MxValue*>(t.frame.data()), t.resume);
    c_.steps.fetch_add(1, std::memory_order_relaxed);
    t.randomDraws = ctx.randomDraws;
    if (ctx.failed) rc = MX_EFFECT_FAIL;
    switch (rc) {
      case MX_EFFECT_GOTO:
        holdEmits(t, effects);
        t.agent = effects.gotoAgent;
        t.resume = 0;
        t.attempts = 0;
        t.results.clear();
        proceed(&t);
        return;
      case MX_EFFECT_DONE:
        holdEmits(t, effects);
        commitEmits(t);
        finish(&t, true);
        return;
      case MX_EFFECT_AWAIT:
        holdEmits(t, effects);
        t.resume = effects.resume;
        t.attempts = 0;
        t.calls = std::move(effects.calls);
        effects.calls.clear();
        submitCalls(t);
        return;
      default: {
        // Agent code is deterministic: a failed step would fail again, so it is not retried
        // (retries are for model and tool calls, below). Its held records are dropped.
        std::string where = m_.location(ctx.failLoc) + ": agent '" + agent.name + "'";
        std::string message = ctx.failed ? ctx.failMessage : "step ended without an effect";
        writeDeadLetter(t.rowId, t.trial, agent.name, where + ": " + message, &t);
        finish(&t, false);
        return;
      }
    }
  }

  void submitCalls(TaskState& t) {
    t.results.assign(t.calls.size(), Value());
    t.callError.clear();
    t.pending.store(static_cast<uint32_t>(t.calls.size()));
    for (const PendingCall& call : t.calls) {
      ModelCall mc;
      const auto& spec = stdlib::builtinSpecs()[call.builtin];
      mc.method = std::string(spec.name);
      mc.args = call.args;
      mc.seed = mix(mix(mix(seed_, t.rowId), t.trial), t.callIndex++);
      c_.llmCalls.fetch_add(1, std::memory_order_relaxed);
      auto it = backends_.find(call.resource);
      uint32_t slot = call.slot;
      TaskState* task = &t;
      auto done = [this, task, slot](ModelResult r) { callDone(task, slot, std::move(r)); };
      if (it == backends_.end()) done({false, Value(), "no backend for resource " + std::to_string(call.resource)});
      else it->second->submit(std::move(mc), std::move(done));
    }
  }

  void callDone(TaskState* t, uint32_t slot, ModelResult r) {
    c_.tokensIn.fetch_add(r.tokensIn, std::memory_order_relaxed);
    c_.tokensOut.fetch_add(r.tokensOut, std::memory_order_relaxed);
    if (!r.ok) {
      std::lock_guard lock(t->callMu);
      if (t->callError.empty()) t->callError = r.error;
    }
    t->results[slot] = std::move(r.value);
    if (t->pending.fetch_sub(1) != 1) return;
    if (t->callError.empty()) {
      proceed(t);
      return;
    }
    const AgentInfo& agent = m_.agents[t->agent];
    if (t->attempts < retries_) {  // the await's calls are retried, not the step before them
      ++t->attempts;
      submitCalls(*t);
      return;
    }
    writeDeadLetter(t->rowId, t->trial, agent.name,
                    m_.location(t->calls.empty() ? 0 : t->calls[0].loc) + ": agent '" + agent.name + "': " + t->callError,
                    t);
    finish(t, false);
  }

  void holdEmits(TaskState& t, StepEffects& effects) {
    for (auto& e : effects.emits) t.emits.push_back(std::move(e));
    effects.emits.clear();
  }

  void commitEmits(TaskState& t) {
    for (auto& [sink, record] : t.emits) {
      auto it = sinks_.find(sink);
      if (it == sinks_.end()) continue;
      it->second->write(record.toJsonText());
      c_.emitted.fetch_add(1, std::memory_order_relaxed);
      if (!it->second->error().empty()) stop(it->second->error());
    }
    t.emits.clear();
  }

  void writeDeadLetter(uint64_t row, uint32_t trial, const std::string& agent, const std::string& reason,
                       const TaskState* t) {
    nlohmann::json j = {{"row", row}, {"trial", trial}, {"agent", agent}, {"error", reason}};
    std::string line = j.dump();
    if (t) {  // the task's fields as they were when it failed
      std::string fields = "{";
      for (size_t i = 0; i < task_->fields.size() && i < t->frame.size(); ++i) {
        if (i) fields += ",";
        fields += nlohmann::json(task_->fields[i].name).dump() + ":" + t->frame[i].toJsonText();
      }
      fields += "}";
      line.pop_back();
      line += ",\"task\":" + fields + "}";
    }
    deadLetters_.write(line);
  }

  void finish(TaskState* t, bool ok) {
    (ok ? c_.tasksDone : c_.tasksFailed).fetch_add(1, std::memory_order_relaxed);
    delete t;
    release(1);
    if (batchMode_) {
      std::lock_guard lock(mu_);
      if (--turnPending_ == 0) turnDone_.notify_all();
    }
  }

  void release(size_t n) {
    if (n == 0) return;
    alive_.fetch_sub(static_cast<int64_t>(n));
    if (readerWaiting_.load()) {
      std::lock_guard lock(mu_);
      room_.notify_one();
    }
  }

  void stop(const std::string& why) {
    std::lock_guard lock(mu_);
    if (!stopping_) stopReason_ = why;
    stopping_ = true;
  }

  // ------------------------------------------------------------------------ batch mode

  /// Batch-synchronous baseline: B rows at a time; every task of the batch runs its current
  /// step, and the next turn starts only when all of them (and all their model calls) finished.
  bool readBatches(std::string& error) {
    JsonlReader reader;
    std::string path;
    if (!openSource(reader, path, error)) return false;
    std::string line;
    uint64_t lineNo = 0;
    bool more = true;
    batchMode_ = true;
    while (more) {
      std::vector<TaskState*> batch;
      while (batch.size() < o_.batchSize * trials_ &&
             (o_.limit < 0 || static_cast<int64_t>(stats_.rowsIn) < o_.limit) && (more = reader.next(line, lineNo)))
        admitRow(line, lineNo, path, batch);  // a bad row leaves a dead letter and no task
      if (batch.empty()) break;
      alive_.fetch_add(static_cast<int64_t>(batch.size()));
      stats_.peakInFlight = std::max<uint64_t>(stats_.peakInFlight, static_cast<uint64_t>(alive_.load()));
      while (true) {  // one turn per iteration
        std::vector<TaskState*> current;
        current.swap(batch);
        {
          std::lock_guard lock(mu_);
          turnPending_ = static_cast<int64_t>(current.size());
        }
        for (TaskState* t : current) schedule(t);
        {
          std::unique_lock lock(mu_);
          turnDone_.wait(lock, [&] { return turnPending_ == 0; });
          batch.swap(nextTurn_);
        }
        if (batch.empty()) break;
      }
    }
    if (!reader.error().empty()) {
      error = reader.error();
      return false;
    }
    return true;
  }

  void reportProgress(Clock::time_point t0) {
    while (!finished_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      uint64_t done = c_.tasksDone.load(), failed = c_.tasksFailed.load();
      int64_t alive = alive_.load();
      std::fprintf(stderr, "\r  done %llu  failed %llu  in flight %lld  %.0f tasks/s  %.1fs   ",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(failed),
                   static_cast<long long>(alive), secs > 0 ? (done + failed) / secs : 0.0, secs);
      std::fflush(stderr);
    }
    std::fprintf(stderr, "\n");
  }

  const ModuleInfo& m_;
  const RunOptions& o_;
  RunStats& stats_;
  const PipelineInfo* pipeline_ = nullptr;
  const AgentInfo* start_ = nullptr;
  const TaskInfo* task_ = nullptr;
  int64_t maxInFlight_ = 1024;
  uint32_t retries_ = 0, trials_ = 1;
  uint64_t seed_ = 0;

  std::vector<std::unique_ptr<AgentQueue>> queues_;
  std::map<uint32_t, std::unique_ptr<JsonlWriter>> sinks_;
  std::map<uint32_t, std::unique_ptr<ModelBackend>> backends_;
  std::map<uint32_t, std::string> modelsMissing_;
  JsonlWriter deadLetters_;

  Counters c_;
  tbb::task_arena arena_;
  std::atomic<int64_t> jobs_{0};
  std::atomic<int64_t> ready_{0};  // tasks waiting in any queue
  std::atomic<int> active_{0};     // workers draining the queues
  int workers_ = 1;
  std::mutex mu_;
  std::condition_variable room_, turnDone_;
  std::atomic<int64_t> alive_{0};
  std::atomic<bool> readerWaiting_{false};
  bool stopping_ = false;
  std::string stopReason_;
  std::atomic<bool> finished_{false};

  bool batchMode_ = false;
  int64_t turnPending_ = 0;
  std::vector<TaskState*> nextTurn_;

};

}  // namespace

std::string RunStats::toJson() const {
  nlohmann::json j = {{"rows_in", rowsIn},        {"rows_bad", rowsBad},       {"tasks_done", tasksDone},
                      {"tasks_failed", tasksFailed}, {"records_out", emitted},   {"steps", steps},
                      {"llm_calls", llmCalls},    {"tokens_in", tokensIn},     {"tokens_out", tokensOut},
                      {"seconds", seconds},       {"peak_in_flight", peakInFlight}, {"peak_rss_kb", peakRssKb}};
  return j.dump(2);
}

bool runPipeline(const ModuleInfo& module, const RunOptions& options, RunStats& stats, std::string& error) {
  Scheduler s(module, options, stats);
  return s.run(error);
}

}  // namespace mx::rt
