# Milton's two commands. Both work on a fresh clone with nothing installed.
#   make demo   set up, then run Milton's main job on the bundled demo persona
#   make test   set up, then run every test (nbdev-test, pytest) and the export/clean checks
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.milton-installed

.PHONY: demo test setup check-sync nbdev-test pytest clean-venv

demo: $(STAMP)
	$(BIN)/milton demo

test: $(STAMP) check-sync nbdev-test pytest

setup: $(STAMP)

# torch first, from the local CPU wheel: installing it later lets pip pick a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Fails if nbdev-export or nbdev-clean would change a file: nbs/ is the source of truth.
check-sync: $(STAMP)
	@snap=$$(mktemp -d); cp -r milton nbs "$$snap"/; \
	$(BIN)/nbdev-export; $(BIN)/nbdev-clean; \
	if ! diff -r "$$snap/milton" milton || ! diff -r "$$snap/nbs" nbs; then \
	  echo "nbdev-export/nbdev-clean changed files above: export and clean, then commit." >&2; \
	  rm -rf "$$snap"; exit 1; fi; \
	rm -rf "$$snap"; echo "nbdev-export and nbdev-clean: no changes."

nbdev-test: $(STAMP)
	$(BIN)/nbdev-test --timing

pytest: $(STAMP)
	$(BIN)/pytest

clean-venv:
	rm -rf $(VENV)
