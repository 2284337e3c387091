#!/usr/bin/env bash
# Usage: stop_imap.sh STATE_DIR [--keep]  -- stops the dovecot started by start_imap.sh (by PID), removes the dir
set -uo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib_proc.sh"
DIR="${1:?state dir}"
stop_pid "$(cat "$DIR/dovecot.pid" 2>/dev/null)" 10     # master stops all its children
[ "${2:-}" = "--keep" ] || rm -rf "$DIR"
