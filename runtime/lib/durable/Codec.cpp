// Codec.cpp — Value and TaskState to and from Cap'n Proto, without recursion.
#include "Codec.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include <capnp/serialize.h>
#include <kj/exception.h>

namespace mx::rt::durable {

capnp::ReaderOptions readerOptions(size_t messageBytes) {
  capnp::ReaderOptions o;
  // Each level of a value is two pointers (a list, then its element struct) plus slack; values
  // are walked iteratively on our side, so only Cap'n Proto's own bound matters.
  o.nestingLimit = 1 << 24;
  o.traversalLimitInWords = std::max<uint64_t>(uint64_t(8) << 20, uint64_t(messageBytes / 8) * 4);
  return o;
}

ShapeIndex::ShapeIndex(const ShapeTable* table) {
  if (table)
    for (uint32_t i = 0; i < table->size(); ++i) ids_.emplace(table->find(i)->get(), i);
}

uint32_t ShapeIndex::idOf(const Shape* shape) const {
  auto it = ids_.find(shape);
  if (it != ids_.end()) return it->second;
  if (shape == messageShape().get()) return wire::SHAPE_MESSAGE;
  if (shape == toolCallShape().get()) return wire::SHAPE_TOOL_CALL;
  return wire::SHAPE_INLINE;
}

ShapePtr ShapeResolver::resolve(uint32_t id, capnp::List<capnp::Text>::Reader names,
                                std::string& error) {
  if (id == wire::SHAPE_MESSAGE) return messageShape();
  if (id == wire::SHAPE_TOOL_CALL) return toolCallShape();
  if (id == wire::SHAPE_INLINE) {
    std::vector<std::string> fields;
    for (auto n : names) fields.emplace_back(n.begin(), n.size());
    auto& shape = inline_[fields];
    if (!shape) {
      auto s = std::make_shared<Shape>();
      s->fields = std::move(fields);
      shape = std::move(s);
    }
    return shape;
  }
  const ShapePtr* s = table_ ? table_->find(id) : nullptr;
  if (!s) {
    error = "a record of shape " + std::to_string(id) + ", which this module does not have";
    return nullptr;
  }
  return *s;
}

namespace {

void setText(wire::Value::Builder b, std::string_view s) {
  auto t = b.initText(static_cast<unsigned>(s.size()));
  if (!s.empty()) std::memcpy(t.begin(), s.data(), s.size());
}

void setKey(wire::Value::Entry::Builder b, std::string_view s) {
  auto t = b.initKey(static_cast<unsigned>(s.size()));
  if (!s.empty()) std::memcpy(t.begin(), s.data(), s.size());
}

}  // namespace

void encodeValue(wire::Value::Builder out, const MxValue& value, const ShapeIndex& shapes) {
  struct Work {
    const MxValue* value;
    wire::Value::Builder builder;
  };
  std::vector<Work> work;
  work.push_back({&value, out});
  while (!work.empty()) {
    Work w = work.back();
    work.pop_back();
    const MxValue& v = *w.value;
    switch (v.tag) {
      case MX_INT: w.builder.setInt(v.as.i); break;
      case MX_FLOAT: w.builder.setFloat(v.as.f); break;
      case MX_BOOL: w.builder.setBool(v.as.b != 0); break;
      case MX_STR: setText(w.builder, stringView(v)); break;
      case MX_LIST: {
        const auto& items = listObj(v)->items;
        auto list = w.builder.initList(static_cast<unsigned>(items.size()));
        for (size_t i = 0; i < items.size(); ++i)
          work.push_back({&items[i], list[static_cast<unsigned>(i)]});
        break;
      }
      case MX_MAP: {
        const auto& entries = mapObj(v)->entries;
        auto list = w.builder.initMap(static_cast<unsigned>(entries.size()));
        for (size_t i = 0; i < entries.size(); ++i) {
          auto e = list[static_cast<unsigned>(i)];
          setKey(e, entries[i].first);
          work.push_back({&entries[i].second, e.initValue()});
        }
        break;
      }
      case MX_RECORD: {
        const RecordObj* r = recordObj(v);
        auto rec = w.builder.initRecord();
        uint32_t id = shapes.idOf(r->shape.get());
        rec.setShape(id);
        if (id == wire::SHAPE_INLINE) {
          auto names = rec.initFieldNames(static_cast<unsigned>(r->shape->fields.size()));
          for (size_t i = 0; i < r->shape->fields.size(); ++i)
            names.set(static_cast<unsigned>(i),
                      capnp::Text::Reader(r->shape->fields[i].c_str(), r->shape->fields[i].size()));
        }
        auto fields = rec.initFields(static_cast<unsigned>(r->fields.size()));
        for (size_t i = 0; i < r->fields.size(); ++i)
          work.push_back({&r->fields[i], fields[static_cast<unsigned>(i)]});
        break;
      }
      default: w.builder.setNone(); break;
    }
  }
}

bool decodeValue(wire::Value::Reader in, Value& out, ShapeResolver& shapes, std::string& error) {
  struct Work {
    wire::Value::Reader reader;
    MxValue* slot;  // a none slot inside an object this function built (or `out`)
  };
  out = Value();
  std::vector<Work> work;
  work.push_back({in, out.slot()});
  while (!work.empty()) {
    Work w = work.back();
    work.pop_back();
    auto r = w.reader;
    switch (r.which()) {
      case wire::Value::NONE: break;
      case wire::Value::INT: *w.slot = intValue(r.getInt()); break;
      case wire::Value::FLOAT: *w.slot = floatValue(r.getFloat()); break;
      case wire::Value::BOOL: *w.slot = boolValue(r.getBool()); break;
      case wire::Value::TEXT: {
        auto t = r.getText();
        *w.slot = newString(std::string(t.begin(), t.size()));
        break;
      }
      case wire::Value::LIST: {
        auto items = r.getList();
        std::vector<MxValue> slots(items.size());
        *w.slot = newList(std::move(slots));
        auto& dst = listObj(*w.slot)->items;
        for (unsigned i = 0; i < items.size(); ++i) work.push_back({items[i], &dst[i]});
        break;
      }
      case wire::Value::MAP: {
        auto entries = r.getMap();
        *w.slot = newMap();
        MapObj* m = mapObj(*w.slot);
        m->entries.resize(entries.size());
        for (unsigned i = 0; i < entries.size(); ++i) {
          auto key = entries[i].getKey();
          m->entries[i].first.assign(key.begin(), key.size());
          work.push_back({entries[i].getValue(), &m->entries[i].second});
        }
        m->reindex();
        break;
      }
      case wire::Value::RECORD: {
        auto rec = r.getRecord();
        ShapePtr shape = shapes.resolve(rec.getShape(), rec.getFieldNames(), error);
        if (!shape) return false;
        auto fields = rec.getFields();
        if (fields.size() != shape->fields.size()) {
          error = "a record with " + std::to_string(fields.size()) + " fields for a shape of " +
                  std::to_string(shape->fields.size());
          return false;
        }
        *w.slot = newRecord(shape, std::vector<MxValue>(fields.size()));
        auto& dst = recordObj(*w.slot)->fields;
        for (unsigned i = 0; i < fields.size(); ++i) work.push_back({fields[i], &dst[i]});
        break;
      }
      default: error = "a value of an unknown kind (written by a newer mx?)"; return false;
    }
  }
  return true;
}

void encodeTask(wire::TaskState::Builder out, const TaskState& task, const ShapeIndex& shapes) {
  out.setRowId(task.rowId);
  out.setTrial(task.trial);
  out.setAgent(task.agent);
  out.setResume(task.resume);
  out.setAttempts(task.attempts);
  out.setRandomDraws(task.randomDraws);
  out.setCallIndex(task.awaiting ? task.callBase : task.callIndex);
  out.setSteps(task.steps);
  auto frame = out.initFrame(static_cast<unsigned>(task.frame.size()));
  for (size_t i = 0; i < task.frame.size(); ++i)
    encodeValue(frame[static_cast<unsigned>(i)], task.frame[i].raw(), shapes);
  if (task.awaiting) {
    out.setPhase(wire::TaskState::Phase::AWAITING);
    auto calls = out.initCalls(static_cast<unsigned>(task.calls.size()));
    for (size_t i = 0; i < task.calls.size(); ++i) {
      const PendingCall& c = task.calls[i];
      auto b = calls[static_cast<unsigned>(i)];
      b.setLoc(c.loc);
      b.setBuiltin(c.builtin);
      b.setResource(c.resource);
      b.setSlot(c.slot);
      auto args = b.initArgs(static_cast<unsigned>(c.args.size()));
      for (size_t k = 0; k < c.args.size(); ++k)
        encodeValue(args[static_cast<unsigned>(k)], c.args[k].raw(), shapes);
    }
  } else {
    out.setPhase(wire::TaskState::Phase::READY);
    auto results = out.initAwaitResults(static_cast<unsigned>(task.results.size()));
    for (size_t i = 0; i < task.results.size(); ++i)
      encodeValue(results[static_cast<unsigned>(i)], task.results[i].raw(), shapes);
  }
  auto emits = out.initEmits(static_cast<unsigned>(task.emits.size()));
  for (size_t i = 0; i < task.emits.size(); ++i) {
    emits[static_cast<unsigned>(i)].setSink(task.emits[i].first);
    encodeValue(emits[static_cast<unsigned>(i)].initRecord(), task.emits[i].second.raw(), shapes);
  }
}

bool decodeTask(wire::TaskState::Reader in, TaskState& task, ShapeResolver& shapes,
                std::string& error) {
  try {
    task.rowId = in.getRowId();
    task.trial = in.getTrial();
    task.agent = in.getAgent();
    task.resume = in.getResume();
    task.attempts = in.getAttempts();
    task.randomDraws = in.getRandomDraws();
    task.callIndex = in.getCallIndex();
    task.callBase = task.callIndex;
    task.steps = in.getSteps();
    auto frame = in.getFrame();
    task.frame.resize(frame.size());
    for (unsigned i = 0; i < frame.size(); ++i)
      if (!decodeValue(frame[i], task.frame[i], shapes, error)) return false;
    task.awaiting = in.getPhase() == wire::TaskState::Phase::AWAITING;
    if (task.awaiting) {
      for (auto c : in.getCalls()) {
        PendingCall call;
        call.loc = c.getLoc();
        call.builtin = c.getBuiltin();
        call.resource = c.getResource();
        call.slot = c.getSlot();
        for (auto a : c.getArgs()) {
          Value v;
          if (!decodeValue(a, v, shapes, error)) return false;
          call.args.push_back(std::move(v));
        }
        task.calls.push_back(std::move(call));
      }
    } else {
      auto results = in.getAwaitResults();
      task.results.resize(results.size());
      for (unsigned i = 0; i < results.size(); ++i)
        if (!decodeValue(results[i], task.results[i], shapes, error)) return false;
    }
    for (auto e : in.getEmits()) {
      Value v;
      if (!decodeValue(e.getRecord(), v, shapes, error)) return false;
      task.emits.emplace_back(e.getSink(), std::move(v));
    }
  } catch (const kj::Exception& e) {
    error = std::string("malformed task message: ") + e.getDescription().cStr();
    return false;
  }
  return true;
}

}  // namespace mx::rt::durable

