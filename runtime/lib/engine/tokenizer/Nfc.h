// Nfc.h — Unicode Normalization Form C, the `NFC` normalizer of tokenizer.json (Qwen's).
//
// Self-contained (tables generated from Unicode data into NfcTables.inc) so the runtime needs no
// ICU. The tables hold the characters of Unicode 9.0, the version `tokenizers` 0.23 normalizes
// with: a newer mark is a plain starter there, and must be here for the ids to agree.
// Most text is already NFC; the quick check proves that with one pass that looks only at code
// points from U+0300 up, and appendNfc rewrites only the stretches around characters that fail it.
#pragma once

#include <string>
#include <string_view>

namespace mx::engine::tokenizer {

/// True when `s` (well-formed UTF-8) is certainly in NFC. False means "maybe not".
bool isNfcQuick(std::string_view s);

/// Appends the NFC form of `s` (well-formed UTF-8) to `out`.
void appendNfc(std::string_view s, std::string& out);

}  // namespace mx::engine::tokenizer
