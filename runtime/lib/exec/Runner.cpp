// Runner.cpp — the scheduler: admission, per-agent queues, oneTBB workers, effects, retries,
// dead letters, sinks and statistics. See Runner.h for the two modes.
//
// Life of a task: the reader thread admits a row (blocking while max_in_flight tasks are alive:
// backpressure), runs the task type's init function to fill the frame, and pushes the task on
// the start agent's queue. Each push also enqueues one oneTBB job that pops one task from that
// queue and runs one step; so workers never block, and nothing central sits between steps. A
// step ends in goto (push to the next queue), await (hand the calls to their backends, whose
// completions push the task back), done (its held records go to the sinks), or fail (write a
// dead letter). A task's whole state is its TaskState (TaskState.h): frame, resume point,
// results, seeds.
//
// Durability (RunLogs.h): a worker holds the task's registry lock while it changes the task, so
// the group-commit thread can checkpoint any task between two steps; a finished task's records
// and its journal entry are written together; the trajectory log gets one record per step. On
// resume, checkpointed tasks are restored first, then the source is read from the start: rows
// that finished are skipped, rows the crashed run had read but not saved are started again.
#include "mx/rt/Runner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "AgentQueue.h"
#include "RunMetrics.h"
#include "StepCore.h"
#include "TaskState.h"
#include "durable/RunLogs.h"
#include "durable/Trajectory.h"
#include "mx/rt/Context.h"
#include "mx/rt/Effects.h"
#include "mx/rt/Journal.h"
#include "mx/rt/Jsonl.h"
#include "mx/rt/ModelBackend.h"
#include "mx/rt/Regex.h"
#include "mx/rt/Tools.h"
#include "mx/stdlib/Builtins.h"

namespace mx::rt {

namespace {

using durable::StepRecord;

using Clock = std::chrono::steady_clock;

uint64_t peakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<uint64_t>(u.ru_maxrss);
}

std::string joinPath(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return dir + "/" + path;
}

/// The absolute, symlink-free form of an existing path (the path itself when that fails).
std::string canonicalPath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

/// Counters that workers bump concurrently; copied into RunStats at the end.
struct Counters {
  std::atomic<uint64_t> tasksDone{0}, tasksFailed{0}, emitted{0}, steps{0}, llmCalls{0},
      tokensIn{0}, tokensOut{0};
};

class Scheduler {
 public:
  Scheduler(const ModuleInfo& m, const RunOptions& o, RunStats& s) : m_(m), o_(o), stats_(s) {}

  bool run(std::string& error) {
    RunIdentity before;  // on resume: how the run was started
    if (o_.resume && !readRunIdentity(o_.runDir, before, error)) return false;
    if (o_.resume &&
        before.descriptorHash != o_.descriptorHash) {  // before anything is looked up in it
      error = o_.runDir +
              "/journal.log was written by another pipeline or another version of it: pipeline '" +
              before.pipeline + "' of " + before.sourcePath + " (descriptor " +
              before.descriptorHash + "); this is " + m_.sourcePath + " (descriptor " +
              o_.descriptorHash +
              "). Resume with the program that started the run, or start a new run directory";
      return false;
    }
    std::string pipelineName = o_.resume && o_.pipeline.empty() ? before.pipeline : o_.pipeline;
    pipeline_ = m_.pipeline(pipelineName);
    if (!pipeline_) {
      error = pipelineName.empty() ? "the program declares no pipeline"
                                   : "no pipeline named '" + pipelineName + "'";
      return false;
    }
    start_ = &m_.agents[pipeline_->start];
    task_ = &m_.tasks[start_->task];
    maxInFlight_ = o_.maxInFlight > 0 ? o_.maxInFlight : pipeline_->option("max_in_flight", 1024);
    retries_ = static_cast<uint32_t>(pipeline_->option("retries", 0));
    trials_ = static_cast<uint32_t>(pipeline_->option("trials", 1));
    seed_ = static_cast<uint64_t>(o_.seed     ? *o_.seed
                                  : o_.resume ? before.seed
                                              : pipeline_->option("seed", 0));
    limit_ = o_.limit >= 0 || !o_.resume ? o_.limit : before.limit;
    if (!inputPath(before, inputPath_, error)) return false;
    if (!JsonlReader().open(inputPath_, error)) {  // before any log is created: nothing to clean up
      stats_.inputUnreadable = true;
      return false;
    }
    // The journal exists before models load (seconds for a large one), so a run killed while
    // loading can still be resumed.
    collectSinks();
    if (!openLogs(error)) return false;
    if (!openResources(error)) return false;
    if (stats_.alreadyComplete) return true;
    for (size_t i = 0; i < m_.agents.size(); ++i)
      queues_.push_back(std::make_unique<LocalAgentQueue>());

    unsigned workers = o_.workers ? o_.workers : std::max(1u, std::thread::hardware_concurrency());
    // oneTBB caps its workers at the hardware threads minus one (it expects a master thread to
    // join); here the master only reads rows, so allow every worker the run asks for.
    tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, workers + 1);
    arena_.initialize(static_cast<int>(workers), 0);  // no slot reserved: only workers step
    workers_ = static_cast<int>(workers);
    if (o_.metricsPort >= 0 && !startMetrics(error)) return false;
    auto t0 = Clock::now();
    std::thread progress;
    if (o_.progress) progress = std::thread([this, t0] { reportProgress(t0); });

