// Assert.h — MX_ASSERT: the bug channel. User and input errors never come here; they become
// diagnostics or per-row failures. A failed assertion prints the condition, the reason, the place
// and exits with kExitInternal, because continuing after a broken invariant corrupts output.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "mx/ExitCodes.h"

#define MX_ASSERT(cond, why)                                                                 \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "mx: internal error: %s:%d: assertion '%s' failed: %s\n", __FILE__, \
                   __LINE__, #cond, why);                                                    \
      std::exit(::mx::kExitInternal);                                                        \
    }                                                                                        \
  } while (0)
