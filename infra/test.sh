#!/usr/bin/env bash
# Every test, in order: types, mediasoup's own suite against our worker, then
# ours (control service, media cascade, browser end to end). Artefacts
# (screenshots, exports) land in test-artifacts/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash infra/ensure-redis.sh
mkdir -p test-artifacts
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
if [ -f test/mediasoup-suite/run.sh ]; then
  echo "== mediasoup's own test suite against our worker"; bash test/mediasoup-suite/run.sh
fi
echo "== diemcau tests"
mapfile -t files < <(find test -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 --test-reporter=spec "$@" "${files[@]}"
