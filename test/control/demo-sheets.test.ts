// The two built-in demos ship as spreadsheets and load through the same import
// as a user's file: the files in the repo are what make-sheets.ts writes from
// the demo data; the service loads Lạng Sơn 135-KH/TU (three levels under the
// centre, charted by district) and the two-tier Lạng Sơn 2026 (province →
// communes, wards, party committees, agencies; charted by province); exporting
// either and importing it back changes nothing.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { signToken } from '../../signaling/token.js';
import type { Site } from '../../signaling/control.js';
import { DEMO_SHEETS, demoSheets } from '../../server/demo/make-sheets.js';
import { readBook } from '../../server/site-tree/sheet.js';
import { api, SECRET, testEnv, type Env } from './helpers.js';

let env: Env;
let base: string;
const org = (conf: string) => signToken(SECRET, { role: 'organizer', conf });

beforeAll(async () => {
  env = testEnv('demosheets', { demo: true });
  base = (await env.start()).url;
});
afterAll(async () => { await env.cleanup(); });

test('the demo spreadsheets in the repo are what make-sheets.ts writes from the demo data', async () => {
  const want = demoSheets();
  for (const k of Object.keys(DEMO_SHEETS) as (keyof typeof DEMO_SHEETS)[]) {
    const r = await readBook(`${k}.xlsx`, readFileSync(DEMO_SHEETS[k]), 'x');
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(r.book.sheets.map((s) => s.name), want[k].map((s) => s.name), k);
    want[k].forEach((sheet, i) => {
      const got = r.book.sheets[i]!;
      const trim = (cells: (string | number)[]) => { const c = cells.map((x) => String(x).trim()); while (c.length && c[c.length - 1] === '') c.pop(); return c; };
      assert.deepEqual(trim(got.header), trim(sheet.header), `${k} ${sheet.name} header`);
      assert.deepEqual(got.rows.map((x) => trim(x.cells)), sheet.rows.map(trim), `${k} ${sheet.name}: run node --import tsx server/demo/make-sheets.ts`);
    });
  }
});

test('two-tier demo: centre → Lạng Sơn → 65 communes and wards, party committees, agencies; charted by province; numbered names say so', async () => {
  const tok = org('ls-2026');
  const sites: Site[] = (await api(base, tok, 'GET', '/api/conferences/ls-2026/sites')).body.data;
  const by = (k: string) => sites.filter((s) => s.level === k);
  assert.deepEqual([by('trung-uong').length, by('tinh').length, by('xa').length, by('phuong').length, by('dang-uy').length, by('co-quan').length], [1, 1, 61, 4, 5, 14]);
  assert.ok(sites.every((s) => s.path.length <= 2), 'two tiers under the centre');
  assert.ok(by('xa').every((s) => /^Xã số \d\d$/.test(s.name) && /chưa có tên thật/.test(s.note ?? '')));
  const kinds = (await api(base, tok, 'GET', '/api/conferences/ls-2026/kinds')).body.data;
  assert.equal(kinds.reportKind, 'tinh');
  const up = (await api(base, tok, 'GET', '/api/conferences/ls-2026/reports/upward')).body.data;
  assert.deepEqual(up.units.map((u: any) => u.site), ['20']);
  assert.equal(up.units[0].sites, sites.length - 1);
  assert.deepEqual(up.levels.map((l: any) => l.level), ['trung-uong', 'tinh', 'co-quan', 'dang-uy', 'phuong', 'xa']);
  const agenda = (await api(base, tok, 'GET', '/api/conferences/ls-2026/agenda')).body.data;
  assert.equal(agenda.items.length, 4);
  assert.equal(agenda.items[0].plannedStart, '2026-02-07T07:30:00+07:00');
});

test('Lạng Sơn 135-KH/TU through the import: charted by district; both demos export → import with nothing to change', async () => {
  const up = (await api(base, org('ls-135'), 'GET', '/api/conferences/ls-135/reports/upward')).body.data;
  assert.deepEqual(up.units.map((u: any) => u.level).filter((l: string) => l === 'district').length, 11);
  for (const conf of ['ls-135', 'ls-2026']) {
    for (const format of ['xlsx', 'csv']) {
      const r = await fetch(`${base}/api/conferences/${conf}/sites/sheet?format=${format}`, { headers: { authorization: `Bearer ${org(conf)}` } });
      const file = Buffer.from(await r.arrayBuffer()).toString('base64');
      const p = (await api(base, org(conf), 'POST', `/api/conferences/${conf}/sites/import`, { filename: `x.${format}`, file })).body.data;
      assert.deepEqual([p.ok, p.added, p.changed, p.removed, p.kindsChanged, p.groupsChanged], [true, 0, 0, 0, false, false], `${conf} ${format}`);
    }
    const a = await fetch(`${base}/api/conferences/${conf}/agenda/sheet?format=xlsx`, { headers: { authorization: `Bearer ${org(conf)}` } });
    const p = (await api(base, org(conf), 'POST', `/api/conferences/${conf}/agenda/import`, { filename: 'ct.xlsx', file: Buffer.from(await a.arrayBuffer()).toString('base64') })).body.data;
    const agenda = (await api(base, org(conf), 'GET', `/api/conferences/${conf}/agenda`)).body.data;
    assert.deepEqual(p.items, agenda.items.map((i: any) => ({ id: i.id, title: i.title, presenter: i.presenter, plannedStart: i.plannedStart, plannedDurationMin: i.plannedDurationMin })), `${conf} agenda round trip`);
  }
});
