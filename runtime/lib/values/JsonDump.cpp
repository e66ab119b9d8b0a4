// JsonDump.cpp — values as compact JSON text (json_dump, str of containers, sinks).
#include <cmath>
#include <string>

#include "mx/rt/Utf8.h"
#include "mx/rt/Value.h"

namespace mx::rt {
namespace {

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      utf8::Decoded d = utf8::decode(s, i);
      if (d.codePoint == utf8::kReplacement && d.length == 1) {
        utf8::append(out, utf8::kReplacement);  // keep the output valid UTF-8
      } else {
        out.append(s.substr(i, d.length));
      }
      i += d.length;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += char(c);
        }
    }
    ++i;
  }
  out += '"';
}

}  // namespace

void appendJson(std::string& out, const MxValue& v) {
  switch (v.tag) {
    case MX_NONE: out += "null"; return;
    case MX_INT: out += std::to_string(v.as.i); return;
    case MX_FLOAT: out += std::isfinite(v.as.f) ? formatFloat(v.as.f) : "null"; return;
    case MX_BOOL: out += v.as.b ? "true" : "false"; return;
    case MX_STR: appendJsonString(out, strObj(v)->bytes); return;
    case MX_LIST: {
      out += '[';
      bool first = true;
      for (const MxValue& item : listObj(v)->items) {
        if (!first) out += ',';
        first = false;
        appendJson(out, item);
      }
      out += ']';
      return;
    }
    case MX_MAP: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : mapObj(v)->entries) {
        if (!first) out += ',';
        first = false;
        appendJsonString(out, key);
        out += ':';
        appendJson(out, item);
      }
      out += '}';
      return;
    }
    case MX_RECORD: {
      const RecordObj* r = recordObj(v);
      out += '{';
      for (size_t i = 0; i < r->fields.size(); ++i) {
        if (i) out += ',';
        appendJsonString(out, r->shape->fields[i]);
        out += ':';
        appendJson(out, r->fields[i]);
      }
      out += '}';
      return;
    }
    default: out += "null"; return;
  }
}

std::string toJson(const MxValue& v) {
  std::string out;
  appendJson(out, v);
  return out;
}

}  // namespace mx::rt
