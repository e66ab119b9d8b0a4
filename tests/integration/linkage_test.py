#!/usr/bin/env python3
"""linkage_test.py — `mx` and AOT-compiled pipelines link neither LLVM nor ANTLR (ARCHITECTURE.md
invariant 2): the compiler is a plugin (libmx_jit.so) that `mx` opens only to compile a .mx file;
likewise the CUDA backend (libmx_cuda.so, with cuBLAS) is opened only when it is used.

    linkage_test.py --mx build/bin/mx --mxc build/bin/mxc --program examples/hello.mx

Checks, for build/bin/mx and for a shared object `mxc -o` writes:
  - no shared library it needs (ldd) is LLVM's or ANTLR's;
  - no LLVM or ANTLR symbol is linked in statically (nm -C: no llvm:: or antlr4:: names);
and that `mx run --aot` on that shared object works with the plugin out of reach (a copy of mx in
a folder with no ../lib/libmx_jit.so, where a JIT run fails), so an AOT run needs no compiler.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# cuBLAS too: its static initialisers cost ~0.5 s of every start; mx opens libmx_cuda.so on demand.
FORBIDDEN_LIBS = re.compile(r"libLLVM|libantlr4|libclang|libcublas", re.I)
FORBIDDEN_SYMBOLS = re.compile(r"\b(llvm|antlr4)::")


def problems(path):
    out = []
    ldd = subprocess.run(["ldd", path], capture_output=True, text=True, check=True).stdout
    for line in ldd.splitlines():
        if FORBIDDEN_LIBS.search(line):
            out.append(f"{path} needs {line.strip()}")
    nm = subprocess.run(["nm", "-C", path], capture_output=True, text=True)
    dyn = subprocess.run(["nm", "-C", "-D", path], capture_output=True, text=True)
    symbols = [l for l in (nm.stdout + dyn.stdout).splitlines() if FORBIDDEN_SYMBOLS.search(l)]
    if symbols:
        out.append(f"{path} has {len(symbols)} LLVM/ANTLR symbols, e.g. {symbols[0].strip()}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mx", required=True)
    ap.add_argument("--mxc", required=True)
    ap.add_argument("--program", required=True)
    args = ap.parse_args()
    failures = problems(args.mx)
    with tempfile.TemporaryDirectory(prefix="mx-linkage-") as tmp:
        so = os.path.join(tmp, "pipeline.so")
        subprocess.run([args.mxc, "-o", so, args.program], check=True)
        failures += problems(so)
        os.mkdir(os.path.join(tmp, "bin"))
        lone_mx = os.path.join(tmp, "bin", "mx")
        shutil.copy2(args.mx, lone_mx)
        jit = subprocess.run([lone_mx, "run", args.program, "-o", os.path.join(tmp, "jit"),
                              "--no-progress"], capture_output=True, text=True)
        if jit.returncode == 0 or "compiler plugin" not in jit.stderr:
            failures.append(f"the lone mx must not find the plugin (exit {jit.returncode}: {jit.stderr})")
        run = subprocess.run([lone_mx, "run", "--aot", so, "-o", os.path.join(tmp, "run"),
                              "--no-progress"], capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"mx run --aot without the compiler plugin: exit {run.returncode}: {run.stderr}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("ok: mx and an AOT pipeline link no LLVM and no ANTLR")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
