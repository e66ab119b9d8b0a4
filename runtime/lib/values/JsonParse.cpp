// JsonParse.cpp — JSON text to values, through nlohmann's SAX parser.
//
// The SAX interface builds slots directly (no intermediate DOM), and nlohmann's parser is
// iterative, so only our own depth limit (kMaxJsonDepth) bounds nesting. nlohmann also rejects
// invalid UTF-8, lone surrogates in \u escapes and numbers that overflow a double. This is the
// only file that includes its (heavy) header.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "mx/rt/Value.h"

namespace mx::rt {
namespace {

/// Turns "[json.exception.parse_error.101] parse error at line 1, column 3: syntax error ..."
/// into "line 1, column 3: syntax error ..."; messages without a line get the byte offset.
std::string describe(size_t position, const std::string& what) {
  std::string text = what;
  if (size_t close = text.find("] ");
      text.rfind("[json.exception.", 0) == 0 && close != text.npos) {
    text = text.substr(close + 2);
  }
  if (text.rfind("parse error at ", 0) == 0) text = text.substr(15);
  if (text.rfind("line ", 0) != 0) text = "byte " + std::to_string(position) + ": " + text;
  return text;
}

class Builder {
 public:
  using Json = nlohmann::json;

  ~Builder() {
    for (Frame& f : stack_) release(f.container);
    release(result_);
  }

  bool null() { return put(noneValue()); }
  bool boolean(bool b) { return put(boolValue(b)); }
  bool number_integer(Json::number_integer_t i) { return put(intValue(i)); }
  bool number_unsigned(Json::number_unsigned_t u) {
    // Integers past int64 keep their magnitude as a float rather than failing the row.
    return put(u <= uint64_t(INT64_MAX) ? intValue(int64_t(u)) : floatValue(double(u)));
  }
  bool number_float(Json::number_float_t f, const std::string&) { return put(floatValue(f)); }
  bool string(std::string& s) { return put(newString(std::move(s))); }
  bool binary(Json::binary_t&) { return false; }  // never produced by JSON text
  bool start_object(std::size_t) { return open(newMap()); }
  bool key(std::string& k) {
    stack_.back().key = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(newList()); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    if (error_.empty()) error_ = describe(position, e.what());
    return false;
  }

  const std::string& error() const { return error_; }
  MxValue takeResult() {
    MxValue r = result_;
    result_ = MxValue{};
    return r;
  }

 private:
  struct Frame {
    MxValue container;
    std::string key;  // the key of the member being parsed (objects)
  };

  bool put(MxValue v) {
    if (stack_.empty()) {
      result_ = v;
      return true;
    }
    Frame& top = stack_.back();
    if (top.container.tag == MX_LIST) {
      listObj(top.container)->items.push_back(v);
    } else {
      mapObj(top.container)->set(std::move(top.key), v);
    }
    return true;
  }
  bool open(MxValue container) {
    if (stack_.size() >= size_t(kMaxJsonDepth)) {
      release(container);
      error_ = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    stack_.push_back({container, {}});
    return true;
  }
  bool close() {
    MxValue done = stack_.back().container;
    stack_.pop_back();
    return put(done);
  }

  std::vector<Frame> stack_;
  MxValue result_{};
  std::string error_;
};

}  // namespace

bool parseJson(std::string_view text, MxValue* out, std::string& error) {
  Builder builder;
  bool ok = nlohmann::json::sax_parse(text.data(), text.data() + text.size(), &builder);
  if (!ok) {
    error = builder.error().empty() ? "invalid JSON" : builder.error();
    assign(out, noneValue());
    return false;
  }
  assign(out, builder.takeResult());
  return true;
}

}  // namespace mx::rt
