// ExitCodes.h — the exit statuses of every mx command, defined in one place.
//
// Scripts and CI branch on these, so a value never changes meaning once released.
#pragma once

namespace mx {

enum ExitCode : int {
  kExitOk = 0,             // success
  kExitProgramErrors = 1,  // the .mx program (or the run's input) has errors; diagnostics printed
  kExitUsage = 2,          // bad command line
  kExitInput = 3,          // an input file could not be read
  kExitInternal = 4,       // a bug in mx: an assertion failed
};

}  // namespace mx
