#!/usr/bin/env bash
# Which ASGI server should `djemaa serve` use? Serves the demo forum with uvicorn and with granian,
# 2 workers each (this machine has 2 cores), one after the other in one run, and loads the same
# pages with wrk from 127.0.0.1. Usage: bench/asgi_servers.sh  (DURATION=10s CONNS=16 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DURATION=${DURATION:-10s}
CONNS=${CONNS:-16}
ROUNDS=${ROUNDS:-3}
PORT=8190
export DJEMAA_DATA_DIR=${DJEMAA_DATA_DIR:-/tmp/djemaa-bench-asgi}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
$BIN/python -c "import granian" 2>/dev/null || $BIN/python -m pip install -q granian
$BIN/djemaa demo --no-serve >/dev/null
$BIN/djemaa collectstatic --noinput -v 0
THREAD=$($BIN/djemaa shell -v 0 -c "from djemaa.threads.models import Thread; print(Thread.objects.order_by('-post_count').first().get_absolute_url())")
PAGES=("/" "$THREAD" "$THREAD?page=3")

start_server() {
  case $1 in
    uvicorn) $BIN/uvicorn config.asgi:application --host 127.0.0.1 --port $PORT --workers 2 \
               --lifespan off --no-access-log --log-level warning & ;;
    granian) $BIN/granian --host 127.0.0.1 --port $PORT --workers 2 \
               --interface asginl --no-ws --log-level warning config.asgi:application & ;;
  esac
  SERVER=$!
  for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && return; sleep 0.2; done
  echo "$1 did not start"; exit 1
}

stop_server() {
  # Both servers shut down their workers on SIGINT (Ctrl+C); a stuck one gets SIGKILL.
  kill -INT "$SERVER"
  for _ in $(seq 50); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.2; done
  pkill -KILL -P "$SERVER" 2>/dev/null || true
  kill -KILL "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap 'kill -KILL "${SERVER:-0}" 2>/dev/null || true' EXIT

printf "server\tround\tpage\treq/s\tp50\tp99\n"
for round in $(seq "$ROUNDS"); do
  for server in uvicorn granian; do
    start_server $server
    for page in "${PAGES[@]}"; do
      wrk -t2 -c"$CONNS" -d2s "http://127.0.0.1:$PORT$page" >/dev/null   # warm-up
      out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$page")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      p50=$(awk '$1=="50%" {print $2}' <<<"$out")
      p99=$(awk '$1=="99%" {print $2}' <<<"$out")
      printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$server" "$round" "$page" "$rps" "$p50" "$p99"
    done
    stop_server
  done
done
