// LoadComponents.cpp — tokenizer.json's normalizer, pre_tokenizer, post_processor and decoder.
//
// Each reader accepts exactly the types it implements and names any other, so an unsupported
// tokenizer fails at load time instead of encoding differently from Hugging Face.
#include <string>

#include "LoadJson.h"

namespace mx::engine::tokenizer {
namespace {

std::string itemPath(std::string_view where, const char* key, size_t index) {
  return std::string(where) + "." + key + "[" + std::to_string(index) + "]";
}

const Json& arrayAt(const Json& object, const char* key, std::string_view where) {
  const Json& value = require(object, key, where);
  if (!value.is_array()) fail(std::string(where) + "." + key + ": expected an array");
  return value;
}

[[noreturn]] void unsupported(std::string_view where, const char* what, const std::string& type,
                              const char* supported) {
  fail(std::string(where) + ": unsupported " + what + " type \"" + type +
       "\" (supported: " + supported + ")");
}

void addNormalizer(const Json& normalizer, std::string_view where, Tokenizer::Impl& t) {
  std::string type = typeOf(normalizer, where);
  if (type == "NFC") {
    t.nfc = true;
  } else if (type == "Sequence") {
    const Json& steps = arrayAt(normalizer, "normalizers", where);
    for (size_t i = 0; i < steps.size(); ++i) {
      addNormalizer(steps[i], itemPath(where, "normalizers", i), t);
    }
  } else {
    unsupported(where, "normalizer", type, "NFC, Sequence");
  }
}

std::unique_ptr<Pattern> compilePattern(std::string_view pattern, bool literal,
                                        std::string_view where) {
  std::string error;
  std::unique_ptr<Pattern> compiled = Pattern::compile(pattern, literal, error);
  if (!compiled) fail(std::string(where) + ": bad regex: " + error);
  return compiled;
}

std::unique_ptr<PreTokenizerStep> splitStep(const Json& split, std::string_view where) {
  const Json& pattern = require(split, "pattern", where);
  std::string patternWhere = std::string(where) + ".pattern";
  std::unique_ptr<Pattern> compiled;
  if (pattern.is_object() && find(pattern, "Regex")) {
    compiled = compilePattern(stringAt(pattern, "Regex", patternWhere), false, patternWhere);
  } else if (pattern.is_object() && find(pattern, "String")) {
    compiled = compilePattern(stringAt(pattern, "String", patternWhere), true, patternWhere);
  } else {
    fail(patternWhere + ": expected {\"Regex\": ...} or {\"String\": ...}");
  }
  if (boolAt(split, "invert", false, where)) fail(std::string(where) + ".invert: not supported");
  std::string behavior = stringAt(split, "behavior", where);
  if (behavior != "Isolated" && behavior != "Removed") {
    fail(std::string(where) + ".behavior: \"" + behavior +
         "\" is not supported (supported: Isolated, Removed)");
  }
  return makeSplitStep(std::move(compiled), behavior == "Removed");
}

/// Adds the steps of `component` to the chain. A step after ByteLevel would see the byte
/// alphabet rather than text, which this tokenizer never materializes, so ByteLevel must be last.
void addPreTokenizer(const Json& component, std::string_view where, Tokenizer::Impl& t,
                     bool& byteLevelSeen) {
  std::string type = typeOf(component, where);
  if (byteLevelSeen) fail(std::string(where) + ": a step after ByteLevel is not supported");
  if (type == "Sequence") {
    const Json& steps = arrayAt(component, "pretokenizers", where);
    for (size_t i = 0; i < steps.size(); ++i) {
      addPreTokenizer(steps[i], itemPath(where, "pretokenizers", i), t, byteLevelSeen);
    }
  } else if (type == "Split") {
    t.preTokenizer.add(splitStep(component, where));
  } else if (type == "Digits") {
    t.preTokenizer.add(makeDigitsStep(boolAt(component, "individual_digits", false, where)));
  } else if (type == "ByteLevel") {
    // tokenizers' defaults: add_prefix_space and use_regex are on when absent.
    std::unique_ptr<Pattern> gpt2;
    if (boolAt(component, "use_regex", true, where)) {
      gpt2 = compilePattern(kGpt2SplitPattern, false, where);
    }
    t.preTokenizer.add(
        makeByteLevelStep(boolAt(component, "add_prefix_space", true, where), std::move(gpt2)));
    byteLevelSeen = true;
  } else {
    unsupported(where, "pre-tokenizer", type, "Split, Digits, ByteLevel, Sequence");
  }
}

std::vector<TokenId> specialTokenIds(const Json& specialTokens, const std::string& name,
                                     std::string_view where) {
  const Json* entry = specialTokens.is_object() ? find(specialTokens, name.c_str()) : nullptr;
  if (!entry) fail(std::string(where) + ": special token \"" + name + "\" is not defined");
  std::string entryWhere = std::string(where) + ".special_tokens[\"" + name + "\"]";
  const Json& ids = arrayAt(*entry, "ids", entryWhere);
  std::vector<TokenId> result;
  for (size_t i = 0; i < ids.size(); ++i) {
    result.push_back(idOf(ids[i], entryWhere + ".ids[" + std::to_string(i) + "]"));
  }
  return result;
}

/// TemplateProcessing's `single` template, as the ids before and after the sequence.
void templateIds(const Json& processor, std::string_view where, std::vector<TokenId>& before,
                 std::vector<TokenId>& after) {
  const Json& single = arrayAt(processor, "single", where);
  const Json& specialTokens = require(processor, "special_tokens", where);
  bool sequenceSeen = false;
  for (size_t i = 0; i < single.size(); ++i) {
    std::string itemWhere = itemPath(where, "single", i);
    const Json& item = single[i];
    if (!item.is_object()) fail(itemWhere + ": expected an object");
    if (const Json* special = find(item, "SpecialToken")) {
      std::vector<TokenId> ids =
          specialTokenIds(specialTokens, stringAt(*special, "id", itemWhere), where);
      (sequenceSeen ? after : before)
          .insert((sequenceSeen ? after : before).end(), ids.begin(), ids.end());
    } else if (const Json* sequence = find(item, "Sequence")) {
      if (sequenceSeen || stringAt(*sequence, "id", itemWhere) != "A") {
        fail(itemWhere + ": the single template must hold sequence A once");
      }
      sequenceSeen = true;
    } else {
      fail(itemWhere + ": expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
    }
  }
  if (!sequenceSeen) fail(std::string(where) + ".single: no sequence A");
}

TokenId pairId(const Json& processor, const char* key, std::string_view where) {
  const Json& pair = require(processor, key, where);
  std::string pairWhere = std::string(where) + "." + key;
  if (!pair.is_array() || pair.size() != 2) fail(pairWhere + ": expected [token, id]");
  return idOf(pair[1], pairWhere + "[1]");
}

void addPostProcessor(const Json& processor, std::string_view where, Tokenizer::Impl& t) {
  std::string type = typeOf(processor, where);
  std::vector<TokenId> before, after;
  if (type == "ByteLevel") {
    return;  // offsets only
  } else if (type == "TemplateProcessing") {
    templateIds(processor, where, before, after);
  } else if (type == "BertProcessing" || type == "RobertaProcessing") {
    before = {pairId(processor, "cls", where)};
    after = {pairId(processor, "sep", where)};
  } else if (type == "Sequence") {
    const Json& steps = arrayAt(processor, "processors", where);
    for (size_t i = 0; i < steps.size(); ++i) {
      addPostProcessor(steps[i], itemPath(where, "processors", i), t);
    }
    return;
  } else {
    unsupported(where, "post-processor", type,
                "ByteLevel, TemplateProcessing, BertProcessing, RobertaProcessing, Sequence");
  }
  // A later processor wraps what the earlier ones produced.
  t.prefix.insert(t.prefix.begin(), before.begin(), before.end());
  t.suffix.insert(t.suffix.end(), after.begin(), after.end());
}

}  // namespace

void loadNormalizer(const Json* normalizer, Tokenizer::Impl& t) {
  if (normalizer) addNormalizer(*normalizer, "normalizer", t);
}

bool loadPreTokenizer(const Json* preTokenizer, Tokenizer::Impl& t) {
  bool byteLevelSeen = false;
  if (preTokenizer) addPreTokenizer(*preTokenizer, "pre_tokenizer", t, byteLevelSeen);
  return byteLevelSeen;
}

void loadPostProcessor(const Json* postProcessor, Tokenizer::Impl& t) {
  if (postProcessor) addPostProcessor(*postProcessor, "post_processor", t);
}

void loadDecoder(const Json* decoder) {
  // null is read as ByteLevel: tokenizers would join the tokens with spaces, which for a byte-level
  // vocabulary is never the text.
  if (!decoder) return;
  std::string type = typeOf(*decoder, "decoder");
  if (type != "ByteLevel") unsupported("decoder", "decoder", type, "ByteLevel");
}

}  // namespace mx::engine::tokenizer