namespace mx::rt::durable {

bool decodeCheckpoint(const void* words, size_t bytes, TaskState& task, ShapeResolver& shapes,
                      std::string& error) {
  try {
    capnp::FlatArrayMessageReader reader(
        kj::ArrayPtr<const capnp::word>(static_cast<const capnp::word*>(words), bytes / 8),
        readerOptions(bytes));
    auto entry = reader.getRoot<wire::JournalEntry>();
    if (entry.which() != wire::JournalEntry::CHECKPOINT) {
      error = "not a checkpoint";
      return false;
    }
    return decodeTask(entry.getCheckpoint(), task, shapes, error);
  } catch (const kj::Exception& e) {
    error = std::string("malformed task message: ") + e.getDescription().cStr();
    return false;
  }
}

void encodeHeader(wire::RunHeader::Builder out, const RunIdentity& identity, uint32_t resumes,
                  const std::vector<std::pair<uint32_t, std::string>>& sinks) {
  out.setSchemaVersion(wire::SCHEMA_VERSION);
  out.setMxVersion(identity.mxVersion);
  out.setModulePath(identity.modulePath);
  out.setAot(identity.aot);
  out.setSourcePath(identity.sourcePath);
  out.setDescriptorHash(identity.descriptorHash);
  out.setPipeline(identity.pipeline);
  out.setInputPath(identity.inputPath);
  out.setSeed(identity.seed);
  out.setTrials(identity.trials);
  out.setLimit(identity.limit);
  auto list = out.initSinks(static_cast<unsigned>(sinks.size()));
  for (size_t i = 0; i < sinks.size(); ++i) {
    list[static_cast<unsigned>(i)].setResource(sinks[i].first);
    list[static_cast<unsigned>(i)].setPath(sinks[i].second);
  }
  out.setStartedAtMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
  out.setResumes(resumes);
}

void decodeHeader(wire::RunHeader::Reader in, RunIdentity& out) {
  out.schemaVersion = in.getSchemaVersion();
  out.mxVersion = in.getMxVersion();
  out.modulePath = in.getModulePath();
  out.aot = in.getAot();
  out.sourcePath = in.getSourcePath();
  out.descriptorHash = in.getDescriptorHash();
  out.pipeline = in.getPipeline();
  out.inputPath = in.getInputPath();
  out.seed = in.getSeed();
  out.trials = in.getTrials();
  out.limit = in.getLimit();
}

}  // namespace mx::rt::durable
