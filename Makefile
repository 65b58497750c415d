# Thin wrapper over meson/ninja. The build directory can be changed: make BUILD=build-x
BUILD ?= build
MESON ?= meson
NINJA ?= ninja

.PHONY: all check demo clean deps bench

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

# Configure once; afterwards ninja re-runs meson by itself when meson.build changes.
$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD)

deps:
	scripts/install-deps.sh

check: deps
	$(MAKE) --no-print-directory all
	BUILD=$(BUILD) scripts/run-checks.sh

demo: deps
	$(MAKE) --no-print-directory all
	BUILD=$(BUILD) scripts/demo.sh

# burrow and OpenSSH side by side (bench/run.py; release build in build-bench;
# BENCH_QUICK=1 for a one-minute smoke run). Never part of `check`.
bench: deps
	scripts/install-bench-deps.sh
	/usr/bin/python3 bench/run.py

clean:
	rm -rf $(BUILD)
