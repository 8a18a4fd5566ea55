#!/usr/bin/env bash
# Every test, in order: types, mediasoup's own suite against our worker, then
# ours under vitest (projects control, media, ui, e2e; see vitest.config.ts).
# Artefacts (screenshots, exports, coverage) land in test-artifacts/.
#
#   infra/test.sh                    everything; vitest's summary is printed last
#   infra/test.sh --coverage         the same with line coverage per top-level folder
#   infra/test.sh --project media    extra arguments go to `vitest run`
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash infra/ensure-redis.sh
mkdir -p test-artifacts
coverage=0
args=()
for a in "$@"; do
  if [ "$a" = "--coverage" ]; then coverage=1; else args+=("$a"); fi
done
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
if [ -f test/mediasoup-suite/run.sh ] && [ ${#args[@]} -eq 0 ]; then
  echo "== mediasoup's own test suite against our worker"; bash test/mediasoup-suite/run.sh
fi
echo "== diemcau tests (vitest)"
if [ "$coverage" = 1 ]; then
  rm -rf test-artifacts/coverage
  status=0
  npx vitest run --coverage "${args[@]}" || status=$?
  node --import tsx infra/coverage-summary.ts test-artifacts/coverage/coverage-summary.json
  exit "$status"
fi
exec npx vitest run "${args[@]}"
