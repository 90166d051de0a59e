# Learning PyTorch with Examples: build the executed site and run its tests.
#
#   make html         set up ./.venv if needed, run every example, build the site
#                     (make html EXAMPLE=dynamic_net: run only that example)
#   make html-noplot  build the pages without running the examples (fast, no outputs)
#   make livehtml     serve the site on http://127.0.0.1:8000 (PORT=...), rebuilding on change
#   make inventories  download the API inventories that link code to API docs (needs a network)
#   make test         set up ./.venv (and Chromium) if needed, run every test
#   make test-fast    set up ./.venv if needed, run the fast tests only (numerics)
#   make bench        time clean, no-op and one-example builds against the examples alone
#   make clean        remove the built site and everything sphinx-gallery generated
#
# The active virtual environment is used when there is one; otherwise a
# project-local .venv is created from requirements.txt (and refreshed whenever
# requirements.txt changes). The browser tests need Chromium: `make test`
# installs Debian's package when it is missing and it runs as root.

ifdef VIRTUAL_ENV
VENV := $(VIRTUAL_ENV)
else
VENV := .venv
endif
# Quoted wherever used: the environment's path may contain spaces.
PY := "$(VENV)/bin/python"
BASE_PYTHON ?= $(shell command -v python3.11 || command -v python3)
STAMP := "$(VENV)/.requirements.txt"

SOURCEDIR := docs
BUILDDIR := _build
# Warnings are errors, always; --keep-going still writes every page and reports
# every warning before the build fails. SPHINXOPTS adds options of your own
# (make html SPHINXOPTS=-v); it never replaces these.
STRICT := -W --keep-going
SPHINXOPTS ?=
# tools/sphinx_build.py is sphinx-build without the slow interpreter teardown.
SPHINXBUILD := $(PY) tools/sphinx_build.py -M html $(SOURCEDIR) $(BUILDDIR) -c . $(STRICT) $(SPHINXOPTS)

.PHONY: help venv html html-noplot livehtml inventories test test-fast chromium bench clean

help:
	@sed -n '2,18s/^# \{0,1\}//p' Makefile

# The stamp is a copy of the requirements it was installed from: when it
# differs from requirements.txt, the environment is brought up to date. (A
# recipe rather than a file target, which make cannot name with a space.)
venv:
	@test -x $(PY) || $(BASE_PYTHON) -m venv "$(VENV)"
	@cmp -s requirements.txt $(STAMP) || { \
	  $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt && \
	  cp requirements.txt $(STAMP); }

html: venv
	$(SPHINXBUILD)
	@echo "The site is in $(BUILDDIR)/html; open $(BUILDDIR)/html/index.html"

html-noplot: venv
	$(SPHINXBUILD) -D plot_gallery=0

# Serve the site and rebuild it when a page, an example, an extension or
# conf.py changes; only changed examples run again. The browser reloads itself.
PORT ?= 8000
livehtml: venv
	"$(VENV)/bin/sphinx-autobuild" $(SOURCEDIR) $(BUILDDIR)/html -c . -d $(BUILDDIR)/doctrees \
	  --host 127.0.0.1 --port $(PORT) \
	  --watch conf.py --watch docs/_ext $(addprefix --watch ,$(wildcard examples_*)) \
	  --ignore '$(SOURCEDIR)/auto_examples/*' --ignore $(SOURCEDIR)/sg_execution_times.rst \
	  --re-ignore '__pycache__|\.ipynb_checkpoints|\.(swp|tmp)$$|~$$'

# The build only reads these from docs/_inventories/; this fills it.
inventories: venv
	$(PY) tools/fetch_inventories.py

test: venv chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# Everything but the tests marked slow (site builds, browser, notebooks).
test-fast: venv
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

# The browser tests drive this machine's Chromium (or $$CHROMIUM).
chromium:
	@if [ -n "$$CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "Chromium is missing and cannot be installed here: install it" \
	       "(Debian: sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium."; \
	fi

# Build-speed benchmark; BENCH_ARGS="--rounds 5" for more rounds.
bench: venv
	$(PY) benchmarks/build_speed.py $(BENCH_ARGS)

clean:
	rm -rf $(BUILDDIR) $(SOURCEDIR)/auto_examples $(SOURCEDIR)/sg_execution_times.rst
