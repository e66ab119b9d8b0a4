// RunLogs.cpp — outputs, the task registry, group commit, snapshots, and reading a journal back.
// The rules that make a resume exact are in RunLogs.h; docs/trajectory.md has the file formats.
#include "RunLogs.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <capnp/serialize.h>
#include <kj/exception.h>

#include "Codec.h"
#include "Trajectory.h"
#include "mx/Assert.h"
#include "mx/stdlib/Builtins.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mx::rt::durable {

namespace {

std::string inDir(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return dir + "/" + path;
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

uint64_t fileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

void cpuRelax() {
#if defined(__x86_64__)
  _mm_pause();
#endif
}

}  // namespace

// ----------------------------------------------------------------------------- FinishedSet

void FinishedSet::addIndex(uint64_t index) {
  if (containsIndex(index)) return;
  uint64_t bit = index - below_ + offset_;
  if (bit / 64 >= bits_.size()) bits_.resize(bit / 64 + 1, 0);
  bits_[bit / 64] |= uint64_t(1) << (bit % 64);
  ++aboveCount_;
  // Advance the mark over the ended tasks at the bottom, a whole word at a time when it can.
  size_t word = 0;
  while (word < bits_.size()) {
    uint64_t w = bits_[word] >> offset_;
    uint64_t run =
        w == (~uint64_t(0) >> offset_) ? 64 - offset_ : static_cast<uint64_t>(__builtin_ctzll(~w));
    below_ += run;
    aboveCount_ -= run;
    offset_ += run;
    if (offset_ < 64) break;
    offset_ = 0;
    ++word;
  }
  if (word > 0) bits_.erase(bits_.begin(), bits_.begin() + static_cast<std::ptrdiff_t>(word));
  if (offset_ > 0 && !bits_.empty()) bits_[0] &= ~uint64_t(0) << offset_;  // bits below the mark
}

void FinishedSet::setBelow(uint64_t below) {
  if (below <= below_) return;
  std::vector<uint64_t> keep;
  for (uint64_t index : above())
    if (index >= below) keep.push_back(index);
  bits_.clear();
  offset_ = 0;
  aboveCount_ = 0;
  below_ = below;
  for (uint64_t index : keep) addIndex(index);
}

std::vector<uint64_t> FinishedSet::above() const {
  std::vector<uint64_t> out;
  for (size_t w = 0; w < bits_.size(); ++w)
    for (uint64_t word = bits_[w]; word; word &= word - 1) {
      uint64_t bit = w * 64 + static_cast<uint64_t>(__builtin_ctzll(word));
      if (bit >= offset_) out.push_back(below_ + bit - offset_);
    }
  return out;
}

// --------------------------------------------------------------------------------- RunLogs

RunLogs::RunLogs(const ModuleInfo& module, LogsConfig config)
    : module_(module), config_(std::move(config)),
      shapes_(std::make_unique<ShapeIndex>(&module.shapes)),
      quietEnds_(std::make_unique<PerThread<QuietEnds>>()), finished_(config_.identity.trials) {
  for (size_t i = 0; i < config_.sinks.size(); ++i) sinkIndex_[config_.sinks[i].first] = i;
  sinkOffsets_.assign(config_.sinks.size(), 0);
}

RunLogs::~RunLogs() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(commitMu_);
      stopping_ = true;
    }
    commitCv_.notify_all();
    thread_.join();
  }
}

bool RunLogs::open(ResumeState* resume, std::string& error) {
  std::string journalPath = inDir(config_.runDir, "journal.log");
  if (config_.resume) {
    if (!loadJournal(*resume, error, true)) return false;
    if (resume->complete) return true;
    resumes_ = resume->resumes + 1;
    finished_ = resume->finished;
    admitted_.store(resume->admitted);
  } else if (fileExists(journalPath)) {
    // A run directory holding an unfinished run is not silently overwritten.
    ResumeState old;
    std::string why;
    bool read = loadJournal(old, why, false);
    if (!read || !old.complete) {
      error = "'" + config_.runDir + "' holds a run that did not finish (" + journalPath + ")" +
              (read ? std::string() : " or that this mx cannot read (" + why + ")") +
              "; continue it with `mx run --resume " + config_.runDir +
              "`, or remove the directory (or choose another -o) to start over";
      return false;
    }
    sinkOffsets_.assign(config_.sinks.size(), 0);
    deadOffset_ = trajOffset_ = 0;
    if (!config_.journal) std::remove(journalPath.c_str());  // it no longer describes the outputs
  }
  if (!openOutputs(error)) return false;
  if (!config_.journal) return true;
  std::vector<const TaskState*> restored;
  if (resume)
    for (auto& t : resume->tasks) restored.push_back(t.get());
  return writeSnapshot(&restored, error);
}

