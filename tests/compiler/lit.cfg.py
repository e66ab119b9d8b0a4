# lit configuration for the compiler golden tests (tests/compiler/**/*.mx).
import os
import lit.formats

config.name = "mx-compiler"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mx", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)

params = lit_config.params
mxc = params.get("mxc")
tools = params.get("llvm_tools", "/usr/lib/llvm-19/bin")
if not mxc:
    lit_config.fatal("pass --param mxc=PATH (ctest does)")
config.substitutions.append(("%mxc", mxc))
config.substitutions.append(("%examples", params.get("examples", "")))
config.environment["PATH"] = tools + os.pathsep + config.environment.get("PATH", os.environ.get("PATH", ""))
