#!/usr/bin/env bash
# Runs every benchmark in turn (`./diemcau bench`, or `bash bench/run.sh p1` for
# one). Each prints its figures and writes bench/results/<name>.json. These are
# measurements, not pass/fail: compare the ratios printed side by side.
# Media capacity: p2 (forwarding cost, builds bench/raw-forwarder.c with cc),
# p3 (first frame, browser and RTP halls), p5 (root egress), storm (keyframes).
command -v cc >/dev/null || echo "cc not found: bench p2 needs a C compiler" >&2
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash infra/ensure-redis.sh
want="${1:-all}"
for f in bench/*.ts; do
  name="$(basename "$f" .ts)"
  case "$want" in all|"${name%%-*}"|"$name") ;; *) continue ;; esac
  echo "== $name"
  node --import tsx "$f"
done
