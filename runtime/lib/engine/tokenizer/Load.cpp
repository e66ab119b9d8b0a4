// Load.cpp — Tokenizer::load: reads tokenizer.json, checks every component, builds the parts.
//
// Components are checked in pipeline order, the model's type first: a WordPiece or Unigram file
// is named as such before anything else is looked at. Fields that do not change the ids of one
// sequence (offsets, trim_offsets, the pair template) are not read; `truncation` and `padding` are
// ignored, since the engine bounds lengths itself.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ByteLevel.h"
#include "LoadJson.h"
#include "Nfc.h"
#include "mx/Assert.h"

namespace mx::engine {
namespace tokenizer {

void fail(std::string message) { throw LoadError{std::move(message)}; }

const Json* find(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

const Json& require(const Json& object, const char* key, std::string_view where) {
  const Json* value = find(object, key);
  if (!value) fail(std::string(where) + ": missing \"" + key + "\"");
  return *value;
}

std::string stringAt(const Json& object, const char* key, std::string_view where) {
  const Json& value = require(object, key, where);
  if (!value.is_string()) fail(std::string(where) + "." + key + ": expected a string");
  return value.get<std::string>();
}

bool boolAt(const Json& object, const char* key, bool fallback, std::string_view where) {
  const Json* value = find(object, key);
  if (!value) return fallback;
  if (!value->is_boolean()) fail(std::string(where) + "." + key + ": expected true or false");
  return value->get<bool>();
}

/// Ids are bounded so that a corrupt file cannot make us allocate gigabytes: the largest real
/// vocabularies are a few hundred thousand entries.
constexpr int64_t kMaxTokenId = (int64_t(1) << 24) - 1;

bool isTokenId(const Json& value) {
  return value.is_number_integer() && value.get<int64_t>() >= 0 &&
         value.get<int64_t>() <= kMaxTokenId;
}

TokenId idOf(const Json& value, std::string_view where) {
  if (!isTokenId(value)) {
    fail(std::string(where) + ": expected a token id (an integer from 0 to " +
         std::to_string(kMaxTokenId) + ")");
  }
  return TokenId(value.get<int64_t>());
}

TokenId idAt(const Json& object, const char* key, std::string_view where) {
  return idOf(require(object, key, where), std::string(where) + "." + key);
}

std::string typeOf(const Json& component, std::string_view where) {
  if (!component.is_object()) fail(std::string(where) + ": expected an object");
  return stringAt(component, "type", where);
}

namespace {

/// Makes room for `id` in the per-id tables.
void reserveId(Tokenizer::Impl& t, TokenId id) {
  if (size_t(id) < t.spelling.size()) return;
  t.spelling.resize(size_t(id) + 1);
  t.bytes.resize(size_t(id) + 1);
  t.special.resize(size_t(id) + 1);
}

TokenId vocabId(const Tokenizer::Impl& t, std::string_view token, std::string_view where) {
  TokenId id = t.vocab.find(token, t.spelling);
  if (id == TokenIndex::kNone) {
    fail(std::string(where) + ": \"" + std::string(token) + "\" is not in the vocabulary");
  }
  return id;
}

std::string mergePath(uint32_t rank) { return "model.merges[" + std::to_string(rank) + "]"; }

void loadMerges(const Json& merges, Tokenizer::Impl& t) {
  if (!merges.is_array()) fail("model.merges: expected an array");
  t.model.reserveMerges(merges.size());
  uint32_t rank = 0;
  std::string joined;
  for (const Json& merge : merges) {
    std::string_view left, right;
    if (merge.is_string()) {  // the legacy form, "a b"
      std::string_view text = merge.get_ref<const std::string&>();
      size_t space = text.find(' ');
      if (space == text.npos) fail(mergePath(rank) + ": expected \"left right\"");
      left = text.substr(0, space);
      right = text.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
               merge[1].is_string()) {
      left = merge[0].get_ref<const std::string&>();
      right = merge[1].get_ref<const std::string&>();
    } else {
      fail(mergePath(rank) + ": expected \"left right\" or [\"left\", \"right\"]");
    }
    auto id = [&](std::string_view token) {
      TokenId found = t.vocab.find(token, t.spelling);
      if (found == TokenIndex::kNone) vocabId(t, token, mergePath(rank));  // fails, says why
      return found;
    };
    TokenId leftId = id(left), rightId = id(right);
    joined.assign(left);
    joined += right;
    t.model.addMerge(leftId, rightId, id(joined), rank);
    ++rank;
  }
}

}  // namespace

void loadModel(const Json& model, Tokenizer::Impl& t) {
  if (const Json* dropout = find(model, "dropout");
      dropout && !(dropout->is_number() && dropout->get<double>() == 0)) {
    fail("model.dropout: BPE dropout is not supported (it makes encoding random)");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (const Json* affix = find(model, key);
        affix && !(affix->is_string() && affix->get_ref<const std::string&>().empty())) {
      fail(std::string("model.") + key +
           ": subword affixes are not supported (byte-level BPE has none)");
    }
  }
  if (boolAt(model, "byte_fallback", false, "model")) {
    fail("model.byte_fallback: SentencePiece-style BPE with byte fallback is not supported");
  }

  const Json& vocab = require(model, "vocab", "model");
  if (!vocab.is_object()) fail("model.vocab: expected an object of token → id");
  std::vector<TokenId> byteLevel;  // ids spelled in the byte alphabet: all, in a byte-level BPE
  byteLevel.reserve(vocab.size());
  t.vocab.reserve(vocab.size(), t.spelling);
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!isTokenId(it.value())) idOf(it.value(), "model.vocab[\"" + it.key() + "\"]");  // fails
    TokenId id = TokenId(it.value().get<int64_t>());
    reserveId(t, id);
    std::optional<std::string> bytes = byteLevelToBytes(it.key());
    if (bytes && bytes->size() == 1) t.model.setByteId(uint8_t((*bytes)[0]), id);
    if (bytes) byteLevel.push_back(id);
    t.bytes[id] = bytes ? std::move(*bytes) : it.key();
    t.spelling[id] = it.key();
    t.vocab.insert(id, t.spelling);
  }
  t.model.setTokenBytes(&t.bytes);
  loadMerges(require(model, "merges", "model"), t);
  if (const Json* unk = find(model, "unk_token")) {
    if (!unk->is_string()) fail("model.unk_token: expected a string");
    t.model.setUnknown(vocabId(t, unk->get<std::string>(), "model.unk_token"),
                       boolAt(model, "fuse_unk", false, "model"));
  }
  bool ignoreMerges = boolAt(model, "ignore_merges", false, "model");
  t.model.setWholeWords(ignoreMerges ? byteLevel : t.model.selfMerging(byteLevel));
}

void loadAddedTokens(const Json* addedTokens, Tokenizer::Impl& t) {
  if (!addedTokens) return;
  if (!addedTokens->is_array()) fail("added_tokens: expected an array");
  for (size_t i = 0; i < addedTokens->size(); ++i) {
    std::string where = "added_tokens[" + std::to_string(i) + "]";
    const Json& entry = (*addedTokens)[i];
    if (!entry.is_object()) fail(where + ": expected an object");
    AddedToken token;
    token.id = idAt(entry, "id", where);
    token.content = stringAt(entry, "content", where);
    token.special = boolAt(entry, "special", false, where);
    token.lstrip = boolAt(entry, "lstrip", false, where);
    token.rstrip = boolAt(entry, "rstrip", false, where);
    token.singleWord = boolAt(entry, "single_word", false, where);
    token.normalized = boolAt(entry, "normalized", !token.special, where);

    reserveId(t, token.id);
    t.spelling[token.id] = token.content;
    // As `tokenizers`' ByteLevel decoder: a token spelled in the byte alphabet decodes to its
    // bytes, any other to its own UTF-8.
    t.bytes[token.id] = byteLevelToBytes(token.content).value_or(token.content);
    t.special[token.id] = token.special;
    t.added[token.content] = token.id;
    // A normalized token is looked for in normalized text, so its content is normalized too.
    if (token.normalized && t.nfc && !isNfcQuick(token.content)) {
      std::string normalized;
      appendNfc(token.content, normalized);
      token.content = std::move(normalized);
    }
    if (token.singleWord && !t.wordChar) {
      std::string error;
      t.wordChar = Pattern::compile(R"([\p{L}\p{N}])", false, error);
      MX_ASSERT(t.wordChar, "the word-character pattern compiles");
      t.rawAddedTokens.setWordPattern(t.wordChar.get());
      t.normalizedAddedTokens.setWordPattern(t.wordChar.get());
    }
    const AddedToken& stored = t.addedTokens.emplace_back(std::move(token));
    (stored.normalized ? t.normalizedAddedTokens : t.rawAddedTokens).add(stored);
  }
}

namespace {

/// "[json.exception.parse_error.101] parse error at line 1, column 3: syntax error ..." becomes
/// "line 1, column 3: syntax error ...".
std::string describeJsonError(const std::string& what) {
  std::string text = what;
  if (size_t close = text.find("] ");
      text.rfind("[json.exception.", 0) == 0 && close != text.npos) {
    text = text.substr(close + 2);
  }
  if (text.rfind("parse error at ", 0) == 0) text = text.substr(15);
  return text;
}

std::string modelType(const Json& model) {
  if (!model.is_object()) fail("model: expected an object");
  if (find(model, "type")) return stringAt(model, "type", "model");
  return find(model, "merges") ? "BPE" : "";  // files from before the type tag
}

void loadRoot(const Json& root, Tokenizer::Impl& t) {
  if (!root.is_object()) fail("expected a JSON object at the top level");
  const Json& model = require(root, "model", "tokenizer.json");
  std::string type = modelType(model);
  if (type != "BPE") {
    fail("unsupported model type \"" + type + "\" (mx reads byte-level BPE tokenizers only)");
  }
  loadNormalizer(find(root, "normalizer"), t);
  if (!loadPreTokenizer(find(root, "pre_tokenizer"), t)) {
    fail("pre_tokenizer: BPE without a final ByteLevel pre-tokenizer (SentencePiece-style BPE) "
         "is not supported");
  }
  loadModel(model, t);
  loadAddedTokens(find(root, "added_tokens"), t);
  loadPostProcessor(find(root, "post_processor"), t);
  loadDecoder(find(root, "decoder"));
}

}  // namespace
}  // namespace tokenizer

std::unique_ptr<Tokenizer> Tokenizer::fromJson(std::string_view json, std::string_view name,
                                               std::string& error) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::string(name);
  try {
    tokenizer::Json root = tokenizer::Json::parse(json);
    tokenizer::loadRoot(root, *impl);
  } catch (const tokenizer::Json::parse_error& e) {
    error = impl->name + ": invalid JSON: " + tokenizer::describeJsonError(e.what());
    return nullptr;
  } catch (const tokenizer::Json::exception& e) {
    error = impl->name + ": " + tokenizer::describeJsonError(e.what());
    return nullptr;
  } catch (const tokenizer::LoadError& e) {
    error = impl->name + ": " + e.message;
    return nullptr;
  }
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(impl)));
}

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string& path, std::string& error) {
  std::error_code ec;
  std::string file = std::filesystem::is_directory(path, ec)
                         ? (std::filesystem::path(path) / "tokenizer.json").string()
                         : path;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = file + ": cannot open: " + std::strerror(errno);
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    error = file + ": cannot read: " + std::strerror(errno);
    return nullptr;
  }
  return fromJson(text.view(), file, error);
}

}  // namespace mx::engine