bool RunLogs::openOutputs(std::string& error) {
  for (size_t i = 0; i < config_.sinks.size(); ++i) {
    auto file = std::make_unique<OutputFile>();
    if (!file->open(inDir(config_.runDir, config_.sinks[i].second), sinkOffsets_[i], error))
      return false;
    sinks_.push_back(std::move(file));
  }
  if (!deadLetters_.open(inDir(config_.runDir, "dead_letter.jsonl"), deadOffset_, error))
    return false;
  std::string trajPath = inDir(config_.runDir, "trajectory.log");
  // The trajectory log is synced lazily (it is a record, not what resume relies on), so after a
  // machine crash it may be shorter than the journal says: keep what there is.
  uint64_t keep = std::min(trajOffset_, fileSize(trajPath));
  if (config_.trajectory) {
    trajectory_ = std::make_unique<TrajectoryLog>(*shapes_);
    if (!trajectory_->open(trajPath, keep, config_.identity, resumes_, config_.sinks, error))
      return false;
    trajOffset_ = trajectory_->flush();
  } else if (config_.resume && fileExists(trajPath)) {
    FrameLogWriter cut;  // leave no steps the resumed run will take again
    if (!cut.open(trajPath, keep, error)) return false;
    trajOffset_ = keep;
  }
  return true;
}

// ---------------------------------------------------------------------------- the registry

void RunLogs::spinLockSlow(Slot& slot) {
  for (int spins = 0; slot.lock.exchange(1, std::memory_order_acquire) != 0;) {
    while (slot.lock.load(std::memory_order_relaxed) != 0) {
      if (++spins < 64)
        cpuRelax();
      else
        std::this_thread::yield();  // the commit thread is encoding this task
    }
  }
}

void RunLogs::start(size_t maxLiveTasks) {
  if (!config_.journal) return;
  capacity_ = std::max<size_t>(maxLiveTasks, 1);
  slots_ = std::make_unique<Slot[]>(capacity_);
  dirtyBits_ = std::make_unique<std::atomic<uint64_t>[]>((capacity_ + 63) / 64);
  for (size_t i = 0; i < (capacity_ + 63) / 64; ++i)
    dirtyBits_[i].store(0, std::memory_order_relaxed);
  nextFree_ = std::make_unique<uint32_t[]>(capacity_);
  for (size_t i = 0; i < capacity_; ++i)
    nextFree_[i] = i + 1 < capacity_ ? static_cast<uint32_t>(i + 1) : kNoSlot;
  readerFree_ = 0;
  freeHead_.store(kNoSlot);
  thread_ = std::thread([this] { commitLoop(); });
}

void RunLogs::add(TaskState& task) {
  if (!config_.journal) return;
  if (readerFree_ == kNoSlot) readerFree_ = freeHead_.exchange(kNoSlot, std::memory_order_acquire);
  uint32_t head = readerFree_;
  MX_ASSERT(head != kNoSlot, "more live tasks than the registry was sized for");
  readerFree_ = nextFree_[head];
  Slot& slot = slots_[head];
  spinLock(slot);
  slot.task = &task;
  slot.dirty.store(0, std::memory_order_relaxed);
  slot.lock.store(0, std::memory_order_release);
  task.slot = head;
}

void RunLogs::remove(TaskState& task) {
  if (task.slot == kNoSlot) return;
  uint32_t index = task.slot;
  Slot& slot = slots_[index];
  slot.task = nullptr;
  slot.dirty.store(0, std::memory_order_relaxed);
  slot.lock.store(0, std::memory_order_release);
  task.slot = kNoSlot;
  uint32_t head = freeHead_.load(std::memory_order_relaxed);
  do {
    nextFree_[index] = head;
  } while (!freeHead_.compare_exchange_weak(head, index, std::memory_order_release,
                                            std::memory_order_relaxed));
}

