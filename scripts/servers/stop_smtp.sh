#!/usr/bin/env bash
# Usage: stop_smtp.sh IMAP_STATE_DIR
set -uo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib_proc.sh"
DIR="${1:?imap state dir}"
stop_pid "$(cat "$DIR/smtp.pid" 2>/dev/null)" 5; rm -f "$DIR/smtp.pid"
