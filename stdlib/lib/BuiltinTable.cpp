// BuiltinTable.cpp — the table of built-ins (see Builtins.h for the signature syntax).
#include "mx/stdlib/Builtins.h"

namespace mx::stdlib {
namespace {

using S = BuiltinScope;

// Sampling options every model call accepts; they override the model declaration's defaults.
#define MX_SAMPLING                                                                        \
  "temperature?: float, top_p?: float, top_k?: int, min_p?: float, max_tokens?: int, "     \
  "stop?: list<string>, seed?: int, repetition_penalty?: float"

constexpr BuiltinSpec kBuiltins[] = {
    // ---- sizes and conversions
    {S::Global, "len", "(s: string) -> int", false, "length in Unicode code points"},
    {S::Global, "len", "(xs: list<T>) -> int", false, "number of elements"},
    {S::Global, "len", "(m: map<string, T>) -> int", false, "number of entries"},
    {S::Global, "len", "(j: json) -> int", false, "length of a JSON array, object or string"},
    {S::Global, "str", "(v: any) -> string", false, "text form of a value (JSON for containers)"},
    {S::Global, "int", "(s: string) -> int", false, "parses an integer; fails the task if it can't"},
    {S::Global, "int", "(x: float) -> int", false, "truncates toward zero"},
    {S::Global, "int", "(b: bool) -> int", false, "1 or 0"},
    {S::Global, "int", "(j: json) -> int", false, "a JSON number or numeric string"},
    {S::Global, "float", "(s: string) -> float", false, "parses a number; fails the task if it can't"},
    {S::Global, "float", "(x: int) -> float", false, "widens"},
    {S::Global, "float", "(j: json) -> float", false, "a JSON number or numeric string"},
    {S::Global, "bool", "(j: json) -> bool", false, "a JSON boolean"},
    {S::Global, "list", "(j: json) -> list<json>", false, "the elements of a JSON array"},
    {S::Global, "map", "(j: json) -> map<string, json>", false, "the members of a JSON object"},
    // ---- strings
    {S::Global, "slice", "(s: string, begin: int, end: int) -> string", false,
     "code points [begin, end); negative counts from the end"},
    {S::Global, "slice", "(xs: list<T>, begin: int, end: int) -> list<T>", false,
     "elements [begin, end); negative counts from the end"},
    {S::Global, "split", "(s: string, sep: string) -> list<string>", false, "splits on a separator"},
    {S::Global, "join", "(parts: list<string>, sep: string) -> string", false, "joins with a separator"},
    {S::Global, "strip", "(s: string) -> string", false, "trims whitespace at both ends"},
    {S::Global, "lower", "(s: string) -> string", false, "lower case (Unicode)"},
    {S::Global, "upper", "(s: string) -> string", false, "upper case (Unicode)"},
    {S::Global, "contains", "(s: string, part: string) -> bool", false, "substring test"},
    {S::Global, "contains", "(xs: list<T>, x: T) -> bool", false, "membership test"},
    {S::Global, "starts_with", "(s: string, prefix: string) -> bool", false, "prefix test"},
    {S::Global, "ends_with", "(s: string, suffix: string) -> bool", false, "suffix test"},
    {S::Global, "replace", "(s: string, old: string, new: string) -> string", false,
     "replaces every occurrence"},
    {S::Global, "find", "(s: string, part: string) -> int", false,
     "code-point index of the first occurrence, or -1"},
    {S::Global, "repeat", "(s: string, n: int) -> string", false, "s repeated n times"},
    // ---- regular expressions (PCRE2, Unicode classes)
    {S::Global, "matches", "(s: string, pattern: string) -> bool", false, "whether the regex matches"},
    {S::Global, "extract", "(s: string, pattern: string) -> string?", false,
     "first capture group of the first match (or the whole match); none if no match"},
    {S::Global, "find_all", "(s: string, pattern: string) -> list<string>", false,
     "first capture group (or whole match) of every match"},
    {S::Global, "regex_replace", "(s: string, pattern: string, replacement: string) -> string",
     false, "replaces every match; $1 refers to groups"},
    // ---- JSON
    {S::Global, "json_parse", "(s: string) -> json", false, "parses JSON; fails the task if invalid"},
    {S::Global, "json_dump", "(v: any) -> string", false, "compact JSON text"},
    {S::Global, "json_get", "(j: json, path: string) -> json?", false,
     "value at a path like \"a.b[0]\"; none if absent"},
    // ---- math
    {S::Global, "abs", "(x: int) -> int", false, "absolute value"},
    {S::Global, "abs", "(x: float) -> float", false, "absolute value"},
    {S::Global, "min", "(a: int, b: int) -> int", false, "smaller of two"},
    {S::Global, "min", "(a: float, b: float) -> float", false, "smaller of two"},
    {S::Global, "max", "(a: int, b: int) -> int", false, "larger of two"},
    {S::Global, "max", "(a: float, b: float) -> float", false, "larger of two"},
    {S::Global, "floor", "(x: float) -> int", false, "rounds down"},
    {S::Global, "ceil", "(x: float) -> int", false, "rounds up"},
    {S::Global, "round", "(x: float) -> int", false, "rounds half away from zero"},
    {S::Global, "sqrt", "(x: float) -> float", false, "square root"},
    {S::Global, "pow", "(x: float, y: float) -> float", false, "x to the power y"},
    {S::Global, "log", "(x: float) -> float", false, "natural logarithm"},
    {S::Global, "exp", "(x: float) -> float", false, "e to the power x"},
    // ---- lists and maps
    {S::Global, "range", "(begin: int, end: int) -> list<int>", false, "begin, begin+1, ..., end-1"},
    {S::Global, "sort", "(xs: list<T>) -> list<T>", false, "ascending (ints, floats or strings)"},
    {S::Global, "reverse", "(xs: list<T>) -> list<T>", false, "reversed copy"},
    {S::Global, "sum", "(xs: list<int>) -> int", false, "sum of the elements"},
    {S::Global, "sum", "(xs: list<float>) -> float", false, "sum of the elements"},
    {S::Global, "keys", "(m: map<string, T>) -> list<string>", false, "keys in insertion order"},
    {S::Global, "values", "(m: map<string, T>) -> list<T>", false, "values in insertion order"},
    {S::Global, "has", "(m: map<string, T>, key: string) -> bool", false, "whether the key is present"},
    // ---- randomness, seeded per task from (run seed, row, trial, call index)
    {S::Global, "rand", "() -> float", false, "uniform in [0, 1)"},
    {S::Global, "rand_int", "(lo: int, hi: int) -> int", false, "uniform in [lo, hi]"},
    {S::Global, "choice", "(xs: list<T>) -> T", false, "one element, uniformly; fails if empty"},
    {S::Global, "shuffle", "(xs: list<T>) -> list<T>", false, "a shuffled copy"},
    // ---- time
    {S::Global, "now", "() -> float", false, "seconds since the Unix epoch"},
    {S::Global, "now_iso", "() -> string", false, "UTC time as ISO 8601"},
    // ---- chat messages
    {S::Global, "system", "(content: string) -> message", false, "a system message"},
    {S::Global, "user", "(content: string) -> message", false, "a user message"},
    {S::Global, "assistant", "(content: string) -> message", false, "an assistant message"},
    {S::Global, "tool_result", "(call: tool_call, content: string) -> message", false,
     "a tool message answering a call"},
    // ---- text helpers for curation
    {S::Global, "html_text", "(html: string) -> string", false, "visible text of an HTML page"},
    {S::Global, "ratio_alpha", "(s: string) -> float", false, "share of letters among non-space chars"},
    {S::Global, "split_paragraphs", "(s: string) -> list<string>", false,
     "non-empty paragraphs (split at blank lines)"},
    {S::Global, "word_count", "(s: string) -> int", false, "number of whitespace-separated words"},
    // ---- concurrency: `let (a, b) = await all(m.chat(x), m.chat(y))`; typed by the checker
    {S::Global, "all", "(calls: any) -> any", false, "awaits several model/tool calls at once"},

    // ---- model methods
    {S::Model, "chat", "(messages: list<message>, tools?: tools, " MX_SAMPLING ") -> message", true,
     "the assistant's reply to a conversation"},
    {S::Model, "complete", "(prompt: string, " MX_SAMPLING ") -> string", true,
     "a raw text completion"},

    // ---- tools methods
    {S::Tools, "call", "(call: tool_call) -> string", true, "runs a tool call from a model reply"},
    {S::Tools, "invoke", "(name: string, arguments: json) -> string", true, "runs a tool by name"},
    {S::Tools, "describe", "() -> string", false, "the tools' policy text and JSON schemas"},
    {S::Tools, "matches", "(expected: json) -> bool", false,
     "whether the task's database holds the expected rows"},
};

#undef MX_SAMPLING

}  // namespace

std::span<const BuiltinSpec> builtinSpecs() { return kBuiltins; }

}  // namespace mx::stdlib
