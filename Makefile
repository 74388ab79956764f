# ldnref: `make run` serves the site locally, `make test` runs the tests. See README.md.

PYTHON ?= python3.11
PORT ?= 8000
SEEDS ?= ../shared/seeds
BIN := .venv/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run serve test test-fast lint typecheck check verify-quotes check-content db reset-content dump-content backup restore lock clean screenshots

# Local use needs no SECRET_KEY: DEBUG=1 unless the environment says otherwise.
run check typecheck verify-quotes check-content db reset-content dump-content backup restore staticfiles/staticfiles.json: export DEBUG ?= 1

run: db
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# The production configuration on this machine: gunicorn (ldnref/gunicorn.conf.py) with
# DEBUG=0, static files hashed and compressed by collectstatic and served by WhiteNoise.
# SECRET_KEY comes from the environment, else from .secret_key (made once, never committed).
# SECURE_COOKIES=0, SECURE_SSL_REDIRECT=0 and HSTS_SECONDS=0 because this serves plain HTTP
# on localhost (production defaults: all on).
serve: db .secret_key
	DEBUG=0 SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1}" SECURE_COOKIES="$${SECURE_COOKIES:-0}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" HSTS_SECONDS="$${HSTS_SECONDS:-0}" \
	PORT=$(PORT) $(BIN)/gunicorn -c ldnref/gunicorn.conf.py

.secret_key: .venv/installed
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# The whole suite, on every core (pytest-xdist; JOBS=1 for one process). An idle worker takes
# tests from a busy one (--dist worksteal): with whole files per worker, the last slow file
# kept one core idle for a minute.
JOBS ?= auto
test: .venv/installed
	.ci/install-chromium
	.ci/install-axe
	$(BIN)/pytest -n $(JOBS) --dist worksteal

# The everyday loop, under a minute: no browser, no PostgreSQL, no Redis, no second process.
FAST := not browser and not axe and not postgres and not redis and not process
test-fast: .venv/installed
	$(BIN)/pytest -n $(JOBS) --dist worksteal -m "$(FAST)"

# Full-page PNGs of the psoriasis pages at 1280 and 375 px, and their first screens at
# 1366x768 and 390x844, into docs/screenshots/.
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
db: .venv/installed staticfiles/staticfiles.json
	$(MANAGE) migrate --no-input
	$(MANAGE) load_content --if-empty

# Hashed, gzipped copies of static/ and the admin's files, for DEBUG=0; rebuilt only when a
# file in static/ or the installed packages change.
staticfiles/staticfiles.json: .venv/installed $(shell find static -type f)
	$(MANAGE) collectstatic --no-input --clear --verbosity 0

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

# The whole site (content, changes, history, accounts) into one JSON file: FILE, or else
# backups/ldnref-<date>-<time>.json. It holds password hashes: keep it private.
backup: .venv/installed
	$(MANAGE) backup $(FILE)

# Restore FILE into the database (migrated first), in one transaction. Refuses a database
# holding content or accounts; REPLACE=1 replaces them after backing them up beside FILE.
restore: .venv/installed
	@if [ -z "$(FILE)" ]; then echo "Usage: make restore FILE=backups/ldnref-….json [REPLACE=1]"; exit 2; fi
	$(MANAGE) migrate --no-input
	$(MANAGE) restore "$(FILE)" $(if $(filter 1,$(REPLACE)),--replace)

# Reinstalled only when requirements.lock changes.
.venv/installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv .venv
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

# One table: instructions per request (callgrind) and requests/s, p50, p99 (wrk, gunicorn)
# per row, builds and reads, against one floor (bench/run.py, bench/README.md; installs wrk,
# nginx-light, redis-server and valgrind as root). Options through BENCH_ARGS, e.g.
# BENCH_ARGS="--duration 3 --postgres". Under 5 minutes.
# Phony: bench/ is also a directory.
.PHONY: bench bench-cpu
bench: .venv/installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# RSS and PSS of each gunicorn worker after 1,000 mixed requests (bench/memory.py).
.PHONY: bench-memory
bench-memory: .venv/installed
	$(BIN)/python bench/memory.py $(BENCH_ARGS)

# In-process CPU per page (DEBUG=0, test client, throwaway SQLite); see bench/README.md.
bench-cpu: .venv/installed
	$(BIN)/python bench/page_cpu.py $(BENCH_ARGS)

lock:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && "$$tmp/bin/pip" install --quiet uv && \
	"$$tmp/bin/uv" pip compile --quiet pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes -o requirements.lock

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