// ----------------------------------------------------------------------------------- outputs

void RunLogs::fail(const std::string& why) {
  if (outputError_.empty()) outputError_ = why;
  outputFailed_.store(true, std::memory_order_relaxed);
}

bool RunLogs::finish(uint64_t row, uint32_t trial, bool succeeded,
                     const std::vector<std::pair<uint32_t, std::string>>& records,
                     const std::string& deadLetter) {
  if (succeeded && records.empty()) {  // nothing written: no lock shared by all workers
    if (config_.journal) {
      QuietEnds& mine = quietEnds_->local();
      std::lock_guard lock(mine.mu);
      mine.tasks.push_back({row, trial});
    }
    return !outputFailed_.load(std::memory_order_relaxed);
  }
  bool soon = false, ok = true;
  {
    std::lock_guard lock(outMu_);
    for (const auto& [sink, line] : records) {
      auto it = sinkIndex_.find(sink);
      if (it == sinkIndex_.end()) continue;
      OutputFile& f = *sinks_[it->second];
      f.append(line);
      if (!f.error().empty()) fail(f.error());
    }
    if (!succeeded) {
      deadLetters_.append(deadLetter);
      if (!deadLetters_.error().empty()) fail(deadLetters_.error());
    }
    if (config_.journal) {
      pending_.push_back({row, trial});
      soon = pending_.size() == config_.commitEntries;
    }
    ok = outputError_.empty();
  }
  if (soon && !commitSoon_.exchange(true)) commitCv_.notify_one();
  return ok;
}

void RunLogs::badRow(uint64_t row, uint32_t trials, const std::string& deadLetter) {
  std::lock_guard lock(outMu_);
  deadLetters_.append(deadLetter);
  if (!deadLetters_.error().empty()) fail(deadLetters_.error());
  if (config_.journal)
    for (uint32_t trial = 0; trial < trials; ++trial) pending_.push_back({row, trial});
}

std::string RunLogs::outputError() {
  std::lock_guard lock(outMu_);
  return outputError_;
}

// ------------------------------------------------------------------------------ group commit

void RunLogs::commitLoop() {
  std::unique_lock lock(commitMu_);
  while (!stopping_) {
    commitCv_.wait_for(lock, std::chrono::milliseconds(config_.commitIntervalMs),
                       [&] { return stopping_ || commitSoon_.load(); });
    if (stopping_) break;
    commitSoon_.store(false);
    lock.unlock();
    commit(false);
    lock.lock();
  }
}

void RunLogs::addFinished(BlockBuffer& out, const std::vector<Pending>& tasks, bool complete) {
  capnp::MallocMessageBuilder message;
  auto entry = message.initRoot<wire::JournalEntry>();
  auto fill = [&](wire::Offsets::Builder o) {
    auto sinks = o.initSinks(static_cast<unsigned>(sinkOffsets_.size()));
    for (size_t i = 0; i < sinkOffsets_.size(); ++i)
      sinks.set(static_cast<unsigned>(i), sinkOffsets_[i]);
    o.setDeadLetters(deadOffset_);
    o.setTrajectory(trajOffset_);
  };
  if (complete) {
    fill(entry.initComplete());
  } else {
    auto f = entry.initFinished();
    auto list = f.initTasks(static_cast<unsigned>(tasks.size()));
    for (size_t i = 0; i < tasks.size(); ++i) {
      list[static_cast<unsigned>(i)].setRowId(tasks[i].row);
      list[static_cast<unsigned>(i)].setTrial(tasks[i].trial);
    }
    fill(f.initOffsets());
  }
  out.add(message);
}

size_t RunLogs::addCheckpoint(BlockBuffer& out, const TaskState& task) {
  capnp::MallocMessageBuilder message;
  encodeTask(message.initRoot<wire::JournalEntry>().initCheckpoint(), task, *shapes_);
  size_t words = message.sizeInWords();
  if (words * 8 > kMaxBlockPayload / 2) return 0;  // too big to journal: it restarts from its row
  out.add(message);
  return words * 8;
}

