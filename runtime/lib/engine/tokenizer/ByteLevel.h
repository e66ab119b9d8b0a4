// ByteLevel.h — GPT-2's byte-to-character alphabet, in which byte-level vocabularies are written.
//
// Bytes 0x21–0x7E, 0xA1–0xAC and 0xAE–0xFF stand for themselves; the other 68 map, in order, to
// U+0100 upwards (space → 'Ġ' U+0120, '\n' → 'Ċ' U+010A). The tokenizer works on raw bytes and
// uses this only at load time, to read vocabulary entries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mx::engine::tokenizer {

/// The character byte `b` is written as.
char32_t byteLevelChar(unsigned char b);

/// The bytes a token spelled in the alphabet stands for, or nullopt when some character is not
/// in the alphabet (then `tokenizers`' ByteLevel decoder keeps the token's own UTF-8).
std::optional<std::string> byteLevelToBytes(std::string_view token);

}  // namespace mx::engine::tokenizer
