# tuicloud: `make demo` and `make test` are the README's quick start.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test test-real check-wheel bench lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project's metadata changed.
$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/tuicloud --demo

# --durations: the slowest tests named in the log (CI must stay under 30 minutes).
# -n 3: the tests mostly wait (simcloud, timers, the pilot), so three processes share 2 cores
# well; loadscope keeps a module's tests in one process, so a module's shared simcloud starts once.
TEST_JOBS ?= 3
test: $(STAMP_TEST)
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadscope --durations=15

# The real OpenStack rig lives beside the clone (CI: a read-only copy of shared/). up.sh is
# idempotent and needs root; it writes the clouds.yaml the suite reads.
REALCLOUD_DIR ?= $(abspath $(CURDIR)/../shared/realcloud)
REALCLOUD_CLOUDS_YAML ?= /opt/realcloud/clouds.yaml
SUDO := $(if $(filter 0,$(shell id -u)),,sudo -E)

test-real: $(STAMP_TEST)
	$(SUDO) env REALCLOUD_CLOUDS_YAML=$(REALCLOUD_CLOUDS_YAML) bash tests/real/rig_up.sh $(REALCLOUD_DIR)
	TUICLOUD_REAL=1 REALCLOUD_DIR=$(REALCLOUD_DIR) OS_CLIENT_CONFIG_FILE=$(REALCLOUD_CLOUDS_YAML) \
		$(BIN)/python -m pytest -q --durations=15 tests/real

# What users install: build the wheel, install it into a fresh venv, run it from outside the
# source tree (tuicloud --version, then the actions menu, a confirmation and the create forms).
check-wheel: | $(BIN)/python
	$(BIN)/python tests/installed/check_wheel.py

bench: $(STAMP_TEST)
	$(BIN)/python -m bench   # BENCH_QUICK=1 for fewer runs

lint: $(STAMP_TEST)
	$(BIN)/ruff check tuicloud tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache  # the layers of DESIGN.md: contracts in pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