bool RunLogs::commit(bool complete) {
  std::vector<Pending> done;
  std::vector<uint64_t> offsets(sinks_.size());
  uint64_t dead = 0, admitted = 0;
  std::vector<const OutputFile*> unsynced;
  quietEnds_->forEach([&](QuietEnds& q) {
    std::lock_guard lock(q.mu);
    done.insert(done.end(), q.tasks.begin(), q.tasks.end());
    q.tasks.clear();
  });
  {
    std::lock_guard lock(outMu_);
    done.insert(done.end(), pending_.begin(), pending_.end());
    pending_.clear();
    admitted = admitted_.load(std::memory_order_acquire);
    for (size_t i = 0; i < sinks_.size(); ++i) {
      sinks_[i]->flush();
      if (!sinks_[i]->error().empty()) fail(sinks_[i]->error());
      offsets[i] = sinks_[i]->size();
      if (sinks_[i]->takeUnsynced()) unsynced.push_back(sinks_[i].get());
    }
    deadLetters_.flush();
    if (!deadLetters_.error().empty()) fail(deadLetters_.error());
    dead = deadLetters_.size();
    if (deadLetters_.takeUnsynced()) unsynced.push_back(&deadLetters_);
    if (!outputError_.empty()) return false;  // never journal past a failed write
  }
  // Rule 2 of RunLogs.h: the bytes the entries below account for are on disk first.
  for (const OutputFile* f : unsynced) {
    std::string why;
    if (!f->syncData(why)) {
      std::lock_guard lock(outMu_);
      fail(why);
      return false;
    }
  }
  BlockBuffer saved;  // the checkpoints, taken before the trajectory is flushed (below)
  uint64_t checkpoints = 0, checkpointBytes = 0;
  if (!complete && capacity_ > 0) {
    // Round robin over the changed tasks, within the byte budget: under heavy load each task
    // is saved every few commits, under light load after every step it takes.
    size_t words = (capacity_ + 63) / 64;
    for (size_t n = 0; n <= words && checkpointBytes < config_.checkpointBytesPerCommit; ++n) {
      size_t w = (cursor_ / 64 + n) % words;
      uint64_t bits = dirtyBits_[w].load(std::memory_order_relaxed);
      if (n == 0) bits &= ~uint64_t(0) << (cursor_ % 64);  // resume where the last commit stopped
      for (; bits && checkpointBytes < config_.checkpointBytesPerCommit; bits &= bits - 1) {
        size_t i = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        cursor_ = i + 1 == capacity_ ? 0 : i + 1;
        Slot& slot = slots_[i];
        uint32_t unlocked = 0;
        if (!slot.lock.compare_exchange_strong(unlocked, 1, std::memory_order_acquire))
          continue;  // mid-step
        if (slot.task && slot.dirty.load(std::memory_order_relaxed)) {
          size_t bytes = addCheckpoint(saved, *slot.task);
          checkpointBytes += bytes;
          checkpoints += bytes > 0;
        }
        slot.dirty.store(0, std::memory_order_relaxed);
        dirtyBits_[w].fetch_and(~(uint64_t(1) << (i % 64)), std::memory_order_relaxed);
        slot.lock.store(0, std::memory_order_release);
      }
    }
  }
  // A step's trajectory record is buffered before its new state can be saved, so flushing now
  // puts every step that led to these checkpoints (and to these ends) below the offset.
  uint64_t traj = trajectory_ ? trajectory_->flush() : trajOffset_;
  bool moved = offsets != sinkOffsets_ || dead != deadOffset_ || traj != trajOffset_;
  sinkOffsets_ = offsets;
  deadOffset_ = dead;
  trajOffset_ = traj;

  BlockBuffer block;
  if (admitted != lastAdmitted_) {
    capnp::MallocMessageBuilder message;
    message.initRoot<wire::JournalEntry>().setAdmitted(admitted);
    block.add(message);
    lastAdmitted_ = admitted;
  }
  if (!done.empty() || moved) addFinished(block, done, false);
  for (const Pending& p : done) finished_.add(p.row, p.trial);
  block.append(saved);
  if (complete) addFinished(block, {}, true);
  if (!block.empty()) {
    if (!journal_.write(block) || !journal_.sync()) {
      std::lock_guard lock(outMu_);
      fail(journal_.error());
      return false;
    }
  }
  {
    std::lock_guard lock(statsMu_);
    ++stats_.commits;
    stats_.checkpoints += checkpoints;
    stats_.checkpointBytes += checkpointBytes;
    stats_.journalBytes = journal_.size();
  }
  if (!complete && journal_.size() > config_.rotateBytes && journal_.size() > 4 * snapshotBytes_) {
    std::string why;
    if (!writeSnapshot(nullptr, why)) {
      std::lock_guard lock(outMu_);
      fail(why);
      return false;
    }
    std::lock_guard lock(statsMu_);
    ++stats_.rotations;
  }
  return true;
}