    // Live tasks never exceed max(max_in_flight, trials of one row) — admit() — plus, after a
    // resume, the restored ones until they drain.
    logs_->start(static_cast<size_t>(std::max<int64_t>(maxInFlight_, trials_)) +
                 resume_.tasks.size() + trials_);
    restoreTasks();
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
    std::string closeError;
    if (!logs_->close(ok && !stopping_, closeError) && ok) {
      error = closeError;
      ok = false;
    }
    durable::LogsStats ls = logs_->stats();
    stats_.journalCommits = ls.commits;
    stats_.journalBytes = ls.journalBytes;
    stats_.checkpoints = ls.checkpoints;
    stats_.trajectorySteps = ls.trajectorySteps;
    metricsServer_.stop();
    return ok;
  }

 private:
  // ------------------------------------------------------------------------- metrics

  /// --metrics-port: a Prometheus endpoint for the run's lifetime. Models and tools are labelled
  /// by resource name; the scheduler observes steps and calls only while this is on.
  bool startMetrics(std::string& error) {
    std::vector<std::string> agents, models;
    for (const auto& a : m_.agents) agents.push_back(a.name);
    for (const auto& [index, backend] : backends_) {
      (void)backend;
      modelIndex_[index] = static_cast<uint32_t>(models.size());
      models.push_back(m_.resources[index].name);
    }
    metrics_ = std::make_unique<RunMetrics>(agents, models, [this] {
      RunCounters c;
      c.rowsIn = stats_.rowsIn;
      c.tasksDone = c_.tasksDone.load();
      c.tasksFailed = c_.tasksFailed.load();
      c.emitted = c_.emitted.load();
      c.steps = c_.steps.load();
      c.llmCalls = c_.llmCalls.load();
      c.tokensIn = c_.tokensIn.load();
      c.tokensOut = c_.tokensOut.load();
      c.inFlight = alive_.load();
      c.maxInFlight = maxInFlight_;
      for (const auto& q : queues_) c.queueLengths.push_back(q->size());
      for (const auto& [index, backend] : backends_) {
        (void)index;
        c.backendInFlight.push_back(backend->inFlight());
      }
      return c;
    });
    if (!metricsServer_.start(o_.metricsPort, [this] { return metrics_->render(); }, error))
      return false;
    std::fprintf(stderr, "mx: metrics at http://localhost:%d/metrics\n", metricsServer_.port());
    return true;
  }

