// Import: time and peak memory of the control service to check (validate +
// preview) and to apply a generated national site tree of 31,000 rows (34
// provinces, 3,321 commune-level units, party and agency sites; XLSX and
// CSV), then to export it and check the export again (nothing to change).
// Memory is the service process's resident set, sampled from /proc every 10 ms
// during each step (VmHWM for the whole run).
// Usage: node --import tsx bench/import.ts [--rows 31000] [--runs 3]
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379). Writes bench/results/import.json.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '../signaling/token.js';
import { startControlProcess } from './lib/control-proc.js';
import { deletePrefix } from '../test/support/redis.js';
import { nationalCsv, nationalTree, nationalXlsx } from '../test/support/national-sheet.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const ROWS = Number(arg('rows', '31000'));
const RUNS = Number(arg('runs', '3'));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(16).toString('hex');
const round = (x: number) => Math.round(x * 10) / 10;
const MB = (kb: number) => round(kb / 1024);

const startService = (prefix: string) => startControlProcess({ prefix, redisUrl: REDIS_URL, tokenSecret: SECRET });

const status = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Runs fn while sampling the service's resident memory; returns ms and the peak (MB). */
async function measure<T>(pid: number, fn: () => Promise<T>): Promise<{ ms: number; rssBeforeMb: number; rssPeakMb: number; out: T }> {
  const before = status(pid, 'VmRSS');
  let peak = before;
  const t = setInterval(() => { peak = Math.max(peak, status(pid, 'VmRSS')); }, 10);
  const t0 = performance.now();
  try {
    const out = await fn();
    const ms = performance.now() - t0;
    peak = Math.max(peak, status(pid, 'VmRSS'));
    return { ms: round(ms), rssBeforeMb: MB(before), rssPeakMb: MB(peak), out };
  } finally {
    clearInterval(t);
  }
}

async function post(url: string, tok: string, path: string, body: unknown): Promise<any> {
  const r = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = (await r.json()) as { ok: boolean; data: any };
  if (!j.ok) throw new Error(`${path}: ${JSON.stringify(j).slice(0, 500)}`);
  return j.data;
}

const tree = nationalTree(ROWS);
const genT0 = performance.now();
const xlsx = await nationalXlsx(tree);
const csv = Buffer.from(nationalCsv(tree), 'utf8');
console.log(`generated ${tree.sites} rows: XLSX ${MB(xlsx.length / 1024)} MB, CSV ${MB(csv.length / 1024)} MB in ${Math.round(performance.now() - genT0)} ms`);

type Run = Record<string, { ms: number; rssBeforeMb: number; rssPeakMb: number }>;
const runs: Run[] = [];
let vmHwmMb = 0;
for (let run = 0; run < RUNS; run++) {
  const prefix = `bench-import-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}:`;
  const { child, url } = await startService(prefix);
  const pid = child.pid!;
  try {
    const conf = 'toan-quoc';
    const tok = signToken(SECRET, { role: 'organizer', conf });
    const put = await fetch(`${url}/api/conferences/${conf}`, {
      method: 'PUT', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Hội nghị toàn quốc (bench)', planNumber: 'BENCH', date: '2026-02-07', plannedStart: '2026-02-07T07:30:00+07:00', plannedDurationMin: 240, maket: [], rootSite: 'tw', reportsTo: 'Trung ương', reportDeadline: '2026-02-20T17:00:00+07:00' }),
    });
    if (!put.ok) throw new Error(`create conference: ${put.status}`);
    const file = (name: string, b: Buffer) => ({ filename: name, file: b.toString('base64') });
    const r: Run = {};
    const checkX = await measure(pid, () => post(url, tok, `/api/conferences/${conf}/sites/import`, file('toan-quoc.xlsx', xlsx)));
    if (!checkX.out.ok || checkX.out.added !== tree.sites) throw new Error(`check: ${JSON.stringify(checkX.out).slice(0, 300)}`);
    r.checkXlsx = checkX;
    r.checkCsv = await measure(pid, () => post(url, tok, `/api/conferences/${conf}/sites/import`, file('toan-quoc.csv', csv)));
    const apply = await measure(pid, () => post(url, tok, `/api/conferences/${conf}/sites/import`, { ...file('toan-quoc.xlsx', xlsx), apply: true, version: checkX.out.version }));
    if (!apply.out.applied) throw new Error('not applied');
    r.applyXlsx = apply;
    const exp = await measure(pid, async () => Buffer.from(await (await fetch(`${url}/api/conferences/${conf}/sites/sheet?format=xlsx`, { headers: { authorization: `Bearer ${tok}` } })).arrayBuffer()));
    r.exportXlsx = exp;
    const again = await measure(pid, () => post(url, tok, `/api/conferences/${conf}/sites/import`, { ...file('xuat.xlsx', exp.out), apply: true }));
    if (again.out.added || again.out.changed || again.out.removed) throw new Error('export → import changed something');
    r.reimportNoop = again;
    for (const v of Object.values(r)) delete (v as { out?: unknown }).out;
    vmHwmMb = Math.max(vmHwmMb, MB(status(pid, 'VmHWM')));
    runs.push(r);
    console.log(`run ${run + 1}: ${Object.entries(r).map(([k, v]) => `${k} ${v.ms} ms (peak ${v.rssPeakMb} MB)`).join(', ')}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
    await deletePrefix(prefix, REDIS_URL);
    await rm(resolve(ROOT, `.cache/bench-data/${prefix.slice(0, -1)}`), { recursive: true, force: true });
  }
}

const steps = Object.keys(runs[0]!);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = Object.fromEntries(steps.map((k) => [k, {
  medianMs: median(runs.map((r) => r[k]!.ms)), maxMs: Math.max(...runs.map((r) => r[k]!.ms)),
  rssPeakMb: Math.max(...runs.map((r) => r[k]!.rssPeakMb)), rssBeforeMb: median(runs.map((r) => r[k]!.rssBeforeMb)),
}]));
const out = {
  bench: 'Site tree import: check (validate + preview) and apply of a national tree, export, re-import of the export',
  at: new Date().toISOString(), cpus: cpus().length, node: process.version,
  method: 'one control process (server/main.ts) and Redis on this machine; the bench posts the file (base64 in JSON, as the organizer page does) and times each request end to end; the service\'s resident memory is sampled from /proc every 10 ms during each request; a fresh service and Redis prefix per run',
  rows: tree.sites, xlsxMb: MB(xlsx.length / 1024), csvMb: MB(csv.length / 1024), runs: RUNS,
  summary, serviceVmHwmMb: vmHwmMb, perRun: runs,
};
await mkdir(resolve(ROOT, 'bench/results'), { recursive: true });
await writeFile(resolve(ROOT, 'bench/results/import.json'), `${JSON.stringify(out, null, 2)}\n`);
for (const [k, v] of Object.entries(summary)) console.log(`${k}: median ${v.medianMs} ms, max ${v.maxMs} ms, service RSS peak ${v.rssPeakMb} MB (before ${v.rssBeforeMb} MB)`);
console.log('wrote bench/results/import.json');
process.exit(0);
