#!/usr/bin/env bash
# Conversation tests (bot/tests/stories) against the latest model in bot/models/.
# Fails on any failed story (--fail-on-prediction-errors); the reports go to
# bot/results/ (failed_test_stories.yml, story_report.json). Custom actions do
# not run here: the stories write out their slot events (tests/bot_actions
# tests the actions). Train first: scripts/train.sh.
set -euo pipefail
# Progress bars only on a terminal: in logs they are thousands of lines.
[ -t 1 ] || export TQDM_DISABLE=1
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/bot"
export PYTHONPATH="$root:$root/bot${PYTHONPATH:+:$PYTHONPATH}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
"$root/.venv-bot/bin/rasa" test core --model models --stories tests/stories \
  --fail-on-prediction-errors --out results "$@"
