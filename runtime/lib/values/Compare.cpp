// Compare.cpp — deep equality (==, `in`, contains) and the total order behind sort().
//
// Maps and records are both JSON objects once a value is converted to json, so they compare with
// each other by keys and values; maps ignore key order, as JSON objects do.
#include <cmath>
#include <string_view>

#include "mx/rt/Value.h"

namespace mx::rt {
namespace {

bool isObject(const MxValue& v) { return v.tag == MX_MAP || v.tag == MX_RECORD; }

/// An int and a float are equal only when the float is exactly that integer (2^53 + 1 is not
/// equal to 2^53 even though converting it to double rounds it there).
bool intEqualsFloat(int64_t i, double f) {
  if (!(f >= -0x1p63 && f < 0x1p63)) return false;  // also rejects NaN
  return double(int64_t(f)) == f && int64_t(f) == i;
}

bool numbersEqual(const MxValue& a, const MxValue& b) {
  if (a.tag == MX_INT && b.tag == MX_INT) return a.as.i == b.as.i;
  if (a.tag == MX_INT) return intEqualsFloat(a.as.i, b.as.f);
  if (b.tag == MX_INT) return intEqualsFloat(b.as.i, a.as.f);
  return a.as.f == b.as.f;
}

size_t objectSize(const MxValue& v) {
  return v.tag == MX_MAP ? mapObj(v)->entries.size() : recordObj(v)->fields.size();
}
std::string_view objectKey(const MxValue& v, size_t i) {
  return v.tag == MX_MAP ? std::string_view(mapObj(v)->entries[i].first)
                         : std::string_view(recordObj(v)->shape->fields[i]);
}
const MxValue& objectValue(const MxValue& v, size_t i) {
  return v.tag == MX_MAP ? mapObj(v)->entries[i].second : recordObj(v)->fields[i];
}
/// The value under `key`, or null.
const MxValue* objectFind(const MxValue& v, std::string_view key) {
  if (v.tag == MX_MAP) {
    int64_t at = mapObj(v)->find(key);
    return at < 0 ? nullptr : &mapObj(v)->entries[size_t(at)].second;
  }
  int32_t at = recordObj(v)->shape->fieldIndex(key);
  return at < 0 ? nullptr : &recordObj(v)->fields[size_t(at)];
}

bool objectsEqual(const MxValue& a, const MxValue& b) {
  if (a.tag == MX_RECORD && b.tag == MX_RECORD && recordObj(a)->shape == recordObj(b)->shape) {
    const auto &fa = recordObj(a)->fields, &fb = recordObj(b)->fields;
    for (size_t i = 0; i < fa.size(); ++i) {
      if (!equals(fa[i], fb[i])) return false;
    }
    return true;
  }
  size_t n = objectSize(a);
  if (n != objectSize(b)) return false;
  for (size_t i = 0; i < n; ++i) {
    const MxValue* other = objectFind(b, objectKey(a, i));
    if (!other || !equals(objectValue(a, i), *other)) return false;
  }
  return true;
}

int rank(const MxValue& v) {
  switch (v.tag) {
    case MX_NONE: return 0;
    case MX_BOOL: return 1;
    case MX_INT:
    case MX_FLOAT: return 2;
    case MX_STR: return 3;
    case MX_LIST: return 4;
    default: return 5;  // map, record
  }
}

template <typename T> int threeWay(T a, T b) { return a < b ? -1 : (b < a ? 1 : 0); }

int compareNumbers(const MxValue& a, const MxValue& b) {
  if (a.tag == MX_INT && b.tag == MX_INT) return threeWay(a.as.i, b.as.i);
  double x = toDouble(a), y = toDouble(b);
  if (std::isnan(x) || std::isnan(y)) return threeWay(std::isnan(x), std::isnan(y));  // NaN last
  if (x == y && a.tag != b.tag) {
    // Equal as doubles, but the int may lie between two doubles; compare exactly.
    int64_t i = a.tag == MX_INT ? a.as.i : b.as.i;
    double f = a.tag == MX_INT ? y : x;
    int c = f >= 0x1p63 ? -1 : threeWay(i, int64_t(f));
    return a.tag == MX_INT ? c : -c;
  }
  return threeWay(x, y);
}

}  // namespace

bool equals(const MxValue& a, const MxValue& b) {
  if (isNumber(a) && isNumber(b)) return numbersEqual(a, b);
  if (isObject(a) && isObject(b)) return a.as.obj == b.as.obj || objectsEqual(a, b);
  if (a.tag != b.tag) return false;
  switch (a.tag) {
    case MX_NONE: return true;
    case MX_BOOL: return (a.as.b != 0) == (b.as.b != 0);
    case MX_STR: return a.as.obj == b.as.obj || strObj(a)->bytes == strObj(b)->bytes;
    case MX_LIST: {
      if (a.as.obj == b.as.obj) return true;
      const auto &xa = listObj(a)->items, &xb = listObj(b)->items;
      if (xa.size() != xb.size()) return false;
      for (size_t i = 0; i < xa.size(); ++i) {
        if (!equals(xa[i], xb[i])) return false;
      }
      return true;
    }
    default: return false;
  }
}

int compare(const MxValue& a, const MxValue& b) {
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return threeWay(ra, rb);
  switch (ra) {
    case 0: return 0;
    case 1: return threeWay(a.as.b != 0, b.as.b != 0);
    case 2: return compareNumbers(a, b);
    case 3: {
      // char_traits<char>::compare orders bytes as unsigned, and UTF-8 byte order is code point
      // order.
      int c = stringView(a).compare(stringView(b));
      return threeWay(c, 0);
    }
    case 4: {
      const auto &xa = listObj(a)->items, &xb = listObj(b)->items;
      for (size_t i = 0; i < xa.size() && i < xb.size(); ++i) {
        if (int c = compare(xa[i], xb[i])) return c;
      }
      return threeWay(xa.size(), xb.size());
    }
    default: {
      size_t na = objectSize(a), nb = objectSize(b);
      for (size_t i = 0; i < na && i < nb; ++i) {
        if (int c = objectKey(a, i).compare(objectKey(b, i))) return threeWay(c, 0);
        if (int c = compare(objectValue(a, i), objectValue(b, i))) return c;
      }
      return threeWay(na, nb);
    }
  }
}

}  // namespace mx::rt
