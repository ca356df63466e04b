#!/bin/sh
# A dump of the service's database: cases, contacts and their vault, users, the audit
# trail, the gateway's queues. Free text and addresses are in it encrypted (DATA_KEY,
# VAULT_KEY); the keys are NOT in it and must be kept elsewhere (docs/deploy.md).
# Rasa's tracker database is left out on purpose: it holds conversations in clear, and
# losing it only restarts conversations.
#   BACKUP_DIR=/var/backups/aap KEEP_DAYS=14 sh backup.sh    (DATABASE_URL from the env file)
set -eu
: "${DATABASE_URL:?DATABASE_URL must be set (the env file)}"
dir=${BACKUP_DIR:-/var/backups/aap}
keep=${KEEP_DAYS:-14}
umask 077
mkdir -p "$dir"
file="$dir/aap-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file="$file.partial" "$DATABASE_URL"
mv "$file.partial" "$file"
# A dump that does not list is no backup.
pg_restore --list "$file" >/dev/null
find "$dir" -name 'aap-*.dump' -mtime +"$keep" -delete
echo "backup: $file ($(du -h "$file" | cut -f1))"
