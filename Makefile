# Two commands do everything on a fresh machine: `make book` and `make test`.
# Both create .venv on first use and reuse it afterwards.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# -qq: pip's own noise (for example this machine's extra index warnings) stays quiet; errors still print.
PIP_INSTALL := $(BIN)/python -m pip install -qq -c constraints.txt

.PHONY: setup book test lint unit notebooks refresh bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e ".[book,test]"
	@touch $@

book: setup
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Book built: open _build/html/index.html (or: python -m http.server -d _build/html)"

lint: setup
	$(BIN)/ruff check .

unit: setup
	$(BIN)/pytest tests

notebooks: setup
	$(BIN)/pytest --nbval chapters --nbval-sanitize-with tests/nbval_sanitize.cfg

test: lint unit notebooks book

refresh: setup
	$(BIN)/jupyter execute --inplace chapters/*.ipynb

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build
