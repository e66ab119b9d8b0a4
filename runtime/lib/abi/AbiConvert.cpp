// AbiConvert.cpp — mx_rt_convert: a json value (a row column, usually) to a field's declared type,
// as the explicit conversions do (docs/language.md §4.5), and int → float widening.
//
// The type arrives as its .mx text ("list<int>", "map<string, float>?", "message"), so lists and
// maps convert element by element and an error names the element ("field 'xs'[1]: ...").
#include <memory>
#include <string>
#include <string_view>

#include "mx/rt/Abi.h"
#include "mx/rt/Context.h"
#include "mx/rt/Value.h"

using namespace mx::rt;

namespace {

const char* kindName(int32_t kind) {
  switch (kind) {
    case MX_INT: return "int";
    case MX_FLOAT: return "float";
    case MX_BOOL: return "bool";
    case MX_STR: return "string";
    case MX_LIST: return "a list";
    case MX_MAP: return "a map";
    case MX_RECORD: return "a record";
    default: return "json";
  }
}

/// Converts `in` to `kind` into `result`; false with `error` set when it cannot.
bool convert(const MxValue& in, int32_t kind, MxValue& result, std::string& error) {
  switch (kind) {
    case MX_INT: {
      int64_t i = 0;
      if (!jsonToInt(in, i, error)) return false;
      result = intValue(i);
      return true;
    }
    case MX_FLOAT: {
      double f = 0;
      if (!jsonToFloat(in, f, error)) return false;
      result = floatValue(f);
      return true;
    }
    case MX_STR:
      // As str() does: strings as they are, other JSON values as their text.
      if (in.tag == MX_STR) {
        retain(in);
        result = in;
      } else {
        result = newString(toString(in));
      }
      return true;
    case MX_BOOL:
    case MX_LIST:
    case MX_MAP:
    case MX_RECORD: {
      bool ok = in.tag == kind || (kind == MX_MAP && in.tag == MX_RECORD);
      if (!ok) {
        error =
            std::string("expected ") + kindName(kind) + ", got JSON " + quoteForError(toJson(in));
        return false;
      }
      if (in.tag == MX_RECORD && kind == MX_MAP) {
        const RecordObj& r = *recordObj(in);
        result = newMap();
        for (size_t i = 0; i < r.fields.size(); ++i) {
          retain(r.fields[i]);
          mapObj(result)->set(r.shape->fields[i], r.fields[i]);
        }
        return true;
      }
      retain(in);
      result = in;
      return true;
    }
    default:  // json: any value
      retain(in);
      result = in;
      return true;
  }
}

/// A parsed field type: the tag it stores, element type for lists and maps, optional or not.
struct FieldType {
  int32_t kind = MX_NONE;  // MX_NONE: json, anything goes
  bool optional = false;
  bool message = false;    // a chat message record
  std::unique_ptr<FieldType> element;
};

std::unique_ptr<FieldType> parseType(std::string_view& s) {
  auto t = std::make_unique<FieldType>();
  auto word = [&](std::string_view w) {
    if (s.substr(0, w.size()) != w) return false;
    s.remove_prefix(w.size());
    return true;
  };
  auto skipSpace = [&] { while (!s.empty() && s.front() == ' ') s.remove_prefix(1); };
  if (word("list<")) {
    t->kind = MX_LIST;
    t->element = parseType(s);
    word(">");
  } else if (word("map<string,")) {
    skipSpace();
    t->kind = MX_MAP;
    t->element = parseType(s);
    word(">");
  } else if (word("int")) {
    t->kind = MX_INT;
  } else if (word("float")) {
    t->kind = MX_FLOAT;
  } else if (word("bool")) {
    t->kind = MX_BOOL;
  } else if (word("string")) {
    t->kind = MX_STR;
  } else if (word("message")) {
    t->kind = MX_RECORD;
    t->message = true;
  } else {  // json, tool_call, task and anonymous record types: taken as they are
    while (!s.empty() && s.front() != '>' && s.front() != ',' && s.front() != '?') s.remove_prefix(1);
  }
  if (word("?")) t->optional = true;
  return t;
}

bool convertTo(const MxValue& in, const FieldType& type, MxValue& result, std::string& path, std::string& error) {
  if (in.tag == MX_NONE && type.kind != MX_NONE) {
    if (type.optional) {
      result = noneValue();
      return true;
    }
    error = path + ": missing or null, expected " + kindName(type.kind);
    return false;
  }
  if (type.message) {
    if (in.tag != MX_MAP) {
      error = path + ": expected a message object, got JSON " + quoteForError(toJson(in));
      return false;
    }
    MxValue role{}, content{}, calls{};
    jsonMember(&role, in, "role");
    jsonMember(&content, in, "content");
    jsonMember(&calls, in, "tool_calls");
    std::vector<MxValue> fields = {role.tag == MX_STR ? role : newString(""), content.tag == MX_STR ? content : newString(""),
                                   calls.tag == MX_LIST ? calls : newList()};
    if (role.tag != MX_STR) release(role);
    if (content.tag != MX_STR) release(content);
    if (calls.tag != MX_LIST) release(calls);
    result = newRecord(messageShape(), std::move(fields));
    return true;
  }
  if ((type.kind == MX_LIST || type.kind == MX_MAP) && type.element) {
    if (in.tag != type.kind) {
      error = path + ": expected " + kindName(type.kind) + ", got JSON " + quoteForError(toJson(in));
      return false;
    }
    if (type.kind == MX_LIST) {
      std::vector<MxValue> items;
      const auto& src = listObj(in)->items;
      for (size_t i = 0; i < src.size(); ++i) {
        std::string at = path + "[" + std::to_string(i) + "]";
        MxValue v{};
        if (!convertTo(src[i], *type.element, v, at, error)) {
          for (auto& x : items) release(x);
          return false;
        }
        items.push_back(v);
      }
      result = newList(std::move(items));
      return true;
    }
    MxValue map = newMap();
    for (const auto& [key, value] : mapObj(in)->entries) {
      std::string at = path + "[\"" + key + "\"]";
      MxValue v{};
      if (!convertTo(value, *type.element, v, at, error)) {
        release(map);
        return false;
      }
      mapObj(map)->set(key, v);
    }
    result = map;
    return true;
  }
  std::string why;
  if (!convert(in, type.kind, result, why)) {
    error = path + ": " + why;
    return false;
  }
  return true;
}

}  // namespace

extern "C" int32_t mx_rt_convert(MxCtx* ctx, uint32_t loc, MxValue* out, const MxValue* in, const char* type,
                                 const char* what) {
  std::string_view text(type);
  auto parsed = parseType(text);
  std::string path = std::string("field '") + what + "'", error;
  MxValue result{};
  if (!convertTo(*in, *parsed, result, path, error)) return ctx->fail(loc, error);
  assign(out, result);
  return 0;
}
