// PythonJson.cpp — json.dumps formatting (Tools.h): tool results reach models in the exact text
// their training dialogues used.
#include <cstdio>

#include "mx/rt/Tools.h"

namespace mx::rt {
namespace {

void escapeString(const std::string& s, std::string& out) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0x80) {  // decode UTF-8 (the values come from nlohmann, so it is valid)
      len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      cp = c & (len == 4 ? 0x07 : len == 3 ? 0x0F : 0x1F);
      for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    char buf[16];
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0x10000)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      out += buf;
    } else if (cp >= 0x10000) {  // a surrogate pair, as Python writes it
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      out += buf;
    } else {
      out += static_cast<char>(cp);
    }
  }
  out += '"';
}

void dump(const nlohmann::ordered_json& v, std::string& out) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        escapeString(it.key(), out);
        out += ": ";
        dump(it.value(), out);
      }
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ", ";
        dump(v[i], out);
      }
      out += ']';
      return;
    }
    case nlohmann::json::value_t::string: escapeString(v.get<std::string>(), out); return;
    case nlohmann::json::value_t::number_float: {
      double d = v.get<double>();
      std::string text = nlohmann::ordered_json(d).dump();  // shortest round-trip form
      if (text.find_first_of(".eE") == std::string::npos) text += ".0";  // Python writes 3.0
      out += text;
      return;
    }
    default: out += v.dump(); return;  // null, bool, integers: the same text in both
  }
}

}  // namespace

std::string pythonJsonDumps(const nlohmann::ordered_json& value) {
  std::string out;
  dump(value, out);
  return out;
}

}  // namespace mx::rt
