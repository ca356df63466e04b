#!/usr/bin/env bash
# Train the Rasa model into bot/models/ (keeps only the newest model).
#
# Skips training when nothing under bot/ that makes the model changed since
# the last training: Rasa 3 packs a new 38 MB model on every run even when it
# restores all components from its cache. Rasa's cache keys on config and
# data, not on our components' code, so a change to bot/nlu_components or
# persian_text forces a full retraining.
# bot/data/knowledge/ holds answers read at run time, so it is not passed as data.
# Extra arguments go to `rasa train` (and always train).
set -euo pipefail
# Progress bars only on a terminal: in logs they are thousands of lines.
[ -t 1 ] || export TQDM_DISABLE=1
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/bot"
export PYTHONPATH="$root:$root/bot${PYTHONPATH:+:$PYTHONPATH}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
# TensorFlow's pooling allocator: with the default one, every batch maps DIET's large
# gradient buffers afresh and faults each page in (350,000 page faults a second on a
# 2-core VM, two thirds of the time in the kernel); an epoch went from ~70 s to ~42 s.
export TF_CPU_ALLOCATOR_USE_BFC=true

digest() {
  find "$@" -type f \( -name '*.yml' -o -name '*.py' -o -name '*.csv' \) -print0 \
    | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
inputs="$(digest config.yml domain data/nlu data/dialogue nlu_components ../persian_text)"
code="$(digest nlu_components ../persian_text)"
latest="$(ls -t models/*.tar.gz 2>/dev/null | head -n 1 || true)"

if [[ $# -eq 0 && -n "$latest" && -f models/.inputs && "$(cat models/.inputs)" == "$inputs" ]]; then
  echo "bot/ unchanged since the last training: using $latest"
  exit 0
fi

force=()
if [[ ! -f models/.code || "$(cat models/.code)" != "$code" ]]; then
  force=(--force)
fi
"$root/.venv-bot/bin/rasa" train --config config.yml --domain domain \
  --data data/nlu data/dialogue --out models "${force[@]}" "$@"

ls -t models/*.tar.gz | tail -n +2 | xargs -r rm --
echo "$inputs" >models/.inputs
echo "$code" >models/.code