bool RunLogs::writeSnapshot(const std::vector<const TaskState*>* tasks, std::string& error) {
  std::string finalPath = inDir(config_.runDir, "journal.log");
  std::string tmpPath = finalPath + ".new";
  BlockBuffer block;
  {
    capnp::MallocMessageBuilder message;
    encodeHeader(message.initRoot<wire::JournalEntry>().initHeader(), config_.identity, resumes_,
                 config_.sinks);
    block.add(message);
  }
  // Any count of rows read is sound here: rows below it that are neither finished nor saved
  // are read again from the source on resume.
  uint64_t admitted = admitted_.load(std::memory_order_acquire);
  for (auto set : {0, 1}) {
    capnp::MallocMessageBuilder message;
    auto entry = message.initRoot<wire::JournalEntry>();
    if (set == 0)
      entry.setAdmitted(admitted);
    else
      entry.setFinishedBelow(finished_.below());
    block.add(message);
  }
  BlockBuffer saved;
  if (tasks) {
    for (const TaskState* t : *tasks) addCheckpoint(saved, *t);
  } else {
    for (size_t i = 0; i < capacity_; ++i) {  // every live task that has run a step
      Slot& slot = slots_[i];
      spinLock(slot);
      if (slot.task && (slot.task->steps > 0 || slot.task->awaiting))
        addCheckpoint(saved, *slot.task);
      slot.dirty.store(0, std::memory_order_relaxed);
      dirtyBits_[i / 64].fetch_and(~(uint64_t(1) << (i % 64)), std::memory_order_relaxed);
      slot.lock.store(0, std::memory_order_release);
    }
    if (trajectory_) trajOffset_ = trajectory_->flush();  // as in commit(): steps before states
  }
  std::vector<Pending> above;
  uint32_t trials = finished_.trials();
  for (uint64_t index : finished_.above())
    above.push_back({index / trials, static_cast<uint32_t>(index % trials)});
  addFinished(block, above, false);
  block.append(saved);
  FrameLogWriter next;
  if (!next.open(tmpPath, 0, error)) return false;
  if (!next.write(block) || !next.sync() || !next.renameTo(finalPath) ||
      !syncDirectory(config_.runDir.empty() ? "." : config_.runDir, error)) {
    if (error.empty()) error = next.error();
    return false;
  }
  next.close();
  snapshotBytes_ = fileSize(finalPath);
  if (!journal_.open(finalPath, snapshotBytes_, error)) return false;
  lastAdmitted_ = admitted;
  std::lock_guard lock(statsMu_);
  stats_.journalBytes = snapshotBytes_;
  return true;
}

bool RunLogs::close(bool complete, std::string& error) {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(commitMu_);
      stopping_ = true;
    }
    commitCv_.notify_all();
    thread_.join();
  }
  bool ok = true;
  if (config_.journal && journal_.size() > 0) {
    ok = commit(false) && (!complete || commit(true));
  } else {
    std::lock_guard lock(outMu_);
    for (auto& s : sinks_)
      if (!s->sync()) fail(s->error());
    if (!deadLetters_.sync()) fail(deadLetters_.error());
  }
  if (trajectory_ && !trajectory_->sync()) {
    std::lock_guard lock(outMu_);
    fail(trajectory_->error());
  }
  std::lock_guard lock(outMu_);
  if (!outputError_.empty()) {
    error = outputError_;
    ok = false;
  }
  return ok;
}

LogsStats RunLogs::stats() const {
  std::lock_guard lock(statsMu_);
  LogsStats s = stats_;
  if (trajectory_) s.trajectorySteps = trajectory_->steps();
  return s;
}

// --------------------------------------------------------------------------- reading back

