// Identity.cpp — the public reading helpers of Journal.h: a run directory's header, the
// descriptor hash, the schema version.
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "Codec.h"
#include "mx/rt/Journal.h"

namespace mx::rt {

uint32_t journalSchemaVersion() { return wire::SCHEMA_VERSION; }

std::string descriptorHash(const char* descriptor) {
  if (!descriptor) return "";
  auto d = nlohmann::json::parse(descriptor, nullptr, false);
  if (d.is_discarded()) return "";
  if (d.is_object())
    d.erase("source");  // the same program compiled from another spelling of its path
  std::string text = d.dump();
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64: detects a changed pipeline, not an adversary
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  char out[40];
  std::snprintf(out, sizeof out, "%016llx-%08x", static_cast<unsigned long long>(h),
                crc32c(text.data(), text.size()));
  return out;
}

bool readRunIdentity(const std::string& runDir, RunIdentity& out, std::string& error) {
  std::string path = (runDir.empty() ? std::string(".") : runDir) + "/journal.log";
  bool found = false;
  std::string why;
  LogScan scan;
  bool ok = scanLog(
      path,
      [&](const LogMessage& m) {
        try {
          capnp::FlatArrayMessageReader reader(
              kj::ArrayPtr<const capnp::word>(static_cast<const capnp::word*>(m.words),
                                              m.bytes / 8),
              durable::readerOptions(m.bytes));
          auto entry = reader.getRoot<wire::JournalEntry>();
          if (entry.which() != wire::JournalEntry::HEADER) {
            why = "it does not start with a run header";
          } else {
            durable::decodeHeader(entry.getHeader(), out);
            found = true;
          }
        } catch (const kj::Exception& e) {
          why = std::string("a malformed entry: ") + e.getDescription().cStr();
        }
        return false;  // only the first message
      },
      scan, error);
  if (!ok) {
    if (error.rfind("cannot open", 0) == 0)
      error = "'" + runDir +
              "' has no journal (journal.log): it is not a run directory, or the run was started "
              "with --no-journal";
    return false;
  }
  if (!found) {
    error = path + ": " +
            (why.empty() ? "no run header (the run was killed before its journal was first written)"
                         : why);
    return false;
  }
  if (out.schemaVersion > wire::SCHEMA_VERSION) {
    error = path + " was written by a newer mx (journal schema " +
            std::to_string(out.schemaVersion) + "; this mx reads " +
            std::to_string(wire::SCHEMA_VERSION) + ")";
    return false;
  }
  return true;
}

}  // namespace mx::rt
