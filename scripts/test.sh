#!/usr/bin/env bash
# Every test of the project; `make test` runs it after setting up the environments
# and training the model. Output of browser tests and reports go to test-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-output

step() { printf '\n== %s\n' "$*"; }

step "lint: ruff and mypy"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

step "service tests on SQLite"
TEST_DB=sqlite .venv/bin/pytest tests

step "service tests on PostgreSQL"
TEST_DB=postgresql .venv/bin/pytest tests