bool RunLogs::checkIdentity(const RunIdentity& found, std::string& error) const {
  const RunIdentity& now = config_.identity;
  std::string journal = inDir(config_.runDir, "journal.log");
  if (found.descriptorHash != now.descriptorHash) {
    error = journal + " was written by another pipeline or another version of it: pipeline '" +
            found.pipeline + "' of " + found.sourcePath + " (descriptor " + found.descriptorHash +
            "); this is '" + now.pipeline + "' of " + now.sourcePath + " (descriptor " +
            now.descriptorHash +
            "). Resume with the program that started the run, or start a new run directory";
    return false;
  }
  auto differs = [&](const std::string& what, const std::string& was, const std::string& is) {
    error = journal + ": the run was started with " + what + " " + was + ", not " + is +
            "; a resume must read the same rows the same way";
    return false;
  };
  if (found.pipeline != now.pipeline)
    return differs("pipeline", "'" + found.pipeline + "'", "'" + now.pipeline + "'");
  if (found.inputPath != now.inputPath)
    return differs("input", "'" + found.inputPath + "'", "'" + now.inputPath + "'");
  if (found.seed != now.seed)
    return differs("seed", std::to_string(found.seed), std::to_string(now.seed));
  if (found.trials != now.trials)
    return differs("trials", std::to_string(found.trials), std::to_string(now.trials));
  if (found.limit != now.limit)
    return differs("limit", std::to_string(found.limit), std::to_string(now.limit));
  return true;
}

