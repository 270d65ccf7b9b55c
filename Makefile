# Milton's two commands. Both work on a fresh clone with nothing installed.
#   make demo   set up, then run Milton's main job on the bundled demo persona
#   make test   set up, then run every test (nbdev-test, pytest) and the export/clean checks
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.milton-installed
LOCK := requirements.lock
# where the CPU build of torch lies (this machine kind keeps it on disk; elsewhere, PyTorch's CPU wheel index)
TORCH_WHEELS ?= /opt/wheels
# llama.cpp is compiled for AVX2 + FMA, not for the build machine's every feature: a native build on a CPU that
# reports AVX-512 and AMX crashed (general protection fault in libggml-cpu) on this machine kind, and a portable
# build runs on any x86-64 laptop from the last decade. Remove a natively built cached wheel with
# `pip cache remove llama_cpp_python`.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: demo test setup lock check-sync nbdev-test pytest clean-venv

demo: $(STAMP)
	$(BIN)/milton demo

test: $(STAMP) check-sync nbdev-test pytest

setup: $(STAMP)

# Exactly the versions CI tested: every package pinned with its hashes in requirements.lock (made by `make lock`).
# torch first, from the local CPU wheel: installing it later lets pip pick a multi-GB CUDA build.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==26.3
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Re-resolve pyproject.toml's ranges (with the dev extra) into requirements.lock; commit the result.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==0.9.30
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --find-links $(TORCH_WHEELS) --override requirements-overrides.txt \
	  --no-header --quiet -o $(LOCK)

# Fails if nbdev-export or nbdev-clean would change a file: nbs/ is the source of truth.
check-sync: $(STAMP)
	@snap=$$(mktemp -d); cp -r milton nbs "$$snap"/; \
	$(BIN)/nbdev-export; $(BIN)/nbdev-clean; \
	if ! diff -r "$$snap/milton" milton || ! diff -r "$$snap/nbs" nbs; then \
	  echo "nbdev-export/nbdev-clean changed files above: export and clean, then commit." >&2; \
	  rm -rf "$$snap"; exit 1; fi; \
	rm -rf "$$snap"; echo "nbdev-export and nbdev-clean: no changes."

# The tests run on SmolLM2-135M, not the served default (Qwen2.5-Coder-0.5B): every mechanism they check is the same
# for every catalogue model, and SmolLM2 answers a probe about four times faster (0.5 s against 2 s) and trains twice as fast. tests/test_real_model.py runs
# the default itself. `make test TEST_CHAT_MODEL=qwen2.5-coder-0.5b-instruct` runs everything on the 0.5B.
TEST_CHAT_MODEL ?= smollm2-135m-instruct
test nbdev-test pytest: export MILTON_CHAT_MODEL = $(TEST_CHAT_MODEL)

# `slow` cells (the real model: provisioning, engines, the GGUF LoRA check) run too; `gpu` ones need CUDA.
nbdev-test: $(STAMP)
	$(BIN)/nbdev-test --flags slow --timing

pytest: $(STAMP)
	$(BIN)/pytest

clean-venv:
	rm -rf $(VENV)
