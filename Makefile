# Two commands do everything on a fresh machine: `make book` and `make test`.
# They install what they need on first use (.venv from PyPI, node_modules from npm, Chromium from
# Debian for the browser tests) and reuse it afterwards: stamp files note what is done.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# One step after another, in the order written (setup before use; the book before its checks).
.NOTPARALLEL:
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# -qq: pip's own noise (for example this machine's extra index warnings) stays quiet; errors still print.
PIP_INSTALL := $(BIN)/python -m pip install -qq -c constraints.txt
# The book's browser assets (MathJax, RequireJS, the widget manager), pinned by package-lock.json.
NPM_STAMP := node_modules/.installed
# The notebooks that `make notebooks` checks and `make refresh` re-executes.
CHAPTERS ?= chapters
# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
CHROMIUM ?= /usr/bin/chromium
# Root installs directly; otherwise sudo, but only where it works without a password prompt.
SUDO := $(shell [ "$$(id -u)" = 0 ] || { sudo -n true 2>/dev/null && echo sudo; } || echo none)
CHROMIUM_INSTALL := apt-get install -y -qq --no-install-recommends chromium fonts-liberation
export CHROMIUM
# How the chapters' outputs are made and checked: their claims strict (a false `expect` fails),
# matplotlib left to the kernel (its inline backend draws the glued figures; a user's MPLBACKEND
# would replace it). The arithmetic is this machine's own: stored numbers are compared within a
# tolerance (tests/nbval_tolerance.py), so any CPU can check them and refresh them.
NOTEBOOK_ENV := env -u MPLBACKEND HELLO_RNN_STRICT=1
# Another arithmetic than the one that made the outputs, on the same machine: PyTorch's kernels
# without SIMD (ATEN_CPU_CAPABILITY=default), MKL's conservative code path, one thread instead of
# all cores. The last bits differ, as on another CPU; the outputs must still validate and every
# `expect` hold.
OTHER_ARITHMETIC := ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE OMP_NUM_THREADS=1 \
	MKL_NUM_THREADS=1

.PHONY: setup assets book check test lint unit notebooks notebooks-other-arithmetic colab-replica linkcheck browser-test screenshots refresh bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e ".[book,test]"
	@touch $@

assets: $(NPM_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(CHROMIUM):
	@if [ "$(SUDO)" = none ]; then \
	  echo "No Chromium at $(CHROMIUM), and installing one needs root. Run, as root:"; \
	  echo "  apt-get update && $(CHROMIUM_INSTALL)"; \
	  echo "or point make at another Chromium: make test CHROMIUM=/path/to/chromium"; \
	  exit 1; \
	fi
	@echo "No Chromium at $(CHROMIUM): installing Debian's (apt-get)"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) $(CHROMIUM_INSTALL)

# The site is self-contained: book/_ext/offline_assets.py copies the assets into _build/html/assets/.
book: setup assets
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Book built: open _build/html/index.html (or: python -m http.server -d _build/html)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/zizmor --offline .github/workflows
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/lint-imports

unit: setup
	$(BIN)/pytest tests

# Strict nbval, with numbers compared within a tolerance (tests/nbval_tolerance.py).
NBVAL := PYTHONPATH=tests $(BIN)/pytest -p nbval_tolerance --nbval --nbval-current-env \
	--nbval-sanitize-with tests/nbval_sanitize.cfg
# --nbval-current-env: the kernel is this venv's Python, never a `python3` kernel found elsewhere.
notebooks: setup
	$(NOTEBOOK_ENV) $(NBVAL) $(CHAPTERS)

# The same validation under another arithmetic (OTHER_ARITHMETIC): what a reader's CPU does.
notebooks-other-arithmetic: setup
	$(NOTEBOOK_ENV) $(OTHER_ARITHMETIC) $(NBVAL) $(CHAPTERS)

# Checks of the built site (run `make book` first): no CDN, internal links and anchors, Colab buttons.
linkcheck: setup
	$(BIN)/pytest tests/book/test_site.py

