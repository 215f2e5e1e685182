# Set-up and run targets. The README's quick start uses `make figures` and `make test`.
# Each creates the virtual environment .venv on first use and installs what it needs.
#
#   make figures    install tunestats, regenerate every figure in figures/ from data/
#                   and the study's report, figures/report.html
#   make test       install tunestats with all extras, run the whole test suite
#   make bench      run the benchmarks (prints time ratios against baselines)
#   make lint       ruff
#
# torch is pinned to the local CPU build through constraints.txt, and matplotlib to 3.10.9
# (3.11 draws text 2.5 times slower; see the file). To use a torch of your own (e.g. a
# CUDA build), install it into .venv first and pass CONSTRAINTS= (empty).

PYTHON ?= python3
VENV ?= .venv
CONSTRAINTS ?= constraints.txt
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS),)
STUDY ?= data/study

.PHONY: figures test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-core: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.installed-all: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) -e ".[dev,runner,importers]"
	touch $@

# Bytecode first: an editable install leaves the package uncompiled, and where
# PYTHONDONTWRITEBYTECODE is set every command would compile it anew (0.3 s a start).
figures: $(VENV)/.installed-core
	$(BIN)/python -m compileall -q tunestats
	$(BIN)/tunestats figures $(STUDY) --out figures --force
	$(BIN)/tunestats report $(STUDY) --out figures/report.html --force

# Two passes: the default selection (tests and doctests, `slow` deselected by pyproject's
# addopts), then the `slow` tests explicitly. pytest exits with 5 when it collected no
# test: that is a broken suite, not a pass.
test: $(VENV)/.installed-all
	for marks in "not slow" "slow"; do \
	  $(BIN)/python -m pytest -n auto -m "$$marks"; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests ($$marks)" >&2; exit 1; fi; \
	  if [ $$status -ne 0 ]; then exit $$status; fi; \
	done

bench: $(VENV)/.installed-all
	for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(VENV)/.installed-all
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
