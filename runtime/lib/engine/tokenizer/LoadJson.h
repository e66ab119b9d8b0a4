// LoadJson.h — reading tokenizer.json: checked access to its fields, and the component loaders.
//
// A malformed or unsupported field throws LoadError with the field's path ("model.merges[7]");
// Tokenizer::fromJson catches it and prefixes the file name. The exception never leaves the
// loader.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "TokenizerImpl.h"

namespace mx::engine::tokenizer {

using Json = nlohmann::json;

struct LoadError {
  std::string message;
};

[[noreturn]] void fail(std::string message);

/// object[key], or null when the key is missing or holds null.
const Json* find(const Json& object, const char* key);
/// object[key] (required, not null); `where` is the object's path.
const Json& require(const Json& object, const char* key, std::string_view where);
std::string stringAt(const Json& object, const char* key, std::string_view where);
bool boolAt(const Json& object, const char* key, bool fallback, std::string_view where);
/// A token id (bounded, see Load.cpp) at `where`, or object[key].
TokenId idOf(const Json& value, std::string_view where);
TokenId idAt(const Json& object, const char* key, std::string_view where);
/// The "type" of a component object at `where`.
std::string typeOf(const Json& component, std::string_view where);

// One loader per top-level section, in the order of the pipeline.
void loadNormalizer(const Json* normalizer, Tokenizer::Impl& t);
/// Returns whether the chain ends with ByteLevel (byte-level BPE requires it).
bool loadPreTokenizer(const Json* preTokenizer, Tokenizer::Impl& t);
void loadModel(const Json& model, Tokenizer::Impl& t);
void loadAddedTokens(const Json* addedTokens, Tokenizer::Impl& t);
void loadPostProcessor(const Json* postProcessor, Tokenizer::Impl& t);
void loadDecoder(const Json* decoder);

}  // namespace mx::engine::tokenizer
