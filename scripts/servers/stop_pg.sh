#!/usr/bin/env bash
# Usage: stop_pg.sh STATE_DIR [--keep]  -- fast shutdown of the cluster started by start_pg.sh, removes the dir
set -uo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib_proc.sh"
DIR="${1:?state dir}"
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -f "$DIR/data/postmaster.pid" ]; then
  PID="$(head -1 "$DIR/data/postmaster.pid")"
  if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); else AS=(); fi
  # pg_ctl -w waits for postmaster.pid to disappear (not for the zombie to be reaped)
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || stop_pid "$PID" 10
  stop_pid "$PID" 5   # no-op if already gone
fi
[ "${2:-}" = "--keep" ] || rm -rf "$DIR"
