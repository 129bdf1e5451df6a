# coralperf.h - build, test and benchmark.
#   make demo    build examples/ and run the example suite
#   make test    unit tests, sanitizers, compile matrix, CLI and report checks
#   make test-all  the portability matrix: host, valgrind, MinGW+wine, MSVC
#                paths (clang-cl), qemu aarch64/armhf/riscv64/s390x, Cortex-M
#   make bench   side-by-side comparisons with peers (Google Benchmark, libxxhash, zlib)
#   make fuzz    libFuzzer on the baseline parser, inflate and the histogram text (FUZZ_SECONDS each, default 60; FUZZ_SEED=N fixes the seed)
#   make stat-check  false-alarm and detection rates of the guards (rows 1-4 ~15 min, A/B rows ~80 min)
#   make ab BASE=rev  is the working tree slower than rev? the example suite (SUITE=file.c)
#                built at both, compared in interleaved A/B rounds (AB_ARGS=more flags)
#   make count   exact instructions per op under Callgrind, against baselines/<suite>.count.cpb
# stb_ds.h is found in STB_DS_DIR, then the usual include folders; when it is
# missing and apt-get can run, libstb-dev is installed.

CC      ?= cc
CXX     ?= c++
OPT     ?= -O2
WARN    = -Wall -Wextra -Werror -pedantic
CFLAGS  ?= $(OPT) $(WARN) -std=c99
LDLIBS  = -lm -pthread
BUILD   ?= build

# Recursive (=) on purpose: re-evaluated after the stb rule may have installed it.
STB_INC = $(shell for d in "$(STB_DS_DIR)" /usr/include/stb /usr/local/include/stb /usr/include /usr/local/include; do \
            [ -n "$$d" ] && [ -f "$$d/stb_ds.h" ] && { echo "$$d"; break; }; done)
INC     = -I. -I$(STB_INC)

EXAMPLES = $(BUILD)/example_suite $(BUILD)/lazy_model $(BUILD)/mem_weights $(BUILD)/weight_store \
           $(BUILD)/guard_assert $(BUILD)/inference_budget $(BUILD)/load_service
TEST_SRC = $(wildcard tests/test_*.c)

.PHONY: all demo test test-all bench fuzz stat-check ab count stb clean help
all: $(EXAMPLES)

help:
	@sed -n '2,11p' Makefile

stb:
	@if [ -n "$(STB_DS_DIR)" ] && [ ! -f "$(STB_DS_DIR)/stb_ds.h" ]; then \
	  echo "error: STB_DS_DIR=$(STB_DS_DIR) has no stb_ds.h"; exit 1; fi
	@if [ -z "$(STB_INC)" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "stb_ds.h not found: installing Debian package libstb-dev with apt-get"; \
	    (apt-get install -y -qq libstb-dev >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libstb-dev >/dev/null)) || \
	    { echo "error: apt-get could not install libstb-dev"; exit 1; }; \
	  else \
	    echo "error: stb_ds.h not found. Install it (Debian/Ubuntu: sudo apt-get install libstb-dev)"; \
	    echo "       or download stb_ds.h from github.com/nothings/stb and run: make STB_DS_DIR=/folder/with/it"; \
	    exit 1; \
	  fi; \
	fi

$(BUILD):
	@mkdir -p $(BUILD)

# The examples record their CFLAGS in the build fingerprint of the baselines
# they write (flags= of the @build line): as a C string (\ and " escaped)
# inside single quotes for the shell (' escaped).
BUILD_FLAGS_C = $(subst ",\",$(subst \,\\,$(strip $(CFLAGS))))
BUILD_FLAGS_DEF = -DCORALPERF_BUILD_FLAGS='"$(subst ','\'',$(BUILD_FLAGS_C))"'

$(EXAMPLES): $(BUILD)/%: examples/%.c coralperf.h | stb $(BUILD)
	$(CC) $(CFLAGS) $(BUILD_FLAGS_DEF) $(INC) $< -o $@ $(LDLIBS)

count: stb
	@echo "== count mode: instructions per op of $${SUITE:-examples/example_suite.c} under Callgrind (tests/count.sh)"
	@SUITE="$(SUITE)" COUNT_ARGS="$(COUNT_ARGS)" STB_INC="$(STB_INC)" CC="$(CC)" BUILD="$(BUILD)" sh tests/count.sh

ab: stb
	@echo "== A/B: the working tree against $${BASE:-HEAD} (tests/ab.sh)"
	@BASE="$(BASE)" SUITE="$(SUITE)" AB_ARGS="$(AB_ARGS)" STB_INC="$(STB_INC)" CC="$(CC)" BUILD="$(BUILD)" OPT="$(OPT)" sh tests/ab.sh

