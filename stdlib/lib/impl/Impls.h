// Impls.h — the built-in implementations, one declaration per function, grouped by the file that
// defines it; ImplTable.cpp binds them to the table. Private to stdlib/lib/impl.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mx/stdlib/BuiltinImpls.h"

namespace mx::stdlib::impl {

// Limits on what one call may build. A bigger result is almost surely a runaway program, and
// allocating it would take the worker (and every other task on it) down with it.
constexpr size_t kMaxStringBytes = size_t(1) << 28;  // 256 MiB
constexpr size_t kMaxListLength = size_t(1) << 24;   // 16 Mi elements, 256 MiB of slots

// Conversions.cpp
int32_t lenOf(BuiltinCall& call);
int32_t toStr(BuiltinCall& call);
int32_t intFromString(BuiltinCall& call);
int32_t intFromFloat(BuiltinCall& call);
int32_t intFromBool(BuiltinCall& call);
int32_t intFromJson(BuiltinCall& call);
int32_t floatFromString(BuiltinCall& call);
int32_t floatFromInt(BuiltinCall& call);
int32_t floatFromJson(BuiltinCall& call);
int32_t boolFromJson(BuiltinCall& call);
int32_t listFromJson(BuiltinCall& call);
int32_t mapFromJson(BuiltinCall& call);

// Strings.cpp
int32_t sliceString(BuiltinCall& call);
int32_t splitString(BuiltinCall& call);
int32_t joinStrings(BuiltinCall& call);
int32_t stripString(BuiltinCall& call);
int32_t containsString(BuiltinCall& call);
int32_t startsWith(BuiltinCall& call);
int32_t endsWith(BuiltinCall& call);
int32_t replaceAll(BuiltinCall& call);
int32_t findIn(BuiltinCall& call);
int32_t repeatString(BuiltinCall& call);

// CaseMapping.cpp
int32_t lowerCase(BuiltinCall& call);
int32_t upperCase(BuiltinCall& call);
char32_t toLower(char32_t cp);
char32_t toUpper(char32_t cp);

// Regex.cpp
int32_t regexMatches(BuiltinCall& call);
int32_t regexExtract(BuiltinCall& call);
int32_t regexFindAll(BuiltinCall& call);
int32_t regexReplace(BuiltinCall& call);

// Json.cpp
int32_t jsonParse(BuiltinCall& call);
int32_t jsonDump(BuiltinCall& call);
int32_t jsonGet(BuiltinCall& call);

// Math.cpp
int32_t absInt(BuiltinCall& call);
int32_t absFloat(BuiltinCall& call);
int32_t minInt(BuiltinCall& call);
int32_t minFloat(BuiltinCall& call);
int32_t maxInt(BuiltinCall& call);
int32_t maxFloat(BuiltinCall& call);
int32_t mathFloor(BuiltinCall& call);
int32_t mathCeil(BuiltinCall& call);
int32_t mathRound(BuiltinCall& call);
int32_t mathSqrt(BuiltinCall& call);
int32_t mathPow(BuiltinCall& call);
int32_t mathLog(BuiltinCall& call);
int32_t mathExp(BuiltinCall& call);

// Collections.cpp
int32_t sliceList(BuiltinCall& call);
int32_t containsList(BuiltinCall& call);
int32_t rangeList(BuiltinCall& call);
int32_t sortList(BuiltinCall& call);
int32_t reverseList(BuiltinCall& call);
int32_t sumInt(BuiltinCall& call);
int32_t sumFloat(BuiltinCall& call);
int32_t mapKeys(BuiltinCall& call);
int32_t mapValues(BuiltinCall& call);
int32_t mapHas(BuiltinCall& call);
/// slice()'s bounds: negative counts from the end, then both clamped to [0, size].
void sliceBounds(int64_t size, int64_t& begin, int64_t& end);

// Random.cpp
int32_t randFloat(BuiltinCall& call);
int32_t randInt(BuiltinCall& call);
int32_t choice(BuiltinCall& call);
int32_t shuffle(BuiltinCall& call);

// Time.cpp
int32_t nowSeconds(BuiltinCall& call);
int32_t nowIso(BuiltinCall& call);

// Messages.cpp
int32_t systemMessage(BuiltinCall& call);
int32_t userMessage(BuiltinCall& call);
int32_t assistantMessage(BuiltinCall& call);
int32_t toolResultMessage(BuiltinCall& call);

// Tools.cpp (first argument: the tools declaration's resource index)
int32_t toolsDescribe(BuiltinCall& call);
int32_t toolsMatches(BuiltinCall& call);

// Text.cpp
int32_t ratioAlpha(BuiltinCall& call);
int32_t splitParagraphs(BuiltinCall& call);
int32_t wordCount(BuiltinCall& call);

// Html.cpp
int32_t htmlText(BuiltinCall& call);
std::string visibleText(std::string_view html);

}  // namespace mx::stdlib::impl
