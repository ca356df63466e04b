# Two commands for people: `make run` (the whole system) and `make test` (every test).
# Both create what they need on a fresh machine, idempotently.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

# pyenv shims exist for versions that are not selected, so look for real interpreters.
PY311 ?= $(shell command -v python3)
PY310 ?= $(shell for p in /usr/bin/python3.10 /usr/local/bin/python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10; do test -x $$p && echo $$p; done | tail -n 1)
VENV := .venv
BOTVENV := .venv-bot
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# This machine's pip configuration names local indexes that may be absent: drop that noise.
QUIET_PIP := { grep -v "is ignored: it is neither a file nor a directory" || true; }

help:
	@echo "make run    - run the system (service, Rasa, action server) on SQLite"
	@echo "make test   - run every test (service on SQLite and PostgreSQL, bot, end to end, browser)"
	@echo "make train  - train the Rasa model (skipped when bot/ is unchanged)"
	@echo "make eval   - evaluate the NLU model and the disclosure triage on their held-out sets"
	@echo "make lint   - ruff and mypy"

$(VENV)/.installed: requirements/service.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PY311) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements/service.lock 2>&1 | $(QUIET_PIP)
	$(VENV)/bin/pip install -q --no-deps --no-build-isolation -e . 2>&1 | $(QUIET_PIP)
	touch $@

$(BOTVENV)/.installed: requirements/bot.lock
	@test -n "$(PY310)" || { echo "Python 3.10 is needed for Rasa 3.6 (pyenv install 3.10)"; exit 1; }
	test -x $(BOTVENV)/bin/python || $(PY310) -m venv $(BOTVENV)
	$(BOTVENV)/bin/pip install -q -r requirements/bot.lock 2>&1 | $(QUIET_PIP)
	touch $@

service-env: $(VENV)/.installed
bot-env: $(BOTVENV)/.installed
envs: service-env bot-env

train: bot-env
	scripts/train.sh

# The disclosure triage's model, kept in var/triage (retrained when its data or code change).
triage: service-env
	$(VENV)/bin/python -m feedback_api.safeguarding.triage

eval: service-env train
	scripts/eval.sh

lint: service-env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

run: envs train triage
	$(VENV)/bin/python -m feedback_api run

test: envs train triage
	scripts/test.sh

.PHONY: help service-env bot-env envs train triage eval lint run test
