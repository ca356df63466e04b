#!/bin/sh
# Write a new environment file from the template, with every secret generated.
#   sh deploy/env/make-env.sh /etc/aap/aap.env
# Refuses to overwrite: the keys in an existing file decrypt the database.
set -eu
target=${1:?usage: make-env.sh /etc/aap/aap.env}
[ -e "$target" ] && { echo "$target exists: keep it (its keys decrypt the database)" >&2; exit 1; }
here=$(dirname "$0")
python=${PYTHON:-/opt/aap/.venv/bin/python}
umask 077
"$python" - "$here/aap.env.example" "$target" <<'PY'
import secrets, sys
from cryptography.fernet import Fernet

FERNET = {"DATA_KEY", "VAULT_KEY", "ACTIONS_SPOOL_KEY"}
TOKENS = {"SECRET_KEY", "PSEUDONYM_KEY", "SERVICE_TOKEN", "RASA_API_TOKEN",
          "ACTION_SERVER_TOKEN", "METRICS_TOKEN"}
lines = []
for line in open(sys.argv[1]).read().splitlines():
    name = line[:-1]
    if line.endswith("=") and name in FERNET:
        line += Fernet.generate_key().decode()
    elif line.endswith("=") and name in TOKENS:
        line += secrets.token_urlsafe(32)
    lines.append(line)
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
echo "wrote $target: set PUBLIC_BASE_URL, the database and Redis passwords, the channels"
