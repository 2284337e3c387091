#!/usr/bin/env bash
# Start the real servers the tests talk to (PostgreSQL, Dovecot IMAP, an SMTP sink) on
# loopback in a temporary folder, run the whole suite, stop the servers (by PID), and
# remove the folder. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
SERVERS="$ROOT/scripts/servers"
cd "$ROOT"

# The servers run as unprivileged users (postgres, nobody), who must reach the state
# folder: keep it in the repository unless a parent folder is closed to them.
mkdir -p "$ROOT/.tmp"
if runuser -u nobody -- test -x "$ROOT/.tmp" 2>/dev/null || [ "$(id -u)" != 0 ]; then
  STATE="$(mktemp -d "$ROOT/.tmp/servers.XXXXXX")"
else
  STATE="$(mktemp -d /tmp/o2c-servers.XXXXXX)"
fi
chmod 755 "$STATE"

cleanup() {
  "$SERVERS/stop_sshd.sh" "$STATE/sshd" >/dev/null 2>&1 || true
  "$SERVERS/stop_smtp.sh" "$STATE/imap" >/dev/null 2>&1 || true
  "$SERVERS/stop_imap.sh" "$STATE/imap" >/dev/null 2>&1 || true
  "$SERVERS/stop_pg.sh" "$STATE/pg" >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT

export PG_PORT IMAP_PORT SMTP_PORT SSHD_PORT
PG_PORT="$("$PY" scripts/free_port.py 55433)"
eval "$("$SERVERS/start_pg.sh" "$STATE/pg")"
IMAP_PORT="$("$PY" scripts/free_port.py 11143)"
eval "$("$SERVERS/start_imap.sh" "$STATE/imap")"
SMTP_PORT="$("$PY" scripts/free_port.py 11025)"
eval "$(PYTHON="$PY" "$SERVERS/start_smtp.sh" "$STATE/imap")"
SSHD_PORT="$("$PY" scripts/free_port.py 12222)"
eval "$("$SERVERS/start_sshd.sh" "$STATE/sshd")"

export O2C_TEST_PG_URL="$DATABASE_URL"
export O2C_TEST_IMAP_PORT="$IMAP_PORT" O2C_TEST_IMAP_DIR="$STATE/imap"
export O2C_TEST_SMTP_PORT="$SMTP_PORT"
export O2C_TEST_SSHD_PORT="$SSHD_PORT" O2C_TEST_SSHD_USER="$SSHD_USER"
export O2C_TEST_SSHD_KEY="$SSHD_KEY" O2C_TEST_SSHD_KNOWN_HOSTS="$SSHD_KNOWN_HOSTS"
export O2C_TEST_SERVERS_STARTED=1
echo "servers: postgresql :$PG_PORT, imap :$IMAP_PORT, smtp :$SMTP_PORT, sftp :$SSHD_PORT" \
  "(state in $STATE)"

status=0
"$PY" -m pytest -q -p no:cacheprovider "$@" || status=$?
# pytest's 5 means no test ran: that is a failure of the suite, not a success.
exit "$status"
