// AbiConvert.cpp — mx_rt_convert: a json value (a row column, usually) to a field's declared type,
// as the explicit conversions do (docs/language.md §4.5), and int → float widening.
//
// Only the outer type is known here (`kind` is a tag), so a list or map is checked to be an array
// or object but its elements are taken as they are (see the runtime README).
#include <string>

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

}  // namespace

extern "C" int32_t mx_rt_convert(MxCtx* ctx, uint32_t loc, MxValue* out, const MxValue* in,
                                 int32_t kind, int32_t optional, const char* what) {
  if (in->tag == MX_NONE && kind != MX_NONE) {
    if (optional) {
      assign(out, noneValue());
      return 0;
    }
    return ctx->fail(loc, std::string("field '") + what + "': missing or null, expected " +
                              kindName(kind));
  }
  MxValue result{};
  std::string error;
  if (!convert(*in, kind, result, error)) {
    return ctx->fail(loc, std::string("field '") + what + "': " + error);
  }
  assign(out, result);
  return 0;
}