  static double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }

  // ------------------------------------------------------------------------- resources

  void collectSinks() {
    for (size_t i = 0; i < m_.resources.size(); ++i) {
      if (m_.resources[i].kind != "sink") continue;
      sinks_.emplace_back(static_cast<uint32_t>(i), m_.resources[i].stringArg("path"));
      sinkSet_.insert(static_cast<uint32_t>(i));
    }
  }

  bool openResources(std::string& error) {
    for (size_t i = 0; i < m_.resources.size(); ++i) {
      const ResourceInfo& r = m_.resources[i];
      if (r.kind == "model" || r.kind == "tools") {
        std::string why;
        auto model = openModel(r, o_.baseDir, why, &tools_, static_cast<uint32_t>(i));
        if (model)
          backends_[static_cast<uint32_t>(i)] = std::move(model);
        else if ((r.kind == "model" && r.ctor == "local") || r.kind == "tools")  // fails to load: stop
          return error = why, false;
        else
          modelsMissing_[static_cast<uint32_t>(i)] = why;
      }
    }
    // A pipeline whose models are all missing cannot produce anything: say so before reading.
    for (const auto& [index, why] : modelsMissing_) {
      (void)index;
      error = why;
      return false;
    }
    return true;
  }

  /// The sinks, the dead-letter file, the journal and the trajectory log (RunLogs.h). On
  /// resume this reads the journal back: the restored tasks wait in resume_.
  bool openLogs(std::string& error) {
    durable::LogsConfig config;
    config.runDir = o_.runDir;
    config.journal = o_.journal && o_.batchSize == 0;  // batch mode is a benchmark baseline
    config.trajectory = o_.trajectory;
    config.resume = o_.resume;
    config.sinks = sinks_;
    config.commitIntervalMs = o_.commitIntervalMs;
    config.checkpointBytesPerCommit = o_.checkpointBytesPerCommit;
    config.rotateBytes = o_.journalRotateBytes;
    RunIdentity& id = config.identity;
    id.schemaVersion = journalSchemaVersion();
    id.mxVersion = o_.mxVersion;
    id.modulePath = o_.modulePath;
    id.aot = o_.aot;
    id.sourcePath = m_.sourcePath;
    id.descriptorHash = o_.descriptorHash;
    id.pipeline = pipeline_->name;
    id.inputPath = inputPath_;
    id.seed = static_cast<int64_t>(seed_);
    id.trials = trials_;
    id.limit = limit_;
    logs_ = std::make_unique<durable::RunLogs>(m_, std::move(config));
    if (!logs_->open(&resume_, error)) return false;
    traj_ = logs_->trajectory();
    if (o_.resume) {
      stats_.resumed = true;
      stats_.alreadyComplete = resume_.complete;
      for (auto& t : resume_.tasks) restored_.insert(t->rowId * trials_ + t->trial);
      if (!resume_.complete) {
        std::fprintf(
            stderr,
            "mx: resuming %s: %llu rows read before, %llu tasks finished, %zu restored from "
            "checkpoints%s\n",
            o_.runDir.c_str(), static_cast<unsigned long long>(resume_.admitted),
            static_cast<unsigned long long>(resume_.finished.count()), resume_.tasks.size(),
            resume_.tornTailBytes ? (", the journal's torn last " +
                                     std::to_string(resume_.tornTailBytes) + " bytes dropped")
                                        .c_str()
                                  : "");
      }
    }
    return true;
  }

  /// Puts the tasks a resume restored back to work: ready ones on their queue, awaiting ones
  /// re-submit their calls (same seeds: the checkpoint kept the call index from before them).
  void restoreTasks() {
    alive_.fetch_add(static_cast<int64_t>(resume_.tasks.size()));
    stats_.tasksRestored = resume_.tasks.size();
    stats_.peakInFlight = std::max<uint64_t>(stats_.peakInFlight, resume_.tasks.size());
    for (auto& owned : resume_.tasks) {
      TaskState* t = owned.release();
      logs_->add(*t);
      if (!t->awaiting) {
        schedule(t);
        continue;
      }
      logs_->lock(*t);
      if (traj_) {
        t->trace = std::make_unique<AwaitTrace>();
        t->trace->restored = true;
        t->trace->step = t->steps ? t->steps - 1 : 0;
        t->trace->agent = t->agent;
        t->trace->randomBefore = t->trace->randomAfter = t->randomDraws;
      }
      beginAwait(*t);
      logs_->unlock(*t, false);
      submitCalls(*t);
    }
    resume_.tasks.clear();
  }

  // --------------------------------------------------------------------------- admission

  /// The rows' file: --input, else the task's source (relative to the .mx file); on resume, the
  /// file the run started with.
  bool inputPath(const RunIdentity& before, std::string& path, std::string& error) {
    path = o_.inputOverride;
    if (path.empty() && o_.resume) {
      path = before.inputPath;
      return true;
    }
    if (path.empty()) {
      int32_t src = m_.resourceIndex("source", task_->source);
      if (src < 0) {
        error = "task '" + task_->name + "' has no source; give rows with --input FILE";
        return false;
      }
      path = joinPath(o_.baseDir, m_.resources[static_cast<size_t>(src)].stringArg("path"));
    }
    path = canonicalPath(path);
    return true;
  }

  /// A dead letter's JSON line; with `t`, the task's fields as they were when it failed.
  std::string deadLetter(uint64_t row, uint32_t trial, const std::string& agent,
                         const std::string& reason, const TaskState* t) {
    nlohmann::json j = {{"row", row}, {"trial", trial}, {"agent", agent}, {"error", reason}};
    // `replace`: a reason may quote the bad bytes of a non-UTF-8 input line (U+FFFD for them).
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (t) {
      std::string fields = "{";
      for (size_t i = 0; i < task_->fields.size() && i < t->frame.size(); ++i) {
        if (i) fields += ",";
        fields += nlohmann::json(task_->fields[i].name)
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ":" + t->frame[i].toJsonText();
      }
      fields += "}";
      line.pop_back();
      line += ",\"task\":" + fields + "}";
    }
    return line;
  }

  /// Parses one input line into a fresh task per trial (or per trial in `only`, on resume); a
  /// bad line becomes one dead letter for the row.
  bool admitRow(const std::string& line, uint64_t lineNo, const std::string& path,
                std::vector<TaskState*>& out, const std::vector<uint32_t>* only = nullptr) {
    uint64_t rowId = stats_.rowsIn++;
    std::string why;
    Value row = Value::fromJson(line, why);
    if (why.empty() && row.tag() != MX_MAP) why = "a row must be a JSON object";
    if (!why.empty()) {
      badRow(rowId, 0, path + ":" + std::to_string(lineNo) + ": " + why);
      return false;
    }
    for (uint32_t trial = 0; trial < trials_; ++trial) {
      if (only && std::find(only->begin(), only->end(), trial) == only->end()) continue;
      auto* t = new TaskState;
      t->rowId = rowId;
      t->trial = trial;
      if (!initTask(*t, row, m_, *task_, pipeline_->start, seed_, &regexCache_, why)) {
        badRow(rowId, trial, path + ":" + std::to_string(lineNo) + ": " + why);
        delete t;
        return false;
      }
      out.push_back(t);
    }
    return true;
  }

  void badRow(uint64_t row, uint32_t trial, const std::string& reason) {
    logs_->badRow(row, trials_, deadLetter(row, trial, "", reason, nullptr));
    stats_.rowsBad++;
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

  /// On resume, the trials of a row the crashed run had read that still need a task from the
  /// row: neither finished nor restored from a checkpoint.
  std::vector<uint32_t> trialsToRedo(uint64_t rowId) {
    std::vector<uint32_t> redo;
    if (resume_.finished.rowDone(rowId)) return redo;
    for (uint32_t trial = 0; trial < trials_; ++trial)
      if (!resume_.finished.contains(rowId, trial) && !restored_.count(rowId * trials_ + trial))
        redo.push_back(trial);
    return redo;
  }

  bool readRows(std::string& error) {
    JsonlReader reader;
    if (!reader.open(inputPath_, error)) return false;
    std::string line;
    uint64_t lineNo = 0;
    while ((limit_ < 0 || static_cast<int64_t>(stats_.rowsIn) < limit_) &&
           reader.next(line, lineNo)) {
      if (stopping_) break;
      uint64_t rowId = stats_.rowsIn;
      std::vector<uint32_t> redo;
      bool again = o_.resume && rowId < resume_.admitted;
      if (again) {
        redo = trialsToRedo(rowId);
        if (redo.empty()) {  // finished, or every trial restored: nothing to start
          stats_.rowsIn++;
          stats_.rowsSkipped += resume_.finished.rowDone(rowId);
          continue;
        }
        stats_.rowsReread++;
      }
      size_t n = again ? redo.size() : trials_;
      std::vector<TaskState*> tasks;
      admit(n);
      if (!admitRow(line, lineNo, inputPath_, tasks, again ? &redo : nullptr)) {  // dead-lettered
        for (auto* t : tasks) delete t;
        release(n);
        logs_->admitted(rowId + 1);
        continue;
      }
      for (auto* t : tasks) logs_->add(*t);
      logs_->admitted(rowId + 1);
      for (auto* t : tasks) schedule(t);
    }
    if (!reader.error().empty()) {
      error = reader.error();
      stats_.inputUnreadable = true;
      return false;
    }
    return !stopping_ || (error = stopReason_, false);
  }

  // ------------------------------------------------------------------------- execution

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
        if (ready_.load() > 0 && active < workers_ &&
            active_.compare_exchange_strong(active, active + 1))
          continue;
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

  /// Runs one step. The task's registry lock is held from before the step until its new state
  /// is complete, so a checkpoint never sees half a step.
  void step(TaskState& t) {
    thread_local MxCtx ctx;
    thread_local StepEffects effects;
    logs_->lock(t);
    prepareStep(ctx, effects, t, m_, seed_, &regexCache_);
    ctx.tools = &tools_;
    const AgentInfo& agent = m_.agents[t.agent];
    StepRecord record;
    record.task = &t;
    record.agent = t.agent;
    record.resumeFrom = t.resume;
    record.randomBefore = t.randomDraws;
    if (traj_) record.startNs = traj_->now();
    Clock::time_point started = metrics_ ? Clock::now() : Clock::time_point{};
    int32_t rc = agent.step(&ctx, reinterpret_cast<MxValue*>(t.frame.data()), t.resume);
    if (traj_) record.durationNs = traj_->now() - record.startNs;
    if (metrics_) metrics_->observeStep(record.agent, secondsSince(started));
    c_.steps.fetch_add(1, std::memory_order_relaxed);
    t.randomDraws = ctx.randomDraws;
    record.randomAfter = t.randomDraws;
    record.step = t.steps++;
    record.emits = static_cast<uint32_t>(effects.emits.size());
    if (ctx.failed) rc = MX_EFFECT_FAIL;
    switch (rc) {
      case MX_EFFECT_GOTO:
        holdEmits(t, effects);
        record.effect = StepRecord::Goto;
        record.gotoAgent = effects.gotoAgent;
        if (traj_) traj_->add(record);
        t.agent = effects.gotoAgent;
        t.resume = 0;
        t.attempts = 0;
        t.results.clear();
        logs_->unlock(t, true);
        proceed(&t);
        return;
      case MX_EFFECT_DONE:
        holdEmits(t, effects);
        record.effect = StepRecord::Done;
        if (traj_) traj_->add(record);
        finishTask(&t, true, "");
        return;
      case MX_EFFECT_AWAIT:
        holdEmits(t, effects);
        t.resume = effects.resume;
        t.attempts = 0;
        t.calls = std::move(effects.calls);
        effects.calls.clear();
        if (traj_) {  // logged when the calls have answered (callDone)
          if (!t.trace) t.trace = std::make_unique<AwaitTrace>();
          AwaitTrace& trace = *t.trace;
          trace = AwaitTrace();
          trace.step = record.step;
          trace.agent = record.agent;
          trace.resumeFrom = record.resumeFrom;
          trace.randomBefore = record.randomBefore;
          trace.randomAfter = record.randomAfter;
          trace.startNs = record.startNs;
          trace.durationNs = record.durationNs;
          trace.emits = record.emits;
        }
        beginAwait(t);
        logs_->unlock(t, true);
        submitCalls(t);
        return;
      default: {
        // Agent code is deterministic: a failed step would fail again, so it is not retried
        // (retries are for model and tool calls, below). Its held records are dropped.
        std::string where = m_.location(ctx.failLoc) + ": agent '" + agent.name + "'";
        std::string message = ctx.failed ? ctx.failMessage : "step ended without an effect";
        record.effect = StepRecord::Fail;
        std::string reason = where + ": " + message;
        record.error = reason;
        if (traj_) traj_->add(record);
        finishTask(&t, false, deadLetter(t.rowId, t.trial, agent.name, reason, &t));
        return;
      }
    }
  }

  /// Numbers the calls of the await in `t.calls` (call indices, hence seeds; a retry keeps
  /// them) and marks the task awaiting. Under the task's lock: after it, a checkpoint saves the
  /// calls (to re-submit) instead of partial results.
  void beginAwait(TaskState& t, bool retry = false) {
    numberCalls(t, retry);
    size_t n = t.calls.size();
    if (t.trace) {
      t.trace->calls.assign(n, CallTrace());
      uint64_t now = traj_->now();
      for (size_t i = 0; i < n; ++i) {
        t.trace->calls[i].seed = callSeed(t, i);
        t.trace->calls[i].submittedNs = now;
      }
    }
  }

  uint64_t callSeed(const TaskState& t, size_t i) const { return rt::callSeed(seed_, t, i); }

  /// Hands the await's calls to their backends. Everything is read from the task before the
  /// first submit: once the last call answers, another thread owns (or has freed) the task.
  void submitCalls(TaskState& t) {
    struct Out {
      ModelBackend* backend;
      ModelCall call;
      uint32_t slot, index;
    };
    std::vector<Out> out;
    out.reserve(t.calls.size());
    for (size_t i = 0; i < t.calls.size(); ++i) {
      const PendingCall& call = t.calls[i];
      ModelCall mc;
      mc.method = std::string(stdlib::builtinSpecs()[call.builtin].name);
      mc.args = call.args;
      mc.seed = callSeed(t, i);
      mc.rowId = t.rowId;
      mc.trial = t.trial;
      auto it = backends_.find(call.resource);
      out.push_back({it == backends_.end() ? nullptr : it->second.get(), std::move(mc), call.slot,
                     static_cast<uint32_t>(i)});
    }
    c_.llmCalls.fetch_add(out.size(), std::memory_order_relaxed);
    TaskState* task = &t;
    for (Out& o : out) {
      uint32_t slot = o.slot, index = o.index;
      std::function<void(ModelResult)> done = [this, task, slot, index](ModelResult r) {
        callDone(task, slot, index, std::move(r));
      };
      if (metrics_) {  // the latency of each call, labelled by its model
        auto model = modelIndex_.find(t.calls[index].resource);
        uint32_t m = model == modelIndex_.end() ? UINT32_MAX : model->second;
        done = [this, m, started = Clock::now(), inner = std::move(done)](ModelResult r) {
          metrics_->observeCall(m, secondsSince(started), r.ok);
          inner(std::move(r));
        };
      }
      if (!o.backend)
        done(
            {false, Value(), "no backend for resource " + std::to_string(t.calls[index].resource)});
      else
        o.backend->submit(std::move(o.call), std::move(done));
    }
  }

  void callDone(TaskState* t, uint32_t slot, uint32_t index, ModelResult r) {
    c_.tokensIn.fetch_add(r.tokensIn, std::memory_order_relaxed);
    c_.tokensOut.fetch_add(r.tokensOut, std::memory_order_relaxed);
    if (!r.ok) {
      std::lock_guard lock(t->callMu);
      if (t->callError.empty()) t->callError = r.error;
    }
    if (t->trace && index < t->trace->calls.size()) {  // each call writes only its own entry
      CallTrace& ct = t->trace->calls[index];
      ct.latencyNs = traj_->now() - ct.submittedNs;
      ct.tokensIn = r.tokensIn;
      ct.tokensOut = r.tokensOut;
      if (!r.ok) ct.error = r.error;
    }
    if (slot < t->results.size()) t->results[slot] = std::move(r.value);
    if (t->pending.fetch_sub(1) != 1) return;
    logs_->lock(*t);
    t->awaiting = false;
    if (t->callError.empty()) {
      logAwait(*t, "");
      logs_->unlock(*t, true);
      proceed(t);
      return;
    }
    const AgentInfo& agent = m_.agents[t->agent];
    if (t->attempts < retries_) {  // the await's calls are retried, not the step before them
      ++t->attempts;
      beginAwait(*t, true);
      logs_->unlock(*t, true);
      submitCalls(*t);
      return;
    }
    std::string reason = m_.location(t->calls.empty() ? 0 : t->calls[0].loc) + ": agent '" +
                         agent.name + "': " + t->callError;
    logAwait(*t, reason);
    finishTask(t, false, deadLetter(t->rowId, t->trial, agent.name, reason, t));
  }

  /// The trajectory record of the step that started the await now resolved.
  void logAwait(const TaskState& t, const std::string& error) {
    if (!traj_ || !t.trace) return;
    const AwaitTrace& trace = *t.trace;
    StepRecord record;
    record.task = &t;
    record.step = trace.step;
    record.agent = trace.agent;
    record.resumeFrom = trace.resumeFrom;
    record.effect = StepRecord::Await;
    record.emits = trace.emits;
    record.randomBefore = trace.randomBefore;
    record.randomAfter = trace.randomAfter;
    record.startNs = trace.startNs;
    record.durationNs = trace.durationNs;
    record.restored = trace.restored;
    record.error = error;
    traj_->add(record);
  }

  void holdEmits(TaskState& t, StepEffects& effects) {
    for (auto& e : effects.emits) t.emits.push_back(std::move(e));
    effects.emits.clear();
  }

  /// A record as its sink's JSON line: with every key the sink's emits write, null where this
  /// emit left one out (language.md §11), so each sink reads as one table.
  std::string sinkLine(uint32_t sink, const Value& record) const {
    std::string text = record.toJsonText();
    const auto& keys = m_.resources[sink].keys;
    if (record.tag() != MX_RECORD || text.size() < 2) return text;
    const Shape& shape = *recordObj(record.raw())->shape;
    if (shape.fields.size() >= keys.size()) return text;  // the common case: nothing left out
    text.pop_back();
    for (const auto& key : keys)
      if (shape.fieldIndex(key) < 0) text += (text.size() > 1 ? ",\"" : "\"") + key + "\":null";
    return text + "}";
  }

  /// A task ended, as its records (ok) or one dead letter: both are written, and the end
  /// journaled, in one step (RunLogs::finish). Called holding the task's lock; frees the task.
  void finishTask(TaskState* t, bool ok, const std::string& deadLetterLine) {
    std::vector<std::pair<uint32_t, std::string>> records;
    if (ok)
      for (auto& [sink, record] : t->emits)
        if (sinkSet_.count(sink)) records.emplace_back(sink, sinkLine(sink, record));
    if (!logs_->finish(t->rowId, t->trial, ok, records, deadLetterLine)) stop(logs_->outputError());
    if (!records.empty()) c_.emitted.fetch_add(records.size(), std::memory_order_relaxed);
    logs_->remove(*t);
    if (!tools_.empty()) tools_.release({t->rowId, t->trial});  // its private databases go
    finish(t, ok);
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
    if (!reader.open(inputPath_, error)) return false;
    std::string line;
    uint64_t lineNo = 0;
    bool more = true;
    batchMode_ = true;
    // max_in_flight bounds live tasks in batch mode too: a batch is at most that many tasks (whole
    // rows, at least one), so row and batch mode compare at equal concurrency.
    size_t rowsPerBatch = std::max<size_t>(
        1, std::min<size_t>(o_.batchSize, static_cast<size_t>(maxInFlight_) / trials_));
    while (more) {
      std::vector<TaskState*> batch;
      while (batch.size() < rowsPerBatch * trials_ &&
             (limit_ < 0 || static_cast<int64_t>(stats_.rowsIn) < limit_) &&
             (more = reader.next(line, lineNo)))
        admitRow(line, lineNo, inputPath_, batch);  // a bad row leaves a dead letter and no task
      if (batch.empty()) break;
      alive_.fetch_add(static_cast<int64_t>(batch.size()));
      stats_.peakInFlight =
          std::max<uint64_t>(stats_.peakInFlight, static_cast<uint64_t>(alive_.load()));
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
      stats_.inputUnreadable = true;
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
  int64_t limit_ = -1;
  std::string inputPath_;
  RegexCache regexCache_;
  ToolHost tools_;  // before backends_: tools backends refer to its providers
  std::unique_ptr<RunMetrics> metrics_;  // null unless --metrics-port
  std::map<uint32_t, uint32_t> modelIndex_;  // resource index → metrics model label index
  MetricsServer metricsServer_;

  std::vector<std::unique_ptr<AgentQueue>> queues_;
  std::vector<std::pair<uint32_t, std::string>> sinks_;  // (resource, path as declared)
  std::unordered_set<uint32_t> sinkSet_;
  std::map<uint32_t, std::unique_ptr<ModelBackend>> backends_;
  std::map<uint32_t, std::string> modelsMissing_;

  std::unique_ptr<durable::RunLogs> logs_;
  durable::TrajectoryLog* traj_ = nullptr;  // null when the trajectory log is off
  durable::ResumeState resume_;
  std::unordered_set<uint64_t> restored_;  // task indices (row * trials + trial) restored on resume

  tbb::task_arena arena_;
  int workers_ = 1;
  // Atomics every worker writes sit on cache lines of their own: next to the read-mostly
  // members above they would turn each read of those into a cache miss.
  alignas(64) Counters c_;
  alignas(64) std::atomic<int64_t> jobs_{0};
  alignas(64) std::atomic<int64_t> ready_{0};  // tasks waiting in any queue
  alignas(64) std::atomic<int> active_{0};     // workers draining the queues
  alignas(64) std::mutex mu_;
  std::condition_variable room_, turnDone_;
  alignas(64) std::atomic<int64_t> alive_{0};
  std::atomic<bool> readerWaiting_{false};
  alignas(64) bool stopping_ = false;
  std::string stopReason_;
  std::atomic<bool> finished_{false};

  bool batchMode_ = false;
  int64_t turnPending_ = 0;
  std::vector<TaskState*> nextTurn_;
};

}  // namespace

std::string RunStats::toJson() const {
  nlohmann::json j = {{"rows_in", rowsIn},
                      {"rows_bad", rowsBad},
                      {"tasks_done", tasksDone},
                      {"tasks_failed", tasksFailed},
                      {"records_out", emitted},
                      {"steps", steps},
                      {"llm_calls", llmCalls},
                      {"tokens_in", tokensIn},
                      {"tokens_out", tokensOut},
                      {"seconds", seconds},
                      {"peak_in_flight", peakInFlight},
                      {"peak_rss_kb", peakRssKb},
                      {"journal_commits", journalCommits},
                      {"journal_bytes", journalBytes},
                      {"checkpoints", checkpoints},
                      {"trajectory_steps", trajectorySteps}};
  if (resumed)
    j["resume"] = {{"already_complete", alreadyComplete},
                   {"tasks_restored", tasksRestored},
                   {"rows_skipped", rowsSkipped},
                   {"rows_reread", rowsReread}};
  return j.dump(2);
}

bool runPipeline(const ModuleInfo& module, const RunOptions& options, RunStats& stats,
                 std::string& error) {
  Scheduler s(module, options, stats);
  return s.run(error);
}

}  // namespace mx::rt
