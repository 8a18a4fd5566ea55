#!/usr/bin/env bash
# Starts a throwaway redis-server on $REDIS_PORT (default 6379) when none answers.
set -euo pipefail
PORT="${REDIS_PORT:-6379}"
if redis-cli -p "$PORT" ping >/dev/null 2>&1; then exit 0; fi
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/redis-$PORT"
mkdir -p "$DIR"
redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
  --dir "$DIR" --logfile "$DIR/redis.log" --pidfile "$DIR/redis.pid"
for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && exit 0; sleep 0.1; done
echo "redis-server did not start on port $PORT" >&2; exit 1
