#!/usr/bin/env bash
# install-deps.sh — installs every Debian package that building and testing mx needs.
#
# Idempotent: when everything is installed it prints nothing and exits in well under a second
# (one dpkg-query call), so `make test` can run it every time. Only when something is missing does
# it run `apt-get update` and `apt-get install`, printing one line with what it installs; apt's own
# output goes to a log that is shown only if apt fails. Versions and pitfalls: docs/ and
# ARCHITECTURE.md; CUDA is not a Debian package and stays optional.
set -euo pipefail

packages=(
  # compiler front end: ANTLR tool 4.7.2 + runtime 4.9 (the runtime links libuuid)
  antlr4 libantlr4-runtime-dev uuid-dev
  # LLVM 19 for codegen/ORC (static archives need libzstd); llvm-19-tools has lit and FileCheck
  llvm-19-dev llvm-19-tools libzstd-dev zstd
  # runtime: oneTBB, Cap'n Proto, PCRE2 (tokenizer regexes), JSON, SQLite (tool databases)
  libtbb-dev capnproto libcapnp-dev libpcre2-dev nlohmann-json3-dev libsqlite3-dev
  # command line programs: CLI11, libedit (mx repl)
  libcli11-dev libedit-dev
  # fuzzing needs clang: g++ has no -fsanitize=fuzzer
  clang-19 libclang-rt-19-dev libfuzzer-19-dev
  # build and test tools
  cmake make ninja-build ccache pkg-config g++ python3 googletest libgtest-dev
  # promtool (in prometheus) checks the --metrics-port exposition in tests
  prometheus
)

if ! command -v dpkg-query >/dev/null; then
  echo "install-deps.sh: this is not a Debian-based system; install these by hand: ${packages[*]}" >&2
  exit 1
fi

# Prints the packages of "$@" that are not fully installed (dpkg status other than "ii").
missing_of() {
  { dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true; } |
    awk -v want="$*" '$2 == "ii" { ok[$1] = 1 }
      END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!(w[i] in ok)) print w[i] }'
}

mapfile -t missing < <(missing_of "${packages[@]}")
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps.sh: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "install-deps.sh: installing ${#missing[@]} Debian package(s): ${missing[*]}"
log=$(mktemp "${TMPDIR:-/tmp}/mx-install-deps.XXXXXX.log")
trap 'rm -f "$log"' EXIT
# Another build may be running apt at the same time: wait for its lock instead of failing.
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q)
if ! { "${apt[@]}" update && "${apt[@]}" install "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps.sh: apt-get failed (output above)" >&2
  exit 1
fi

mapfile -t still < <(missing_of "${packages[@]}")
if [[ ${#still[@]} -ne 0 ]]; then
  echo "install-deps.sh: still not installed after apt-get: ${still[*]}" >&2
  exit 1
fi
