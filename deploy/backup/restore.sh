#!/bin/sh
# Restore a dump made by backup.sh into the (empty or old) database of DATABASE_URL,
# then bring the schema up to date. Stop the service processes first
# (systemctl stop aap.target); start them after. The env file must hold the keys the
# dump was made with (DATA_KEY, VAULT_KEY, PSEUDONYM_KEY), or its text cannot be read.
#   sh restore.sh /var/backups/aap/aap-20260101T023000Z.dump
set -eu
dump=${1:?usage: restore.sh FILE.dump}
: "${DATABASE_URL:?DATABASE_URL must be set (the env file)}"
pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$DATABASE_URL" "$dump"
cd "${AAP_HOME:-/opt/aap}"
"${PYTHON:-.venv/bin/python}" -m feedback_api migrate
echo "restored $dump; start the service: systemctl start aap.target"
