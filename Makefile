# Two commands matter: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The local Stripe sandbox `make run` starts when no Stripe key is set (stripe_sandbox/, 127.0.0.1 only).
STRIPE_SANDBOX_PORT ?= 12111
# The address a browser on this machine uses for the server (a server on every interface is on 127.0.0.1 too).
LOCAL_HOST := $(if $(filter 0.0.0.0 :: [::],$(HOST)),127.0.0.1,$(HOST))

.PHONY: run test lint format install install-dev migrate seed serve worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# `make run` serves the development settings on SQLite unless you export DEBUG or DATABASE_URL yourself.
run: export DEBUG ?= true
# Without STRIPE_SECRET_KEY (in the environment or .env), the local Stripe sandbox starts first, with keys
# made up for this run in the environment of all three processes: checkout opens its payment page, whose test
# cards send signed webhooks to this server. The background worker (emails, Stripe sync, access) runs beside
# the server. Both stop with it (only they: the trap names their pids, so a script that runs `make run` is
# not signalled).
run: install seed
	@worker=; sandbox=; trap 'kill $$worker $$sandbox 2>/dev/null' EXIT INT TERM; \
	if [ -z "$$($(BIN)/python -c 'import config.settings as s; print(s.STRIPE_SECRET_KEY and "set")')" ]; then \
		export STRIPE_SECRET_KEY=sk_test_local_sandbox STRIPE_PUBLISHABLE_KEY=pk_test_local_sandbox \
			STRIPE_WEBHOOK_SECRET=whsec_local_sandbox_$$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') \
			STRIPE_API_BASE=http://127.0.0.1:$(STRIPE_SANDBOX_PORT) SITE_URL=http://$(LOCAL_HOST):$(PORT); \
		echo "No STRIPE_SECRET_KEY: checkout uses the local Stripe sandbox at $$STRIPE_API_BASE"; \
		$(BIN)/python -m stripe_sandbox --port $(STRIPE_SANDBOX_PORT) \
			--webhook-url http://$(LOCAL_HOST):$(PORT)/stripe/webhook/ & sandbox=$$!; \
	fi; \
	$(BIN)/python manage.py db_worker --interval 1 --no-reload & worker=$$!; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# One background worker alone (production runs N of them: docs/operations.md "Supervision").
worker: export DEBUG ?= true
worker: install
	$(BIN)/python manage.py db_worker --interval 1 --no-reload

migrate: export DEBUG ?= true
migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: export DEBUG ?= true
# What production needs (catalogue, FAQ, site pages), then sample kit files: those only for trying the shop here.
seed: migrate
	$(BIN)/python manage.py seed_production
	$(BIN)/python manage.py load_samples

test: install-dev
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `make serve`: the production settings (DEBUG off) behind gunicorn on $(HOST):$(PORT), for trying them
# locally. The defaults below are for this machine only; production sets its own (docs/operations.md
# "Serving in production"). Plain http here, so the https redirect and the cookies' Secure flag are off; the file
# cache lets every gunicorn worker see the same cached pages and invalidations. The background worker runs under
# scripts/keep_running.sh, which starts it again whenever it exits (production: deploy/, systemd).
serve: export DEBUG = false
serve: export SECRET_KEY ?= make-serve-local-only-key-never-use-in-production-$(notdir $(CURDIR))
serve: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export SECURE_SSL_REDIRECT ?= false
serve: export SECURE_COOKIES ?= false
serve: export CACHE_URL ?= filecache://$(CURDIR)/.cache/serve
serve: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_production
	scripts/keep_running.sh $(BIN)/python manage.py db_worker --interval 1 --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config config/gunicorn.conf.py --bind $(HOST):$(PORT) config.wsgi