bool RunLogs::loadJournal(ResumeState& state, std::string& error, bool forResume) {
  std::string path = inDir(config_.runDir, "journal.log");
  if (!fileExists(path)) {
    error = "'" + config_.runDir +
            "' has no journal (journal.log): it is not a run directory, or the run was started "
            "with --no-journal";
    return false;
  }
  state = ResumeState();
  state.finished = FinishedSet(config_.identity.trials);
  struct Saved {
    std::vector<capnp::word> words;
    uint64_t blockOffset;
  };
  std::unordered_map<uint64_t, Saved> checkpoints;  // task index → its latest checkpoint
  uint32_t trials = state.finished.trials();
  bool sawHeader = false, sawOffsets = false;
  std::string why;
  uint64_t maxRowSeen = 0;
  bool anyRow = false;
  auto seeRow = [&](uint64_t row) {
    maxRowSeen = anyRow ? std::max(maxRowSeen, row) : row;
    anyRow = true;
  };
  auto offsetsFrom = [&](wire::Offsets::Reader o) {
    auto sinks = o.getSinks();
    if (sinks.size() != sinkOffsets_.size()) {
      why = "its entries name " + std::to_string(sinks.size()) + " sinks, the pipeline has " +
            std::to_string(sinkOffsets_.size());
      return false;
    }
    for (unsigned i = 0; i < sinks.size(); ++i) sinkOffsets_[i] = sinks[i];
    deadOffset_ = o.getDeadLetters();
    trajOffset_ = o.getTrajectory();
    sawOffsets = true;
    return true;
  };
  uint64_t where = 0;
  LogScan scan;
  bool ok = scanLog(
      path,
      [&](const LogMessage& m) {
        where = m.blockOffset;
        try {
          kj::ArrayPtr<const capnp::word> words(static_cast<const capnp::word*>(m.words),
                                                m.bytes / 8);
          capnp::FlatArrayMessageReader reader(words, readerOptions(m.bytes));
          auto entry = reader.getRoot<wire::JournalEntry>();
          if (!sawHeader && entry.which() != wire::JournalEntry::HEADER) {
            why = "it does not start with a run header";
            return false;
          }
          switch (entry.which()) {
            case wire::JournalEntry::HEADER: {
              if (sawHeader) {
                why = "a second run header";
                return false;
              }
              sawHeader = true;
              RunIdentity found;
              decodeHeader(entry.getHeader(), found);
              if (found.schemaVersion > wire::SCHEMA_VERSION) {
                why = "it was written by a newer mx (journal schema " +
                      std::to_string(found.schemaVersion) + "; this mx reads " +
                      std::to_string(wire::SCHEMA_VERSION) + ")";
                return false;
              }
              if (forResume && !checkIdentity(found, error)) return false;
              state.resumes = entry.getHeader().getResumes();
              return true;
            }
            case wire::JournalEntry::ADMITTED:
              state.admitted = std::max(state.admitted, entry.getAdmitted());
              return true;
            case wire::JournalEntry::CHECKPOINT: {
              auto c = entry.getCheckpoint();
              if (c.getTrial() >= trials) {
                why = "a checkpoint of trial " + std::to_string(c.getTrial()) + " in a run of " +
                      std::to_string(trials) + " trials";
                return false;
              }
              seeRow(c.getRowId());
              if (state.finished.contains(c.getRowId(), c.getTrial())) return true;
              Saved& s = checkpoints[c.getRowId() * trials + c.getTrial()];
              s.words.assign(words.begin(), words.end());
              s.blockOffset = m.blockOffset;
              return true;
            }
            case wire::JournalEntry::FINISHED: {
              auto f = entry.getFinished();
              for (auto t : f.getTasks()) {
                if (t.getTrial() >= trials) {
                  why = "a finished task of trial " + std::to_string(t.getTrial()) +
                        " in a run of " + std::to_string(trials) + " trials";
                  return false;
                }
                seeRow(t.getRowId());
                state.finished.add(t.getRowId(), t.getTrial());
                checkpoints.erase(t.getRowId() * trials + t.getTrial());
              }
              return offsetsFrom(f.getOffsets());
            }
            case wire::JournalEntry::FINISHED_BELOW:
              state.finished.setBelow(entry.getFinishedBelow());
              return true;
            case wire::JournalEntry::COMPLETE:
              state.complete = true;
              return offsetsFrom(entry.getComplete());
            default: why = "an entry of an unknown kind (written by a newer mx?)"; return false;
          }
        } catch (const kj::Exception& e) {
          why = std::string("a malformed entry: ") + e.getDescription().cStr();
          return false;
        }
      },
      scan, error);
  if (!ok) return false;             // unreadable, or corrupt in the middle: scanLog said where
  if (!error.empty()) return false;  // the header belongs to another run (checkIdentity)
  if (!why.empty()) {
    error = path + ": block at byte " + std::to_string(where) + ": " + why;
    return false;
  }
  if (!sawHeader) {
    error = path + ": no run header" +
            (scan.tornTailBytes
                 ? " (the run was killed before its journal was first written; start it again)"
                 : "");
    return false;
  }
  if (!sawOffsets) {  // killed before anything ended: every output starts empty
    sinkOffsets_.assign(sinkOffsets_.size(), 0);
    deadOffset_ = trajOffset_ = 0;
  }
  state.tornTailBytes = scan.tornTailBytes;
  if (anyRow) state.admitted = std::max(state.admitted, maxRowSeen + 1);
  if (!forResume || state.complete) return true;

  ShapeResolver resolver(&module_.shapes);
  std::vector<std::pair<uint64_t, const Saved*>> order;
  for (auto& [index, saved] : checkpoints)
    if (!state.finished.containsIndex(index)) order.emplace_back(index, &saved);
  std::sort(order.begin(), order.end());  // restore in row order: older rows finish first
  for (auto& [index, saved] : order) {
    auto task = std::make_unique<TaskState>();
    std::string bad;
    if (!decodeCheckpoint(saved->words.data(), saved->words.size() * 8, *task, resolver, bad)) {
    } else if (task->agent >= module_.agents.size()) {
      bad = "agent " + std::to_string(task->agent) + " does not exist";
    } else if (task->frame.size() != module_.tasks[module_.agents[task->agent].task].frameSize) {
      bad = "a frame of " + std::to_string(task->frame.size()) + " values";
    } else {
      for (const PendingCall& c : task->calls)
        if (c.builtin >= stdlib::builtinSpecs().size() || c.resource >= module_.resources.size())
          bad = "a call of an unknown method or resource";
      for (const auto& [sink, record] : task->emits)
        if (sink >= module_.resources.size()) bad = "a record for an unknown sink";
    }
    if (!bad.empty()) {
      error = path + ": block at byte " + std::to_string(saved->blockOffset) +
              ": the checkpoint of row " + std::to_string(index / trials) + " trial " +
              std::to_string(index % trials) + ": " + bad;
      return false;
    }
    state.tasks.push_back(std::move(task));
  }
  return true;
}

}  // namespace mx::rt::durable
