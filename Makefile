# The front door: `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo demo-cassettes test test-fast lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/driftcheck demo

# Re-record cassettes/ from the demo API (v1) with the root driftcheck.toml.
demo-cassettes: install
	$(BIN)/python -m driftcheck.demo.regenerate

test: install
	$(BIN)/python -m pytest -q -n auto

test-fast: install
	$(BIN)/python -m pytest -q -n auto -m 'not slow'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# diff against the parse floor, GenSON and naive DeepDiff; PRESETS="medium large" for more,
# PRESETS="many-small big-body" for scale, BENCH_FLAGS="--memory-only --repeat 1" to be quick.
PRESETS ?= small
BENCH_FLAGS ?=
bench: install
	$(BIN)/python benchmarks/diff_bench.py $(foreach p,$(PRESETS),--preset $(p)) $(BENCH_FLAGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
