#!/bin/bash
# debate_aot.sh — on the build machine, after package.sh: compiles a copy of examples/debate.mx
# whose model is MODEL_DIR (an absolute path; default /tmp/mx-debate/model, which debate_e2e.sh
# makes on the GPU machine) ahead of time into build-gpu/dist/pipelines/debate-1b.so, since the
# GPU machine has no LLVM for mx's JIT. MAX_TOKENS (default 64, as in the example) replaces the
# solver's max_tokens. MXC: the mxc of the same source as the carried mx (default build-gpu/bin/mxc,
# else build/bin/mxc; `ninja -C build-gpu mxc` makes the first).
# Usage: gpu/dev/debate_aot.sh [OUT.so]
set -eu
cd "$(dirname "$0")/../.."
MODEL_DIR=${MODEL_DIR:-/tmp/mx-debate/model}
MAX_TOKENS=${MAX_TOKENS:-64}
if [ -z "${MXC:-}" ]; then
  for MXC in build-gpu/bin/mxc build/bin/mxc ""; do [ -x "$MXC" ] && break; done
fi
so=${1:-build-gpu/dist/pipelines/debate-1b.so}
[ -n "$MXC" ] || { echo "debate_aot.sh: no mxc (ninja -C build-gpu mxc, or set MXC)" >&2; exit 1; }
case "$MODEL_DIR" in /*) ;; *) echo "debate_aot.sh: MODEL_DIR must be absolute" >&2; exit 1 ;; esac
mkdir -p "$(dirname "$so")"
src=${so%.so}.mx  # kept beside the module: what it was compiled from
sed -e "s|local(\"../models/tiny-arith\")|local(\"$MODEL_DIR\")|" \
    -e "s|max_tokens: 64 }|max_tokens: $MAX_TOKENS }|" examples/debate.mx > "$src"
grep -q "local(\"$MODEL_DIR\") { temperature: 2.2, max_tokens: $MAX_TOKENS }" "$src" ||
  { echo "debate_aot.sh: examples/debate.mx's model line changed; update the sed" >&2; exit 1; }
"$MXC" -o "$so" "$src"
echo "$so: examples/debate.mx on $MODEL_DIR, max_tokens $MAX_TOKENS (compiled by $MXC)"
