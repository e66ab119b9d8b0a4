// ImplTable.cpp — the table binding each built-in of builtinSpecs() to its implementation, the
// check that keeps the two tables in step, and mx_rt_builtin, which dispatches through it.
//
// mx_rt_builtin is an ABI symbol but lives here rather than in mx_runtime: the runtime sits below
// the stdlib (ARCHITECTURE.md §4), so the table can only be reached from this side. Every program
// that runs compiled code links mx_stdlib_impl.
#include <string>

#include "Impls.h"
#include "mx/rt/Context.h"
#include "mx/stdlib/BuiltinImpls.h"
#include "mx/stdlib/Builtins.h"

namespace mx::stdlib {
namespace {

// Must stay identical to MX_SAMPLING in BuiltinTable.cpp (checkBuiltinImpls compares them).
#define MX_SAMPLING                                                                                \
  "temperature?: float, top_p?: float, top_k?: int, min_p?: float, max_tokens?: int, "             \
  "stop?: list<string>, seed?: int, repetition_penalty?: float"

// clang-format off
constexpr BuiltinImpl kImpls[] = {
    // ---- sizes and conversions
    {"len", "(s: string) -> int", 1, impl::lenOf},
    {"len", "(xs: list<T>) -> int", 1, impl::lenOf},
    {"len", "(m: map<string, T>) -> int", 1, impl::lenOf},
    {"len", "(j: json) -> int", 1, impl::lenOf},
    {"str", "(v: any) -> string", 1, impl::toStr},
    {"int", "(s: string) -> int", 1, impl::intFromString},
    {"int", "(x: float) -> int", 1, impl::intFromFloat},
    {"int", "(b: bool) -> int", 1, impl::intFromBool},
    {"int", "(j: json) -> int", 1, impl::intFromJson},
    {"float", "(s: string) -> float", 1, impl::floatFromString},
    {"float", "(x: int) -> float", 1, impl::floatFromInt},
    {"float", "(j: json) -> float", 1, impl::floatFromJson},
    {"bool", "(j: json) -> bool", 1, impl::boolFromJson},
    {"list", "(j: json) -> list<json>", 1, impl::listFromJson},
    {"map", "(j: json) -> map<string, json>", 1, impl::mapFromJson},
    // ---- strings
    {"slice", "(s: string, begin: int, end: int) -> string", 3, impl::sliceString},
    {"slice", "(xs: list<T>, begin: int, end: int) -> list<T>", 3, impl::sliceList},
    {"split", "(s: string, sep: string) -> list<string>", 2, impl::splitString},
    {"join", "(parts: list<string>, sep: string) -> string", 2, impl::joinStrings},
    {"strip", "(s: string) -> string", 1, impl::stripString},
    {"lower", "(s: string) -> string", 1, impl::lowerCase},
    {"upper", "(s: string) -> string", 1, impl::upperCase},
    {"contains", "(s: string, part: string) -> bool", 2, impl::containsString},
    {"contains", "(xs: list<T>, x: T) -> bool", 2, impl::containsList},
    {"starts_with", "(s: string, prefix: string) -> bool", 2, impl::startsWith},
    {"ends_with", "(s: string, suffix: string) -> bool", 2, impl::endsWith},
    {"replace", "(s: string, old: string, new: string) -> string", 3, impl::replaceAll},
    {"find", "(s: string, part: string) -> int", 2, impl::findIn},
    {"repeat", "(s: string, n: int) -> string", 2, impl::repeatString},
    // ---- regular expressions
    {"matches", "(s: string, pattern: string) -> bool", 2, impl::regexMatches},
    {"extract", "(s: string, pattern: string) -> string?", 2, impl::regexExtract},
    {"find_all", "(s: string, pattern: string) -> list<string>", 2, impl::regexFindAll},
    {"regex_replace", "(s: string, pattern: string, replacement: string) -> string", 3, impl::regexReplace},
    // ---- JSON
    {"json_parse", "(s: string) -> json", 1, impl::jsonParse},
    {"json_dump", "(v: any) -> string", 1, impl::jsonDump},
    {"json_get", "(j: json, path: string) -> json?", 2, impl::jsonGet},
    // ---- math
    {"abs", "(x: int) -> int", 1, impl::absInt},
    {"abs", "(x: float) -> float", 1, impl::absFloat},
    {"min", "(a: int, b: int) -> int", 2, impl::minInt},
    {"min", "(a: float, b: float) -> float", 2, impl::minFloat},
    {"max", "(a: int, b: int) -> int", 2, impl::maxInt},
    {"max", "(a: float, b: float) -> float", 2, impl::maxFloat},
    {"floor", "(x: float) -> int", 1, impl::mathFloor},
    {"ceil", "(x: float) -> int", 1, impl::mathCeil},
    {"round", "(x: float) -> int", 1, impl::mathRound},
    {"sqrt", "(x: float) -> float", 1, impl::mathSqrt},
    {"pow", "(x: float, y: float) -> float", 2, impl::mathPow},
    {"log", "(x: float) -> float", 1, impl::mathLog},
    {"exp", "(x: float) -> float", 1, impl::mathExp},
    // ---- lists and maps
    {"range", "(begin: int, end: int) -> list<int>", 2, impl::rangeList},
    {"sort", "(xs: list<T>) -> list<T>", 1, impl::sortList},
    {"reverse", "(xs: list<T>) -> list<T>", 1, impl::reverseList},
    {"sum", "(xs: list<int>) -> int", 1, impl::sumInt},
    {"sum", "(xs: list<float>) -> float", 1, impl::sumFloat},
    {"keys", "(m: map<string, T>) -> list<string>", 1, impl::mapKeys},
    {"values", "(m: map<string, T>) -> list<T>", 1, impl::mapValues},
    {"has", "(m: map<string, T>, key: string) -> bool", 2, impl::mapHas},
    // ---- randomness
    {"rand", "() -> float", 0, impl::randFloat},
    {"rand_int", "(lo: int, hi: int) -> int", 2, impl::randInt},
    {"choice", "(xs: list<T>) -> T", 1, impl::choice},
    {"shuffle", "(xs: list<T>) -> list<T>", 1, impl::shuffle},
    // ---- time
    {"now", "() -> float", 0, impl::nowSeconds},
    {"now_iso", "() -> string", 0, impl::nowIso},
    // ---- chat messages
    {"system", "(content: string) -> message", 1, impl::systemMessage},
    {"user", "(content: string) -> message", 1, impl::userMessage},
    {"assistant", "(content: string) -> message", 1, impl::assistantMessage},
    {"tool_result", "(call: tool_call, content: string) -> message", 2, impl::toolResultMessage},
    // ---- text helpers for curation
    {"html_text", "(html: string) -> string", 1, impl::htmlText},
    {"ratio_alpha", "(s: string) -> float", 1, impl::ratioAlpha},
    {"split_paragraphs", "(s: string) -> list<string>", 1, impl::splitParagraphs},
    {"word_count", "(s: string) -> int", 1, impl::wordCount},
    // ---- all(): lowered by the compiler into an await
    {"all", "(calls: any) -> any", 1, nullptr},
    // ---- model methods: asynchronous effects run by the scheduler
    {"chat", "(messages: list<message>, tools?: tools, " MX_SAMPLING ") -> message", 10, nullptr},
    {"complete", "(prompt: string, " MX_SAMPLING ") -> string", 9, nullptr},
    // ---- tools methods: run by the scheduler's tool provider
    {"call", "(call: tool_call) -> string", 1, nullptr},
    {"invoke", "(name: string, arguments: json) -> string", 2, nullptr},
    {"describe", "() -> string", 0, impl::toolsDescribe},
    {"matches", "(expected: json) -> bool", 1, impl::toolsMatches},
};
// clang-format on

#undef MX_SAMPLING

/// Parameters in a signature "(a: int, b: map<string, T>) -> T": top-level commas plus one.
uint32_t parameterCount(std::string_view signature) {
  size_t close = signature.find(") ->");
  std::string_view params = signature.substr(1, close == signature.npos ? 0 : close - 1);
  if (params.find_first_not_of(' ') == params.npos) return 0;
  uint32_t count = 1;
  int depth = 0;
  for (char c : params) {
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (c == ',' && depth == 0) ++count;
  }
  return count;
}

}  // namespace

int32_t BuiltinCall::fail(std::string message) { return ctx->fail(loc, std::move(message)); }

std::span<const BuiltinImpl> builtinImpls() { return kImpls; }

std::string checkBuiltinImpls() {
  auto specs = builtinSpecs();
  auto impls = builtinImpls();
  if (specs.size() != impls.size()) {
    return "builtinSpecs() has " + std::to_string(specs.size()) + " rows but builtinImpls() has " +
           std::to_string(impls.size());
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    const BuiltinSpec& spec = specs[i];
    const BuiltinImpl& impl = impls[i];
    std::string row = "row " + std::to_string(i) + " (" + std::string(spec.name) + "): ";
    if (spec.name != impl.name)
      return row + "the implementation is named " + std::string(impl.name);
    if (spec.signature != impl.signature) {
      return row + "signature " + std::string(spec.signature) + " but the implementation says " +
             std::string(impl.signature);
    }
    if (parameterCount(spec.signature) != impl.arity) {
      return row + "the signature has " + std::to_string(parameterCount(spec.signature)) +
             " parameters but the arity says " + std::to_string(impl.arity);
    }
    // Synchronous tools methods (describe, matches) run here too, on the run's provider.
    bool callable = (spec.scope == BuiltinScope::Global || spec.scope == BuiltinScope::Tools) &&
                    !spec.isAsync && spec.name != "all";
    if (callable != (impl.fn != nullptr)) {
      return row + (callable ? "has no implementation" : "must not have an implementation");
    }
  }
  return "";
}

}  // namespace mx::stdlib

using mx::stdlib::BuiltinCall;

extern "C" int32_t mx_rt_builtin(MxCtx* ctx, uint32_t loc, uint32_t builtin, MxValue* out,
                                 const MxValue* args, uint32_t count) {
  auto impls = mx::stdlib::builtinImpls();
  if (builtin >= impls.size()) {
    return ctx->fail(loc, "internal error: unknown built-in id " + std::to_string(builtin));
  }
  const mx::stdlib::BuiltinImpl& impl = impls[builtin];
  if (!impl.fn) {
    return ctx->fail(loc, "internal error: built-in '" + std::string(impl.name) +
                              "' is not called through mx_rt_builtin (it runs as an await)");
  }
  if (count < impl.arity) {
    return ctx->fail(loc, "internal error: built-in '" + std::string(impl.name) + "' takes " +
                              std::to_string(impl.arity) + " arguments, got " +
                              std::to_string(count));
  }
  BuiltinCall call{ctx, loc, args, {}};
  if (impl.fn(call)) return 1;
  mx::rt::assign(out, call.result.take());
  return 0;
}
