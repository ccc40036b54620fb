# Two commands on a fresh machine (Python 3.11, pip, make, git):
#   make        install the locked environment into .venv, run every stale notebook, build the site
#   make test   the whole suite: helpers, data, nbval over every notebook, parameterised runs
# `make help` lists the rest.

VENV := .venv
# The Python that builds .venv (`make PYTHON=python3.13`), found before .venv/bin is put first
# on PATH below. The stamp names it, so a .venv built by another Python is rebuilt.
PYTHON ?= python3
HOST_PYTHON := $(shell command -v '$(PYTHON)' 2>/dev/null)
# empty when PYTHON is not a Python (a missing file, /bin/true): the check below refuses it
HOST_VERSION := $(if $(HOST_PYTHON),$(shell '$(HOST_PYTHON)' -c 'import sys; print(sys.version.split()[0])' 2>/dev/null))
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell (cat requirements.txt pyproject.toml; echo $(HOST_PYTHON) $(HOST_VERSION)) 2>/dev/null | sha256sum | cut -c1-12)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# seconds a notebook cell may run before the run stops and names the notebook and cell
TIMEOUT ?= 300
export PYTHONHASHSEED := 0
# Some shells set PYTHONDONTWRITEBYTECODE; then every kernel recompiles pandas and seaborn from
# source (measured here: 4 s instead of 1.3 s per kernel). Let Python cache bytecode in .venv.
unexport PYTHONDONTWRITEBYTECODE
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: all run test site student grade pdf screenshot lab bench sweep sensitivity report lint format lock clean help

all: run site ## install, run every stale notebook, build the site

$(STAMP): requirements.txt pyproject.toml
	@# checked before .venv is touched; quoted so that an empty variable cannot start the
	@# line with '-' (which would make make ignore the check's failure)
	@[ -n '$(HOST_VERSION)' ] && '$(HOST_PYTHON)' -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "make: PYTHON=$(PYTHON) is $(or $(HOST_VERSION),not a Python); this project needs Python 3.11 or newer (for example make PYTHON=python3.12)."; exit 1; }
	@if [ -x $(PY) ] && [ "$$($(PY) -c 'import sys; print(sys.version.split()[0])')" != "$(HOST_VERSION)" ]; then \
	  echo "make: .venv was built by another Python; rebuilding it with $(PYTHON) $(HOST_VERSION)"; rm -rf $(VENV); fi
	@rm -f $(VENV)/.installed-*
	@# no pip inside the venv: the system pip bootstraps uv into it, uv installs the lock in
	@# about a second; if uv cannot be had, pip installs the same lock
	@test -x $(PY) || '$(HOST_PYTHON)' -m venv --without-pip $(VENV)
	@if '$(HOST_PYTHON)' -m pip --python $(PY) install --quiet --disable-pip-version-check \
	      --no-deps "$$(grep '^uv==' requirements.txt)" 2>/dev/null \
	    && $(VENV)/bin/uv pip sync --quiet --python $(PY) requirements.txt \
	    && $(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps --no-build-isolation -e . ; then :; \
	  else echo "uv unavailable: installing with pip"; \
	    $(PY) -m ensurepip --upgrade >/dev/null \
	    && $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>$(VENV)/pip.log \
	    && $(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . 2>>$(VENV)/pip.log \
	    || { echo "make: could not install the locked packages (pip's words are in $(VENV)/pip.log): no package index answered? Connect to the network (or set PIP_INDEX_URL to a mirror) and run make again."; exit 1; }; fi
	@touch $@

run: $(STAMP) ## run the notebooks that changed (in parallel, in place, atomically)
	@$(PY) -m tools.run --jobs $(JOBS) --timeout '$(TIMEOUT)'

site: $(STAMP) run ## build the static site under build/site/
	@$(PY) -m tools.site --if-stale

ROSTER ?=
student: $(STAMP) run ## student edition (build/student/), key and instructor pages (build/instructor/); ROSTER=roster.csv: an edition per student
	@$(PY) -m tools.student $(if $(ROSTER),build --roster '$(ROSTER)')

SUBMISSIONS ?= submissions
grade: $(STAMP) ## re-run and score returned notebooks (SUBMISSIONS/<id>/<notebook>.ipynb; TIMEOUT s a cell)
	@$(PY) -m tools.student grade '$(SUBMISSIONS)' --timeout '$(TIMEOUT)'

pdf: $(STAMP) run ## the print edition, build/compendium.pdf, and a PDF per notebook in build/pdf/ (Chromium)
	@$(PY) -m tools.site --if-stale --pdf build/compendium.pdf

screenshot: $(STAMP) run ## rebuild the site and save its landing page for the README
	@$(PY) -m tools.site --if-stale --screenshot tests/screenshots/site-landing.png

# The copyrighted article is never committed; where a copy sits beside the clone (as in CI and
# the team's checkouts), the whole-article coverage tests use it instead of skipping.
ARTICLE_TEXT ?= $(abspath $(wildcard ../shared/source/000_3d44bc30ab42215e.txt))
test: export ARTICLE_TEXT := $(ARTICLE_TEXT)
test: $(STAMP) ## the whole suite, in parallel (one kernel per notebook)
	@$(PY) -m pytest -n $(JOBS) --dist loadscope -q -ra \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  tests notebooks

lab: $(STAMP) ## open JupyterLab in the project environment
	@$(VENV)/bin/jupyter lab --notebook-dir=notebooks

bench: $(STAMP) ## benchmark: full run vs import floor vs papermill CLI loop
	@$(PY) -m tools.bench

NB ?= 01_introduction
GRID ?= notebooks/sweeps/$(notdir $(basename $(NB))).yaml
sweep: $(STAMP) ## run NB over a parameter GRID (yaml) into build/runs/ (default grid per notebook)
	@$(PY) -m tools.sweep $(NB) $(GRID)

sensitivity: $(STAMP) run ## where verdicts flip along tolerance and hedge band: data/derived/sensitivity.csv (2 min of CPU)
	@$(PY) -m tools.sensitivity
	@# the audit report shows the table: rerun it (the fingerprint leaves data/derived out)
	@$(PY) -m tools.run --force 00_audit_report

report: $(STAMP) run ## the referee's report, build/report.pdf (at most 4 pages; printed by Chromium)
	@$(PY) -m tools.report

lint: $(STAMP) ## ruff lint and format check
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(STAMP) ## ruff format
	@$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

lock: ## recompile the lock (requirements.txt) from requirements.in; check it on 3.12 and 3.13
	@$(PY) -m uv pip compile requirements.in --universal --python-version 3.11 --no-header -q -o requirements.txt
	@for v in 3.12 3.13; do $(PY) -m uv pip compile requirements.in --python-version $$v \
	  -c requirements.txt --no-header -q -o /dev/null || exit 1; echo "lock resolves on Python $$v"; done

clean: ## remove build outputs (keeps .venv and committed notebooks)
	rm -rf build

help: ## this list
	@grep -E '^[a-z]+:.*## ' Makefile | sed 's/:.*## /\t/'
