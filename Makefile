# hitl: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
MANAGE := $(PY) manage.py

.PHONY: install install-system demo lint migrations-check manifests-check test test-fast test-postgres clean

install:  ## the Python virtualenv with every pinned dependency (idempotent)
	@scripts/install.sh

install-system:  ## also the Debian packages the tests use (PostgreSQL, Redis, Chromium)
	@scripts/install.sh --system

demo: install  ## run the product on its embedded default at http://127.0.0.1:8000
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	@$(MANAGE) runserver 127.0.0.1:8000 --noreload

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports  ## the layer contracts in pyproject.toml (docs/architecture.md)

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

manifests-check: install-system  ## render every Kubernetes overlay (deploy/kubernetes) and validate it offline
	@scripts/check_manifests.sh

test-fast: install  ## unit + protocol + portal tests on SQLite (the slow stories run in test-postgres)
	@scripts/test_suite.sh sqlite

test-postgres: install-system  ## the tests that use the database on PostgreSQL, then integration and browser tests
	@scripts/test_postgres.sh

test: install-system lint migrations-check manifests-check  ## everything CI runs: the four passes, two at a time, timed
	@scripts/test_suite.sh

clean:
	rm -rf var .venv

# --- Performance (bench/README.md). Results go to bench/results/ (git-ignored). ---
.PHONY: bench bench-quick bench-peer load

bench: install  ## benchmark suite on the production-shaped stack (QUICK=1 or `make bench-quick`: under 5 min)
	$(PY) -m bench.run $(if $(QUICK),--quick) $(BENCH_ARGS)

bench-quick: install  ## make bench in its quick mode (10k/100k loops)
	$(PY) -m bench.run --quick $(BENCH_ARGS)

bench-peer: install  ## Label Studio (gunicorn + PostgreSQL) and our bench in one session, with ratios
	$(PY) -m bench.peer $(if $(QUICK),--quick) $(BENCH_ARGS)

load: install  ## 50 reviewers + 8 API clients for a bounded time, then the invariant checker (INSTANCES=2: two web + two workers)
	$(PY) -m bench.load $(if $(INSTANCES),--instances $(INSTANCES)) $(if $(BEATS),--beats $(BEATS)) \
		$(if $(PGBOUNCER),--pgbouncer) $(LOAD_ARGS)
