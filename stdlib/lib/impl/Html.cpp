// Html.cpp — html_text: the visible text of an HTML page, for curation pipelines.
//
// A small single-pass scanner, not an HTML5 parser: it drops comments, declarations, <head>,
// <script> and <style> (with their content), turns <br> into a newline and the block elements
// of docs/language.md §12 into a blank line (table cells into a space, so cells don't run
// together), removes other tags, decodes the common named and all numeric entities, collapses
// runs of whitespace and strips each line. Whitespace inside <pre> is collapsed too. Malformed
// markup never fails: an unclosed tag or comment ends the text, a '<' that starts no tag is text.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "Impls.h"
#include "mx/rt/Utf8.h"

namespace mx::stdlib::impl {
namespace {

bool isAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool isBlock(std::string_view tag) {
  static constexpr std::string_view kBlocks[] = {
      "p",  "div", "h1",     "h2",     "h3",      "h4",      "h5",    "h6", "li",         "ul",
      "ol", "nav", "header", "footer", "section", "article", "table", "tr", "blockquote", "pre"};
  return std::find(std::begin(kBlocks), std::end(kBlocks), tag) != std::end(kBlocks);
}

struct Entity {
  std::string_view name;
  char32_t codePoint;
};
// The entities pages actually use; &nbsp; becomes a plain space so it collapses like one.
constexpr Entity kEntities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
    {"nbsp", ' '},     {"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026}, {"lsquo", 0x2018},
    {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"laquo", 0xAB},    {"raquo", 0xBB},
    {"bull", 0x2022},  {"middot", 0xB7},  {"copy", 0xA9},    {"reg", 0xAE},      {"trade", 0x2122},
    {"euro", 0x20AC},  {"pound", 0xA3},   {"yen", 0xA5},     {"cent", 0xA2},     {"deg", 0xB0},
    {"times", 0xD7},   {"divide", 0xF7},  {"plusmn", 0xB1},  {"sect", 0xA7},     {"para", 0xB6},
    {"shy", 0xAD},
};

/// Decodes the entity at html[i] == '&' into `out`; returns the bytes consumed (0: not an entity,
/// the '&' is text).
size_t decodeEntity(std::string_view html, size_t i, std::string& out) {
  size_t semi = html.find(';', i);
  if (semi == html.npos || semi - i > 32) return 0;
  std::string_view body = html.substr(i + 1, semi - i - 1);
  if (body.size() >= 2 && body[0] == '#') {
    bool hex = body[1] == 'x' || body[1] == 'X';
    std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 8) return 0;
    char32_t cp = 0;
    for (char c : digits) {
      int d = c >= '0' && c <= '9'          ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : -1;
      if (d < 0) return 0;
      cp = cp * (hex ? 16 : 10) + char32_t(d);
    }
    rt::utf8::append(out, cp == 0 ? rt::utf8::kReplacement : cp);  // append maps invalid ones too
    return semi - i + 1;
  }
  for (const Entity& e : kEntities) {
    if (e.name == body) {
      rt::utf8::append(out, e.codePoint);
      return semi - i + 1;
    }
  }
  return 0;
}

/// The index of the '>' that ends the tag whose name ends at `i`, skipping quoted attribute
/// values; html.size() when the tag is not closed.
size_t tagEnd(std::string_view html, size_t i) {
  char quote = 0;
  for (; i < html.size(); ++i) {
    char c = html[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return html.size();
}

/// Collapses spaces, strips lines and keeps at most one blank line between paragraphs.
std::string tidy(std::string_view raw) {
  std::string out;
  bool pendingBlank = false;  // a blank line came since the last text line
  for (size_t start = 0; start <= raw.size();) {
    size_t end = std::min(raw.find('\n', start), raw.size());
    std::string line;
    for (char c : raw.substr(start, end - start)) {
      if (c == ' ' && (line.empty() || line.back() == ' ')) continue;
      line += c;
    }
    if (!line.empty() && line.back() == ' ') line.pop_back();
    if (line.empty()) {
      pendingBlank = !out.empty();
    } else {
      if (!out.empty()) out += pendingBlank ? "\n\n" : "\n";
      out += line;
      pendingBlank = false;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string visibleText(std::string_view html) {
  std::string lowered(html);  // for case-insensitive searches of closing tags
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; });
  std::string raw;  // text with ' ' for whitespace, '\n' for <br>, "\n\n" around blocks
  size_t i = 0;
  while (i < html.size()) {
    char c = html[i];
    if (c == '&') {
      size_t used = decodeEntity(html, i, raw);
      if (used == 0) raw += '&';
      i += std::max<size_t>(used, 1);
      continue;
    }
    if (c != '<') {
      raw += isAsciiSpace(c) ? ' ' : c;
      ++i;
      continue;
    }
    if (lowered.compare(i, 4, "<!--") == 0) {
      size_t end = lowered.find("-->", i + 4);
      i = end == lowered.npos ? html.size() : end + 3;
      continue;
    }
    size_t j = i + 1;
    bool closing = j < html.size() && html[j] == '/';
    if (closing) ++j;
    if (j < html.size() && !closing && (html[j] == '!' || html[j] == '?')) {
      i = std::min(tagEnd(html, j), html.size() - 1) + 1;  // <!DOCTYPE ...>, <?xml ...?>
      continue;
    }
    if (j >= html.size() || !isAsciiAlpha(html[j])) {
      raw += '<';  // "a < b" is text
      ++i;
      continue;
    }
    size_t nameEnd = j;
    while (nameEnd < html.size() &&
           (isAsciiAlpha(html[nameEnd]) || (html[nameEnd] >= '0' && html[nameEnd] <= '9'))) {
      ++nameEnd;
    }
    std::string_view name = std::string_view(lowered).substr(j, nameEnd - j);
    size_t end = tagEnd(html, nameEnd);
    i = end == html.size() ? end : end + 1;
    if (!closing && (name == "script" || name == "style" || name == "head")) {
      // Skip the content up to the closing tag; a head may also end where the body starts.
      size_t close = lowered.find("</" + std::string(name), i);
      if (name == "head") close = std::min(close, lowered.find("<body", i));
      if (close == lowered.npos) {
        if (name != "head") i = html.size();  // an unclosed script hides the rest, as in browsers
        continue;
      }
      i = lowered.compare(close, 2, "</") == 0 ? std::min(tagEnd(html, close), html.size() - 1) + 1
                                               : close;
      continue;
    }
    if (name == "br") {
      raw += '\n';
    } else if (isBlock(name)) {
      raw += "\n\n";
    } else if (name == "td" || name == "th") {
      raw += ' ';
    }
  }
  return tidy(raw);
}

int32_t htmlText(BuiltinCall& call) {
  call.result = rt::Value::string(visibleText(call.str(0)));
  return 0;
}

}  // namespace mx::stdlib::impl
