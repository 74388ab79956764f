# ldnref: `make run` serves the site locally, `make test` runs the tests. See README.md.

PYTHON ?= python3.11
PORT ?= 8000
SEEDS ?= ../shared/seeds
BIN := .venv/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint typecheck check verify-quotes check-content db reset-content dump-content lock clean screenshots

# Local use needs no SECRET_KEY: DEBUG=1 unless the environment says otherwise.
run check typecheck verify-quotes check-content db reset-content dump-content: export DEBUG ?= 1

run: db
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: .venv/installed
	.ci/install-chromium
	$(BIN)/pytest

# Full-page PNGs of the psoriasis pages at 1280 and 375 px into docs/screenshots/.
# tests/screenshots.py is not named test_*.py, so plain `make test` never runs it.
screenshots: .venv/installed
	.ci/install-chromium
	$(BIN)/pytest tests/screenshots.py

lint: .venv/installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy (the django-stubs plugin imports ldnref.settings) and the import contracts, both
# configured in pyproject.toml. Both run, so one report shows every failure.
typecheck: .venv/installed
	status=0; \
	$(BIN)/mypy || status=1; \
	$(BIN)/lint-imports --no-logo || status=1; \
	exit $$status

check: .venv/installed
	$(MANAGE) makemigrations --check --dry-run

verify-quotes: db
	$(MANAGE) verify_quotes $(SEEDS)

# Every editorial rule check_content knows (conditions/content_checks.py); non-zero on a problem.
check-content: db
	$(MANAGE) check_content --seeds $(SEEDS)

# Migrate, then load fixtures/ only into a database with no content yet: after the first
# run the database is the source of truth, and editors' admin edits stay.
db: .venv/installed
	$(MANAGE) migrate --no-input
	$(MANAGE) load_content --if-empty

# Replace all content with fixtures/, in one transaction (a failed load changes nothing).
reset-content: .venv/installed
	@if [ "$(YES)" != 1 ]; then \
		printf 'This replaces the content in the database with fixtures/. Type yes to continue: '; \
		read answer; \
		if [ "$$answer" != yes ]; then echo "Nothing changed."; exit 1; fi; \
	fi
	$(MANAGE) migrate --no-input
	$(MANAGE) load_content --replace

# Write the database's content as fixture files into DIR, to diff against fixtures/.
dump-content: .venv/installed
	@if [ -z "$(DIR)" ]; then echo "Usage: make dump-content DIR=/tmp/content"; exit 2; fi
	$(MANAGE) dump_content "$(DIR)"

# Reinstalled only when requirements.lock changes.
.venv/installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv .venv
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

# In-process CPU per page (DEBUG=0, test client, throwaway SQLite); see bench/README.md.
# Phony: bench/ is also a directory. Options through BENCH_ARGS, e.g. BENCH_ARGS="--json b.json".
.PHONY: bench
bench: .venv/installed
	$(BIN)/python bench/page_cpu.py $(BENCH_ARGS)

lock:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && "$$tmp/bin/pip" install --quiet uv && \
	"$$tmp/bin/uv" pip compile --quiet pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes -o requirements.lock

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