# Every page in Chromium, offline (run `make book` first).
browser-test: setup $(CHROMIUM)
	$(BIN)/pytest tests/book/test_browser.py
	$(BIN)/pytest tests/book/test_live_sampler_browser.py  # its own Playwright session

# The browser's page checks once more, keeping a full-page screenshot of every page in light and
# dark mode (_build/screenshots/, for a person to look at; run `make book` first).
screenshots: setup $(CHROMIUM)
	$(BIN)/pytest tests/book/test_browser.py --screenshots -k "renders_offline or accessible"

# Every chapter on a replica of Colab's runtime (colab/requirements.txt, built in .colab-venv):
# installing hello_rnn must change none of Colab's packages; each chapter runs, not strictly, in a
# fresh kernel of the replica, and its controls move.
colab-replica: setup
	$(BIN)/python colab/replica.py

# The contributor's check: lint, the unit tests and the chapters against their stored outputs.
# No root, no TeX, no Chromium, no second venv; a few minutes on two cores.
check: lint unit notebooks

# The full gate, what CI runs (.ci/run): the check, then the chapters under another arithmetic,
# on a replica of Colab, as a PDF, as a web site, and in a browser.
test: lint unit notebooks notebooks-other-arithmetic colab-replica pdf pdf-check book linkcheck browser-test

# Re-execute every chapter in place; a notebook whose outputs did not change is left as it was.
refresh: setup
	$(NOTEBOOK_ENV) $(BIN)/python scripts/refresh_notebooks.py $(CHAPTERS)/*.ipynb

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build

# --- The PDF edition ----------------------------------------------------------------------------------
# The whole course as one PDF, built with XeLaTeX in its own tree, _pdf/ (not _build/: `make book` starts
# from an empty _build, and doctrees read for LaTeX must not be reused for HTML). `make book` run after it
# puts the PDF in the site (book/_ext/pdf_edition.py); book/intro.md links to it. TeX Live, the DejaVu
# fonts and poppler (pdftotext, pdftoppm: the checks) come from Debian, installed on first use.
PDF := _pdf/_build/latex/hello-rnn.pdf
TEX_INSTALL := apt-get install -y -qq --no-install-recommends texlive-xetex texlive-latex-extra \
  texlive-fonts-recommended latexmk fonts-dejavu-core fonts-dejavu-extra poppler-utils
# One file of each of those packages: when any is missing, they are installed.
TEX_FILES := /usr/bin/xelatex /usr/bin/latexmk /usr/bin/pdftoppm \
  /usr/share/texlive/texmf-dist/tex/latex/fncychap/fncychap.sty \
  /usr/share/texlive/texmf-dist/tex/latex/eurosym/eurosym.sty \
  /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf /usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf

.PHONY: tex pdf pdf-check pdf-clean

tex:
	@missing="$$(for f in $(TEX_FILES); do [ -e "$$f" ] || echo "$$f"; done)"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$(SUDO)" = none ]; then \
	  echo "The PDF needs TeX Live, and installing it needs root (missing: $$missing). Run, as root:"; \
	  echo "  apt-get update && $(TEX_INSTALL)"; \
	  exit 1; \
	fi; \
	echo "No TeX Live for the PDF: installing Debian's (apt-get)"; \
	$(SUDO) apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive $(SUDO) $(TEX_INSTALL)

pdf: setup tex
	rm -rf _pdf
	LATEXMKOPTS=-silent $(BIN)/jupyter-book build . --builder pdflatex --path-output _pdf -W -n --keep-going \
	  || { grep -s -A4 '^!' $(PDF:.pdf=.log) | head -30; echo "make pdf failed (LaTeX's log: $(PDF:.pdf=.log))"; exit 1; }
	@test -s $(PDF)
	@echo "PDF built: $(PDF) ($$(pdfinfo $(PDF) | awk '/^Pages:/ {print $$2}') pages)"

# Checks of the built PDF (run `make pdf` first): every chapter, no "??", no widget JSON, pages not blank.
pdf-check: setup tex
	$(BIN)/pytest tests/book/test_pdf.py

clean: pdf-clean

pdf-clean:
	rm -rf _pdf
