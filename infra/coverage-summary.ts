// Prints line coverage per top-level folder from vitest's json-summary
// (`./diemcau test --coverage`). Reported, never enforced.
//
// What it can see: code that runs inside vitest's own worker processes (the
// control service runs in-process in most control tests). Media nodes started
// as child processes and the web apps running in Chromium are not counted.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

type Counts = { total: number; covered: number };
type Summary = Record<string, { lines: Counts }>;

const file = process.argv[2] ?? 'test-artifacts/coverage/coverage-summary.json';
let summary: Summary;
try {
  summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
} catch (err) {
  console.error(`No coverage summary at ${file} (${(err as Error).message}); run ./diemcau test --coverage.`);
  process.exit(1);
}

const byFolder = new Map<string, Counts>();
for (const [path, { lines }] of Object.entries(summary)) {
  if (path === 'total') continue;
  const folder = relative(process.cwd(), path).split('/')[0] ?? '?';
  const c = byFolder.get(folder) ?? { total: 0, covered: 0 };
  c.total += lines.total;
  c.covered += lines.covered;
  byFolder.set(folder, c);
}

const pct = (c: Counts) => (c.total ? ((100 * c.covered) / c.total).toFixed(1) : '—');
console.log('\nLine coverage per folder (in-process code only; media node children and browser code are not instrumented)');
for (const [folder, c] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`  ${folder.padEnd(10)} ${pct(c).padStart(6)} %   ${c.covered} / ${c.total} lines`);
}
const t = summary.total?.lines;
if (t) console.log(`  ${'all'.padEnd(10)} ${pct(t).padStart(6)} %   ${t.covered} / ${t.total} lines`);
