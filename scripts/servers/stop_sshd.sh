#!/usr/bin/env bash
# Usage: stop_sshd.sh STATE_DIR [--keep]  -- stops the server started by start_sshd.sh, removes the dir
set -uo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib_proc.sh"
DIR="${1:?state dir}"
for file in "$DIR/sshd.main.pid" "$DIR/sshd.pid"; do
  [ -f "$file" ] && stop_pid "$(head -1 "$file")" 5
done
[ "${2:-}" = "--keep" ] || rm -rf "$DIR"
