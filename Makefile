# gouvernante — the two commands a user needs are `make demo` and `make test`.
# Every target installs what it needs first (scripts/install-deps.sh, apt-get as
# root on Debian bookworm; a no-op when everything is present).

JOBS      ?= $(shell nproc)
BUILD     ?= build
ASAN      ?= build-asan
FUZZ      ?= build-fuzz
FUZZ_SECS ?= 15
CMAKE_FLAGS ?=

.PHONY: all deps build test test-release test-asan fuzz fp bench demo fixtures clean help

all: build

help:
	@echo "make demo    install deps, build, scan examples/demo-app with rules/ (prints a finding)"
	@echo "make test    install deps, build from scratch, run all tests (release + ASan/UBSan) and a fuzz smoke run"
	@echo "make build   build/gouvernante"
	@echo "make bench   benchmarks (Google Benchmark + whole-process timing vs cat)"
	@echo "make fuzz    libFuzzer targets, FUZZ_SECS seconds each"
	@echo "make fp      false-positive check of the YARA rules on popular npm packages (needs the npm registry)"
	@echo "make fixtures regenerate lockfile fixtures with the real npm (needs the npm registry)"

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DGV_BENCH=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

test-release: deps
	rm -rf $(BUILD)
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DGV_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	rm -rf $(ASAN)
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DGV_SANITIZE=ON -DGV_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

test: test-release test-asan fuzz fp

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGV_FUZZ=ON -DGV_TESTS=OFF -DGV_BENCH=OFF
	cmake --build $(FUZZ) -j $(JOBS)
	./scripts/run-fuzz.sh $(FUZZ) $(FUZZ_SECS)

bench: build
	./bench/whole_process.sh $(BUILD)/gouvernante
	./$(BUILD)/bench/gv_bench --benchmark_min_time=0.5
	./bench/history_whole.sh $(BUILD)/gouvernante
	./bench/egress_whole.sh $(BUILD)/gouvernante $(BUILD)/bench/gv_connect_loop

# False-positive check of the bundled YARA rules on ~50 popular packages from
# the npm registry (installed with scripts off): fails on any match.
fp: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS) --target gouvernante scan_test
	GV_FP_STRICT=1 ./scripts/heuristic-fp.sh $(BUILD)

demo: build
	@echo "== gouvernante -rules ./rules -dir examples/demo-app"
	-./$(BUILD)/gouvernante -rules ./rules -dir examples/demo-app; echo "exit code: $$?"

fixtures:
	./scripts/gen-npm-fixtures.sh

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ)
