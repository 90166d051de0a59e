# Learning PyTorch with Examples: build the executed site and run its tests.
# `make help` lists the targets (from the "##" notes below).
#
# The active virtual environment is used when there is one; otherwise a
# project-local .venv is created from requirements.txt (and refreshed whenever
# requirements.txt changes). The browser tests need Chromium: `make test`
# installs Debian's package when it is missing and it runs as root. The
# accessibility tests run axe-core from the npm registry (package.json).

ifdef VIRTUAL_ENV
VENV := $(VIRTUAL_ENV)
else
VENV := .venv
endif
# Quoted wherever used: the environment's path may contain spaces.
PY := "$(VENV)/bin/python"
BASE_PYTHON ?= $(shell command -v python3.11 || command -v python3)
STAMP := "$(VENV)/.requirements.txt"

# Sphinx's own variables. SPHINXBUILD is the program (sphinx-build without the
# slow interpreter teardown, tools/sphinx_build.py); SPHINXOPTS are your
# options (make html SPHINXOPTS=-v), added after -W --keep-going, which
# `make html` always applies: warnings are errors, and every page is still
# written and every warning reported before the build fails.
SPHINXBUILD ?= $(PY) tools/sphinx_build.py
SPHINXOPTS ?=
# The pages are in docs/; the configuration, conf.py, is here at the top (-c).
SOURCEDIR := docs
CONFDIR := .
BUILDDIR := _build
STRICT := -W --keep-going
# The translations: every language with catalogs in docs/locales/ (named in
# conf.py: translations), each built after English into
# $(BUILDDIR)/html/LANGUAGE from the same executed examples. LANGUAGES= builds
# English only.
LANGUAGES ?= $(notdir $(wildcard $(SOURCEDIR)/locales/*))

# The execution cache (conf.py: execution_cache): EXECUTION_CACHE=DIR, relative to here.
ifdef EXECUTION_CACHE
export EXECUTION_CACHE := $(abspath $(EXECUTION_CACHE))
endif
# make examples SHARD=i/N: the i-th of N shares of the examples the cache lacks
# (PLAN=_build/plan/plan.json: the shares that make plan wrote, on another machine).
SHARD ?= 1/1
PLAN ?=

.PHONY: help Makefile venv html examples plan prune-cache html-noplot livehtml translations inventories test test-fast conformance chromium axe-core bench bench-tests bench-output clean

help: ## list the targets
	@echo "make TARGET, where TARGET is one of:"
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
	  sed -E 's/^([a-z-]+):.*## (.*)$$/\1|\2/' | awk -F'|' '{ printf "  %-14s %s\n", $$1, $$2 }'
	@echo "  or any other Sphinx builder (make linkcheck, make dirhtml, ...), built into $(BUILDDIR)/NAME"

# The stamp is a copy of the requirements and of pyproject.toml (the project's
# own packages, installed by "-e ." in requirements.txt) it was installed from:
# when it differs from them, the environment is brought up to date. (A recipe
# rather than a file target, which make cannot name with a space.)
venv: ## set up the virtual environment from requirements.txt, if needed
	@test -x $(PY) || $(BASE_PYTHON) -m venv "$(VENV)"
	@cat requirements.txt pyproject.toml | cmp -s - $(STAMP) || { \
	  $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt && \
	  cat requirements.txt pyproject.toml > $(STAMP); }

html: venv ## run every example and build the site in every language (EXAMPLE=dynamic_net: run only that one)
	$(SPHINXBUILD) -M html "$(SOURCEDIR)" "$(BUILDDIR)" -c "$(CONFDIR)" $(STRICT) $(SPHINXOPTS)
	$(foreach language,$(LANGUAGES),$(call build_translation,$(language)))
	@echo "The site is in $(BUILDDIR)/html; open $(BUILDDIR)/html/index.html"

# One command per translation: the same sources, the examples' output reused.
define build_translation
	$(SPHINXBUILD) -b html -D language=$(1) "$(SOURCEDIR)" "$(BUILDDIR)/html/$(1)" -d "$(BUILDDIR)/doctrees-$(1)" -c "$(CONFDIR)" $(STRICT) $(SPHINXOPTS)

endef

# Fills the execution cache and builds nothing: run it on N machines with
# SHARD=1/N ... N/N, gather their caches into one, then make html EXECUTE=never.
examples: venv ## run the examples the execution cache lacks and store them (SHARD=i/N: only the i-th share)
	$(SPHINXBUILD) -b dummy "$(SOURCEDIR)" "$(BUILDDIR)/examples" -d "$(BUILDDIR)/doctrees-examples" -c "$(CONFDIR)" \
	  -D example_shard=$(SHARD) $(if $(PLAN),-D example_plan="$(abspath $(PLAN))") $(SPHINXOPTS)

# For the workflow's plan job: every example's fingerprint ($(BUILDDIR)/plan/fingerprints.txt,
# whose hash keys the cache) and the partition of the missing ones over SHARDS ($(BUILDDIR)/plan/plan.json).
SHARDS ?= 3
plan: venv ## write the examples' fingerprints and their partition over SHARDS=N shards to _build/plan/
	$(SPHINXBUILD) -b dummy "$(SOURCEDIR)" "$(BUILDDIR)/plan" -d "$(BUILDDIR)/doctrees-examples" -c "$(CONFDIR)" \
	  -D execute=plan:$(SHARDS) $(SPHINXOPTS)

prune-cache: venv ## remove the execution cache's entries that no current example uses
	$(SPHINXBUILD) -b dummy "$(SOURCEDIR)" "$(BUILDDIR)/examples" -d "$(BUILDDIR)/doctrees-examples" -c "$(CONFDIR)" \
	  -D execute=prune $(SPHINXOPTS)

html-noplot: venv ## build the pages without running the examples (fast, no outputs)
	$(SPHINXBUILD) -M html "$(SOURCEDIR)" "$(BUILDDIR)" -c "$(CONFDIR)" $(STRICT) -D plot_gallery=0 $(SPHINXOPTS)

# Rebuilds when a page, an example, the extension or conf.py changes; only
# changed examples run again. The browser reloads itself.
PORT ?= 8000
livehtml: venv ## serve the site on http://127.0.0.1:8000 (PORT=...), rebuilding on change
	"$(VENV)/bin/sphinx-autobuild" "$(SOURCEDIR)" "$(BUILDDIR)/html" -d "$(BUILDDIR)/doctrees" -c "$(CONFDIR)" \
	  --host 127.0.0.1 --port $(PORT) $(SPHINXOPTS) \
	  $(addprefix --watch ,$(wildcard examples_*)) --watch conf.py \
	  --ignore '$(SOURCEDIR)/auto_examples/*' --ignore $(SOURCEDIR)/sg_execution_times.rst \
	  --re-ignore '__pycache__|\.egg-info|\.ipynb_checkpoints|\.(swp|tmp)$$|~$$'

# After a change to the English text: the gettext builder and Babel extract every
# message (pages, and the extension's own strings), sphinx-intl merges them into
# each language's catalogs. New and changed messages are then empty or fuzzy,
# and the translation build fails naming them until they are translated.
translations: venv ## update docs/locales/*/LC_MESSAGES/*.po from the English text
	rm -rf "$(BUILDDIR)/gettext" "$(BUILDDIR)/doctrees-gettext"
	$(SPHINXBUILD) -b gettext "$(SOURCEDIR)" "$(BUILDDIR)/gettext" -d "$(BUILDDIR)/doctrees-gettext" -c "$(CONFDIR)" $(STRICT) $(SPHINXOPTS)
	"$(VENV)/bin/pybabel" -q extract --no-location -o "$(BUILDDIR)/gettext/tutorial_site.pot" $(SOURCEDIR)/_ext/tutorial_site
	"$(VENV)/bin/sphinx-intl" update -p "$(BUILDDIR)/gettext" -d $(SOURCEDIR)/locales --no-obsolete -w 0 $(addprefix -l ,$(LANGUAGES))

inventories: venv ## download the API inventories that link code to API docs (needs a network)
	$(PY) tools/fetch_inventories.py

test: venv chromium axe-core ## set up .venv (and Chromium, axe-core) if needed, run every test
	$(PY) -m pytest $(PYTEST_ARGS)

# sphinx-gallery's own integration tests (test_full.py, test_full_noexec.py, from the
# installed package) on its tinybuild, stock and with the engine added to its extensions.
conformance: venv ## run sphinx-gallery's own test suite with and without the engine; print both counts
	$(PY) tools/conformance.py $(CONFORMANCE_ARGS)

test-fast: venv ## run the fast tests only (no site build, browser or notebooks)
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

# axe-core, the accessibility engine of the browser tests: package.json pins
# it, package-lock.json holds its checksum, and npm ci installs it into
# node_modules/ whenever the lock differs from the one last installed (the
# stamp). Debian's npm is installed first when npm is missing and this runs as root.
NPM_STAMP := node_modules/.installed-package-lock.json
axe-core:
	@cmp -s package-lock.json $(NPM_STAMP) || { \
	  if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's npm for axe-core, the accessibility engine of the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  fi; \
	  if command -v npm >/dev/null 2>&1; then \
	    npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json $(NPM_STAMP); \
	  else \
	    echo "npm is missing and cannot be installed here: install Node.js's npm" \
	         "(Debian: sudo apt-get install npm); the accessibility tests need axe-core from it."; \
	  fi; }

bench: venv ## time clean, no-op and one-example builds against the examples alone (BENCH_ARGS="--rounds 5")
	$(PY) benchmarks/build_speed.py $(BENCH_ARGS)

bench-output: venv ## time builds whose example prints 0 to 1,000,000 lines; page sizes (BENCH_ARGS="--lines 0 50000")
	$(PY) benchmarks/long_output.py $(BENCH_ARGS)

bench-tests: venv ## time make test (3 rounds) and list its slowest tests (BENCH_ARGS="--rounds 5")
	$(PY) benchmarks/suite_time.py $(BENCH_ARGS)

# The default execution cache is inside $(BUILDDIR), so it goes too: the next
# build runs every example. A cache elsewhere (EXECUTION_CACHE=DIR) stays.
clean: ## remove the built site and execution cache, everything sphinx-gallery generated, the compiled catalogs
	rm -rf "$(BUILDDIR)" "$(SOURCEDIR)/auto_examples" "$(SOURCEDIR)/sg_execution_times.rst"
	find "$(SOURCEDIR)/locales" -name "*.mo" -delete

# Any other Sphinx builder, as Sphinx's own Makefile does it: make linkcheck,
# make dirhtml, make latex, ... (SPHINXOPTS apply; -W only to make html).
%: Makefile venv
	$(SPHINXBUILD) -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" -c "$(CONFDIR)" $(SPHINXOPTS)
