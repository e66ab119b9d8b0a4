// RegexCheck.cpp — see RegexCheck.h.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "RegexCheck.h"

#include <pcre2.h>

namespace mx {

std::optional<std::string> regexProblem(const std::string& pattern) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 PCRE2_UTF | PCRE2_UCP, &code, &offset, nullptr);
  if (re) {
    pcre2_code_free(re);
    return std::nullopt;
  }
  PCRE2_UCHAR message[256];
  pcre2_get_error_message(code, message, sizeof message);
  return std::string(reinterpret_cast<char*>(message)) + " (at offset " + std::to_string(offset) + ")";
}

}  // namespace mx
