// Codec.h — rt::Value and TaskState to and from their Cap'n Proto form (runtime/schema/
// task.capnp). Private to the runtime: the generated header is heavy, so only the durable/
// files include it.
//
// Both directions are iterative (an explicit work list instead of recursion), so a value nested
// as deep as a step can build never runs a worker out of stack; reading uses Cap'n Proto's
// bounds checks with a nesting limit raised to match (kReaderOptions).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <capnp/message.h>

#include "../exec/TaskState.h"
#include "mx/rt/Journal.h"
#include "mx/rt/Value.h"
#include "schema/task.capnp.h"

namespace mx::rt::durable {

/// Reading limits for our own logs: deep values need a nesting limit far above Cap'n Proto's
/// default of 64; the traversal limit (words read per message) is raised for large frames.
capnp::ReaderOptions readerOptions(size_t messageBytes);

/// Record shapes by identity, for encoding: the module's table ids, the two built-in shapes,
/// and inline field names for anything else.
class ShapeIndex {
 public:
  explicit ShapeIndex(const ShapeTable* table);
  /// The wire id of `shape` (a table id, wire::SHAPE_MESSAGE, SHAPE_TOOL_CALL or SHAPE_INLINE).
  uint32_t idOf(const Shape* shape) const;

 private:
  std::unordered_map<const Shape*, uint32_t> ids_;
};

/// Shapes by wire id, for decoding. Inline shapes with the same field names share one Shape.
class ShapeResolver {
 public:
  explicit ShapeResolver(const ShapeTable* table) : table_(table) {}
  /// Null (and `error`) for an id that is neither in the table nor reserved.
  ShapePtr resolve(uint32_t id, capnp::List<capnp::Text>::Reader names, std::string& error);

 private:
  const ShapeTable* table_;
  std::map<std::vector<std::string>, ShapePtr> inline_;
};

void encodeValue(wire::Value::Builder out, const MxValue& value, const ShapeIndex& shapes);
/// False with `error` when the message holds a shape id this module does not have or a field
/// count that does not match its shape. Cap'n Proto itself throws kj::Exception on malformed
/// bytes: callers that read untrusted files catch it (decodeTask does).
bool decodeValue(wire::Value::Reader in, Value& out, ShapeResolver& shapes, std::string& error);

/// The task message part of `task` (TaskState.h). An awaiting task is saved as it was before
/// its calls went out (callIndex = callBase, no results), so a resume re-submits the same calls
/// with the same seeds.
void encodeTask(wire::TaskState::Builder out, const TaskState& task, const ShapeIndex& shapes);
/// Fills `task` (a fresh one); false with `error` on anything malformed, including bytes that
/// Cap'n Proto rejects.
bool decodeTask(wire::TaskState::Reader in, TaskState& task, ShapeResolver& shapes,
                std::string& error);

/// Reads a flat-encoded JournalEntry holding a checkpoint (as the journal stores it) into
/// `task`; false with `error` for anything else or anything malformed. Never throws.
bool decodeCheckpoint(const void* words, size_t bytes, TaskState& task, ShapeResolver& shapes,
                      std::string& error);

/// A RunHeader message from the identity (the journal's first entry, the trajectory log's
/// segment headers).
void encodeHeader(wire::RunHeader::Builder out, const RunIdentity& identity, uint32_t resumes,
                  const std::vector<std::pair<uint32_t, std::string>>& sinks);
void decodeHeader(wire::RunHeader::Reader in, RunIdentity& out);

}  // namespace mx::rt::durable
