# Two commands matter:  `make book`  and  `make test`.  `make help` lists the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := $(BIN)/jupyter-book

.DEFAULT_GOAL := help
.PHONY: help book book-release test test-fast pdf pdf-deps serve clean bench lock browser-deps

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(STAMP): requirements.txt requirements-torch.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# PyTorch (CPU build) from its own file: see README, "Dependencies"
	$(BIN)/python -m pip install --quiet -r requirements-torch.txt
	@touch $(STAMP)

book: $(STAMP)  ## build the website into _build/html (cached execution)
	@# --all: write every page and copy _static again even when no chapter
	@# changed (an edited book.css is otherwise left stale); cells still come
	@# from the execution cache.
	$(JB) build . --all --builder html -W -n --keep-going
	@echo
	@echo "Open _build/html/index.html in a browser, or run: make serve"

book-release: $(STAMP)  ## clean build with every chapter re-executed (CI, releases)
	rm -rf _build/html _build/.jupyter_cache _build/jupyter_execute
	$(JB) build . --builder html -W -n --keep-going

COVER := --cov=nncore --cov=nnbook --cov-report=term-missing
# nncore, the library, must stay fully covered; nnbook's figure is reported.
COVER_NNCORE := $(BIN)/python -m coverage report --include='nncore/*' --fail-under=100

test: $(STAMP)  ## the whole test suite (nncore, book build, PDF, browser)
	$(BIN)/python -m pytest $(COVER)
	$(COVER_NNCORE)

test-fast: $(STAMP)  ## only the nncore and structure tests (seconds)
	$(BIN)/python -m pytest -m "not book and not pdf and not browser and not jupyterlab" $(COVER)
	$(COVER_NNCORE)

pdf-deps:  ## install the Debian/Ubuntu TeX packages the PDF needs (root or sudo)
	$(if $(shell command -v sudo 2>/dev/null),sudo) apt-get update
	$(if $(shell command -v sudo 2>/dev/null),sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	  texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	  latexmk xindy fonts-freefont-otf fonts-dejavu-core fonts-dejavu-extra poppler-utils

browser-deps:  ## install Debian's Chromium for the browser tests (root or sudo)
	$(if $(shell command -v sudo 2>/dev/null),sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

pdf: $(STAMP)  ## build the whole book as _build/latex/book.pdf (needs `make pdf-deps`)
	$(JB) build . --builder pdflatex
	@mkdir -p _build/html && cp _build/latex/book.pdf _build/html/nn-fundamentals.pdf
	@echo
	@echo "PDF: _build/latex/book.pdf (also copied to _build/html/nn-fundamentals.pdf for the website)"

serve: $(STAMP)  ## preview the built website on http://localhost:8000
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory _build/html

bench: $(STAMP)  ## speed of nncore: small nets vs inline NumPy, large vs scikit-learn/PyTorch
	$(BIN)/python scripts/bench.py

lock:  ## re-pin the transitive dependencies in requirements.txt from a fresh venv
	$(PYTHON) scripts/lock.py

clean:  ## remove the build output and execution cache (keeps .venv)
	rm -rf _build .pytest_cache .coverage .hypothesis
