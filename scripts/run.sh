#!/usr/bin/env bash
# Run the hub on the embedded default: SQLite in var/, demo master data and documents,
# the scheduler (drop folders, robots) and the workbench on http://127.0.0.1:8000.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
O2C="$ROOT/.venv/bin/o2c"
PY="$ROOT/.venv/bin/python"
HOST="${O2C_HOST:-127.0.0.1}" PORT="${O2C_PORT:-8000}"
mkdir -p var/inbox var/edi var/mail var/fax var/statements var/outbox

echo "o2c: preparing the demo (master data, documents of every channel, bank statements)"
"$PY" -m demo.generate var/demo >/dev/null
"$O2C" masterdata load var/demo/masterdata
for user in admin adv finance sales1 it; do
  role="${user%1}"
  echo demo | "$O2C" users add "$user" --role "$role" >/dev/null 2>&1 || true
done

# A stand-in for a customer's procurement portal, on loopback; PO 3 is unreadable.
"$PY" -m tests.web.portal_app --port 8765 --orders 6 --bad 3 &
PORTAL=$!
export O2C_DEMO_PORTAL_PASSWORD='Tr0ub4dor&3'

"$O2C" scheduler &
SCHEDULER=$!
"$O2C" serve --host "$HOST" --port "$PORT" &
SERVER=$!
stop() { kill $SERVER $SCHEDULER $PORTAL 2>/dev/null; wait $SERVER $SCHEDULER $PORTAL 2>/dev/null; }
trap stop EXIT
trap 'exit 130' INT TERM

# The documents arrive through the channels' folders, as a fax server, a mail gateway or
# an EDI partner would drop them; the scheduler picks them up within seconds.
for channel in inbox edi mail fax statements; do
  cp -n var/demo/"$channel"/* var/"$channel"/ 2>/dev/null || true
done
(
  # A web shop posts its orders to the order API once the server answers.
  key="$("$O2C" apikey create demo-shop 2>/dev/null | tail -1)"
  for _ in $(seq 1 60); do
    curl -fs "http://$HOST:$PORT/api/v1/openapi.json" >/dev/null 2>&1 && break; sleep 1
  done
  for order in var/demo/api/*.json; do
    curl -s -o /dev/null -w "api: $(basename "$order") -> %{http_code}\n" \
      -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
      --data-binary @"$order" "http://$HOST:$PORT/api/v1/orders" || true
  done
) &

echo "o2c: workbench on http://$HOST:$PORT (users admin, adv, finance, sales1, it; password demo)"
wait $SERVER
