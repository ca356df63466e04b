#!/usr/bin/env bash
# Every test of the project. `make test` runs it after setting up both
# environments and training the model. Screenshots and reports go to test-output/.
set -euo pipefail
# Progress bars only on a terminal: in logs they are thousands of lines.
[ -t 1 ] || export TQDM_DISABLE=1
cd "$(dirname "$0")/.."
mkdir -p test-output
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2

step() { printf '\n== %s\n' "$*"; }
BOT_TESTS=(--ignore=tests/bot_actions --ignore=tests/bot_nlu)

step "lint: ruff and mypy"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

step "browser: Debian's Chromium"
scripts/ensure-chromium.sh

step "service tests on SQLite (with browser tests)"
TEST_DB=sqlite .venv/bin/pytest tests "${BOT_TESTS[@]}" --ignore=tests/e2e -p no:warnings

step "service tests on PostgreSQL"
TEST_DB=postgresql .venv/bin/pytest tests "${BOT_TESTS[@]}" --ignore=tests/e2e \
  --ignore=tests/browser -p no:warnings

step "bot: rasa data validate"
(cd bot && PYTHONPATH="$PWD/..:$PWD" ../.venv-bot/bin/rasa data validate --fail-on-warnings \
  --domain domain --data data/nlu data/dialogue)

step "bot: NLU components and actions (the actions against the real API)"
.venv-bot/bin/python -m pytest tests/bot_nlu
.venv-bot/bin/python -m pytest tests/bot_actions

step "bot: conversation tests"
scripts/test-stories.sh

step "NLU and disclosure triage evaluation on their held-out sets"
# Floors that catch a regression, a few points under what the current model measures
# (2026-12-02, second session: Dari 0.90, Latin script 0.90, noisy 0.91, Farsi 0.95 intent
# accuracy); `make eval` reports against the issues' targets (0.95).
NLU_THRESHOLD=0.85 TRIAGE_RECALL=0.85 TRIAGE_PRECISION=0.85 scripts/eval.sh

step "end to end: service, action server, Rasa, Telegram and Twilio stubs"
RUN_E2E=1 .venv/bin/pytest tests/e2e -p no:warnings
