#!/usr/bin/env bash
# Evaluate the latest model in bot/models/ on the held-out NLU test split
# (bot/tests/nlu/<variety>.yml). Prints intent accuracy and macro-F1 overall and
# per variety, writes bot/results/nlu_eval.json, and fails when a variety is
# under NLU_THRESHOLD (issue 12's target, 0.95, unless set lower).
# Then the disclosure triage on its held-out set (bot/triage/test): recall and
# precision per category and variety, bot/results/triage_eval.json; fails under
# TRIAGE_RECALL / TRIAGE_PRECISION (the issue's targets unless set lower).
set -euo pipefail
# Progress bars only on a terminal: in logs they are thousands of lines.
[ -t 1 ] || export TQDM_DISABLE=1
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/bot"
export PYTHONPATH="$root:$root/bot${PYTHONPATH:+:$PYTHONPATH}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
status=0
"$root/.venv-bot/bin/python" -m eval.evaluate \
  --models models --tests tests/nlu --out results --threshold "${NLU_THRESHOLD:-0.95}" "$@" \
  || status=$?
echo
cd "$root"
.venv/bin/python -m feedback_api.safeguarding.evaluate --out bot/results/triage_eval.json \
  --recall "${TRIAGE_RECALL:-0.95}" --precision "${TRIAGE_PRECISION:-0.90}" || status=$?
exit "$status"