demo: stb $(BUILD)/example_suite
	@echo "== running the example suite (examples/example_suite.c), compared with baselines/example.cpb"
	@./$(BUILD)/example_suite --no-color > $(BUILD)/demo.log 2>&1; rc=$$?; cat $(BUILD)/demo.log; \
	 if [ $$rc = 0 ]; then echo "== demo: ok (exit 0: no regression against the baseline)"; \
	 elif [ $$rc = 2 ] && grep -q "recorded on another host" $(BUILD)/demo.log; then \
	   echo "== demo: ok, with warnings (exit 2: baselines/example.cpb was recorded on another host, so the wall times"; \
	   echo "   are report-only; record your own: ./$(BUILD)/example_suite --update-baseline=all)"; \
	 elif [ $$rc = 2 ]; then echo "== demo: ok, with warnings (exit 2: see the verdict column; timings on a busy machine move)"; \
	 elif [ $$rc = 1 ] && grep -q " FAIL slower" $(BUILD)/demo.log && ! grep -q "did not run\|baseline: .*line [0-9]" $(BUILD)/demo.log; then \
	   echo "== demo: ok, and the guard fired (exit 1: a confirmed slowdown against baselines/example.cpb, recorded on"; \
	   echo "   another day; a CI job would fail here - record your own baseline: ./$(BUILD)/example_suite --update-baseline=all)"; \
	 else echo "== demo: FAILED (exit $$rc)"; exit $$rc; fi

test: stb
	@STB_INC="$(STB_INC)" CC="$(CC)" CXX="$(CXX)" BUILD="$(BUILD)" sh tests/run.sh

test-all: stb
	@STB_INC="$(STB_INC)" CC="$(CC)" CXX="$(CXX)" BUILD="$(BUILD)" sh tests/matrix.sh

bench: stb
	@STB_INC="$(STB_INC)" CC="$(CC)" CXX="$(CXX)" BUILD="$(BUILD)" sh bench/run.sh
	@STB_INC="$(STB_INC)" CC="$(CC)" BUILD="$(BUILD)" sh bench/compile_time.sh
	@echo "== lazy loader fast paths vs pthread_once (bench/lazy.c, $(CC) -O2)"
	@mkdir -p $(BUILD)/bench && $(CC) $(CFLAGS) $(INC) bench/lazy.c -o $(BUILD)/bench/lazy $(LDLIBS) && ./$(BUILD)/bench/lazy --no-color
	@echo "== latency histogram record cost vs a plain array increment (bench/hist.c, $(CC) -O2)"
	@$(CC) $(CFLAGS) $(INC) bench/hist.c -o $(BUILD)/bench/hist $(LDLIBS) && ./$(BUILD)/bench/hist --no-color
	@echo "== load runner overhead per call at 1 and 2 users vs a plain loop through a function pointer (bench/load.c, $(CC) -O2)"
	@$(CC) $(CFLAGS) $(INC) bench/load.c -o $(BUILD)/bench/load $(LDLIBS) && ./$(BUILD)/bench/load
	@echo "== memory probes and counting allocator vs peers (bench/mem.c, $(CC) -O2)"
	@$(CC) $(CFLAGS) $(INC) bench/mem.c -o $(BUILD)/bench/mem $(LDLIBS) && ./$(BUILD)/bench/mem --no-color
	@STB_INC="$(STB_INC)" CC="$(CC)" BUILD="$(BUILD)" sh bench/hash.sh
	@STB_INC="$(STB_INC)" CC="$(CC)" BUILD="$(BUILD)" sh bench/deflate.sh
	@echo "== baseline sizes (.cpb, .cpb.gz, Google-Benchmark JSON and its gzip -9) and load+diff time (bench/baseline.c)"
	@if [ -f /usr/include/zlib.h ]; then $(CC) $(CFLAGS) $(INC) bench/baseline.c -o $(BUILD)/bench/baseline -lz $(LDLIBS) && ./$(BUILD)/bench/baseline; \
	 else echo "   skipped: zlib.h missing (apt-get install zlib1g-dev)"; fi

fuzz: stb
	@echo "== fuzzing the baseline parser, inflate and the histogram text, $${FUZZ_SECONDS:-60} s each (clang libFuzzer + ASan + UBSan)"
	@STB_INC="$(STB_INC)" BUILD="$(BUILD)" sh tests/fuzz/run.sh

stat-check: stb
	@echo "== stat-check: false alarms and detections of the regression guards on this machine (tests/stat/run.sh)"
	@STB_INC="$(STB_INC)" CC="$(CC)" BUILD="$(BUILD)" sh tests/stat/run.sh

clean:
	rm -rf $(BUILD)
