# A newcomer needs two targets: `make demo` and `make test`. Both bootstrap .venv from the pinned set.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint format ui bench clean system

# The browser libraries the pages pingan writes need (GX Data Docs) are fetched here, once, from the npm
# registry, pinned by version and sha512 (base/web_packages.csv), into vendor/ (not in git): the pages
# then load nothing from the internet (base/web_assets.py, base/offline_pages.py).
# The pinned set is installed by uv (pinned too, in constraints.txt): this whole step takes ~15 s from a
# fresh clone, against ~45 s with pip, on every fresh `make test` and `make demo`. Where uv cannot be
# installed or cannot reach its index (it does not read pip's configuration), pip installs the same set.
# uv compiles the modules to bytecode here (~13 s on 2 cores; pip does so by default). Without it, every
# process compiles what it imports until a .pyc exists, and the suite starts many at once (pytest workers,
# dbt, Dagster, the portal): a fresh clone's `make test` took 710 s and 1,117 s of user CPU, against 607 s
# and 939 s with it (one pair of runs of the same commit, back to back).
$(STAMP): pyproject.toml constraints.txt base/web_packages.csv base/web_assets.csv
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	($(BIN)/python -m pip install --quiet -c constraints.txt uv \
		&& $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt \
			-e '.[dev]') \
	|| ($(BIN)/python -m pip install --quiet --upgrade pip \
		&& $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]')
	$(BIN)/python -m base.web_assets
	touch $(STAMP)

# What the tests drive besides Python: a browser (portal pages, offline docs), LibreOffice (bulletin and
# 公文 PDFs), poppler (measuring those PDFs) and CJK fonts (Chinese must render, not boxes; the arphic Kai
# face stands in for the 公文's 楷体, see exports/notice/fonts.py). Installed
# from Debian's packages when we are root with apt-get; otherwise say plainly what was skipped (the tests
# that need it then skip, naming it).
SYSTEM_PACKAGES := chromium fonts-arphic-ukai fonts-wqy-microhei libreoffice-calc libreoffice-writer \
	poppler-utils
system:
	@if command -v chromium >/dev/null && command -v soffice >/dev/null && command -v pdfinfo >/dev/null \
		&& fc-list 2>/dev/null | grep -qi microhei && fc-list 2>/dev/null | grep -qi "AR PL UKai"; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing the system packages the tests use: $(SYSTEM_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$(SYSTEM_PACKAGES) >/dev/null; \
	else \
		echo "NOTE: not root or no apt-get, so not installed: $(SYSTEM_PACKAGES)."; \
		echo "      Tests that need a browser, LibreOffice, pdfinfo or a CJK font will be skipped."; \
	fi

demo: $(STAMP)
	$(BIN)/pingan demo

# Two test processes side by side (pytest-xdist): a fresh clone's suite stays within minutes on 2 cores.
# Each file's tests run in one process (--dist loadfile), so a file's module-wide home (the demo's) is
# built once; the session's shared homes are built once, by the first process that needs them
# (tests/shared_folders.py). (--dist loadgroup would group by marker, but pytest-xdist 3.8 cannot
# rename pytest 9.2's node ids, so it groups nothing.)
# Files are handed out in collection order, end-to-end files first (tests/conftest.py), not xdist's
# default of the files with the most tests first, which left a minute-long file running alone at the end.
# The slowest tests are listed at the end.
# The tests' temporary homes go to memory where the machine has a tmpfs (/dev/shm): Dagster stores each
# of a run's ~750 events with several SQLite commits, and on disk every commit waits for an fsync.
# Only the folders of failed tests are kept (pyproject.toml, tmp_path_retention_policy).
TEST_TMPDIR := $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo $${TMPDIR:-/tmp})
test: $(STAMP) system
	TMPDIR=$(TEST_TMPDIR) $(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=15

test-fast: $(STAMP)
	TMPDIR=$(TEST_TMPDIR) $(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

ui: $(STAMP)
	$(BIN)/pingan ui

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) pingan-home
