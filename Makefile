# Deep Learning Cookbook notebooks — common tasks. Each target creates .venv from the lock file
# when it is missing or older than requirements.txt.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
MODE   ?= smoke
JOBS   ?= 2
# `make lab` opens the notebooks as their committed outputs were made: full mode, zoo models,
# offline. ONLINE=1 lets them use the book's online sources instead.
LAB_MODE ?= full
ONLINE   ?= 0
NB       ?=
# The book repository's small files, as an offline mirror (CI and this workspace have it beside the repo).
MIRROR := $(abspath ../shared/mirror)
ifneq ($(wildcard $(MIRROR)),)
export DLCB_MIRROR ?= $(MIRROR)
endif

.PHONY: venv web system lab run outputs test test-unit serve lock data timings clean

venv: $(VENV)/.installed

## npm packages of chapter 16.9's browser page, exactly as its package-lock.json pins them
WEB_MODEL := notebooks/cookbook/serving/web_model
web: $(WEB_MODEL)/node_modules/.package-lock.json

$(WEB_MODEL)/node_modules/.package-lock.json: $(WEB_MODEL)/package-lock.json
	npm ci --prefix $(WEB_MODEL) --no-audit --no-fund

## Debian packages for chapters 14-16 (timidity, PostgreSQL, Chromium, wrk); needs root or sudo
system:
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends $$(sed -e 's/#.*//' .ci/apt-packages.txt)

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

## Open JupyterLab on the notebooks, in the mode their saved outputs come from (LAB_MODE=full)
lab: venv web
	DLCB_MODE=$(LAB_MODE) DLCB_OFFLINE=$(if $(filter 1,$(ONLINE)),0,1) $(BIN)/jupyter lab notebooks

## Execute every notebook headless into generated/executed/ (MODE=smoke|full)
run: venv web
	$(BIN)/python -m cookbook.runner --mode $(MODE)

## The reference run: every notebook (or NB=05) in full mode, zoo models, offline, written back
## into notebooks/ with its outputs; then the output contract is checked
outputs: venv web
	$(BIN)/python -m cookbook.runner --reference $(NB)

## Unit tests, hygiene checks, and every notebook in smoke mode, two at a time
test: venv web
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

SERVE_MODELS ?= images,emoji,plurals,chatbot
PORT ?= 5050
## Chapter 16's model service under gunicorn on 127.0.0.1:$(PORT) (SERVE_MODELS=images,emoji,plurals,chatbot)
serve: venv
	cd notebooks && DLCB_SERVE_MODELS=$(SERVE_MODELS) ../$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --timeout 30 'cookbook.serving.app:from_env()'

test-unit: venv
	$(BIN)/python -m pytest -n $(JOBS) tests/unit tests/test_hygiene.py

## Recompile requirements.txt from requirements.in
lock:
	$(BIN)/python -m pip install -q pip-tools
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in

## Fetch every registered dataset/model into the cache (needs the registries, or the mirror)
data: venv
	$(BIN)/python -m cookbook.datasets --fetch

timings:
	$(BIN)/python -m cookbook.runner --timings

clean:
	rm -rf generated/executed generated/metrics generated/timings
