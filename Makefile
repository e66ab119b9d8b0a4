# Makefile — a thin wrapper over CMake and ctest: the few commands a person types.
# The build itself is described in CMakeLists.txt; nothing here compiles anything directly.
#
#   make deps       install the Debian packages the build and tests need (tools/install-deps.sh)
#   make configure  configure build/ (Ninja, RelWithDebInfo); MX_CUDA=ON|OFF|AUTO passes through
#   make build      build everything in build/
#   make test       deps, configure, build, then run every test with ctest
#   make demo       deps, configure, build, then run the main example (DEMO_CMD)
#   make fuzz       build the parser fuzzer with clang in build-fuzz/ and fuzz for FUZZ_SECONDS
#   make clean      remove build/ and build-fuzz/
#
# ccache is used when installed: CMakeLists.txt sets it as the compiler launcher itself, so a plain
# `cmake -B build` gets it too. CUDA is detected by CMake (MX_CUDA=AUTO by default).

SHELL := /bin/bash
.DEFAULT_GOAL := build
# Targets run one after another in the order listed (deps before configure before build);
# the parallelism lives inside Ninja and ctest.
.NOTPARALLEL:

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_ARGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)$(if $(MX_CUDA), -DMX_CUDA=$(MX_CUDA))

# The main job: examples/debate.mx on the embedded tiny-arith model (models/, CPU engine): 200
# arithmetic questions, two solvers each, revising until they agree; then the consensus accuracy
# next to the single-agent accuracy on the same questions. Trajectories: runs/demo-debate/.
DEMO_CMD = rm -rf runs/demo-debate && \
  $(BUILD_DIR)/bin/mx run examples/debate.mx --output runs/demo-debate && \
  python3 examples/debate_report.py runs/demo-debate && \
  echo "demo: records in runs/demo-debate/debates.jsonl, every step in runs/demo-debate/trajectory.log"

FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_SCRATCH ?= fuzz-scratch
FUZZ_FLAGS ?= -timeout=10
FUZZ_CMAKE_ARGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DMX_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19

.PHONY: deps configure reconfigure build test demo fuzz clean help FORCE

deps:
	@tools/install-deps.sh

# cmake runs only when build.ninja is missing or the arguments above changed (say MX_CUDA=OFF on an
# existing build); after that the generated build re-runs cmake itself when a CMakeLists.txt changes.
configure: $(BUILD_DIR)/build.ninja

reconfigure:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_ARGS)

$(BUILD_DIR)/.mx-cmake-args: FORCE
	@mkdir -p $(@D)
	@echo '$(CMAKE_ARGS)' | cmp -s - $@ || echo '$(CMAKE_ARGS)' > $@

$(BUILD_DIR)/build.ninja: $(BUILD_DIR)/.mx-cmake-args
	cmake -S . -B $(BUILD_DIR) $(CMAKE_ARGS)
	@touch $@

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: deps configure build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j2

demo: deps configure build
	$(DEMO_CMD)

# libFuzzer needs clang, so the fuzzer gets its own build folder. New interesting inputs go to
# $(FUZZ_SCRATCH)/corpus and crashes to $(FUZZ_SCRATCH)/artifacts; tests/fuzz/corpus is only read
# (copy an input there by hand to keep it: ctest replays that corpus in every build).
$(FUZZ_DIR)/build.ninja:
	cmake -S . -B $(FUZZ_DIR) $(FUZZ_CMAKE_ARGS)

fuzz: deps $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target mx_parse_fuzzer
	@mkdir -p $(FUZZ_SCRATCH)/corpus $(FUZZ_SCRATCH)/artifacts
	fuzzer=$$(find $(FUZZ_DIR) -type f -name mx_parse_fuzzer -perm -u+x | head -n 1); \
	  test -n "$$fuzzer" || { echo "make fuzz: no mx_parse_fuzzer binary in $(FUZZ_DIR)" >&2; exit 1; }; \
	  "$$fuzzer" -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_SCRATCH)/artifacts/ \
	    $(FUZZ_FLAGS) $(FUZZ_SCRATCH)/corpus tests/fuzz/corpus

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)

help:
	@sed -n '3,10s/^# //p' $(firstword $(MAKEFILE_LIST))

FORCE:
