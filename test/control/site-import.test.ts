// The site tree as a spreadsheet: template and export, every kind of bad input
// answered by row and column and changing nothing, a preview then an atomic
// apply with a version check, moving and removing sites with their roll-ups,
// kinds and the report level, and a generated national tree of 31,000 rows
// (import, roll-ups, export → import changes nothing). Real Redis, a real service.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import type { Rollup, Site } from '../../signaling/control.js';
import type { SiteImportPreview } from '../../signaling/site-import.js';
import { readBook } from '../../server/site-tree/sheet.js';
import { REDIS_URL, stateHash } from '../support/redis.js';
import { nationalCsv, nationalTree, nationalXlsx } from '../support/national-sheet.js';
import { api, CONF, conferenceInput, setupConference, testEnv, token, type Env } from './helpers.js';

const P = `/api/conferences/${CONF}`;
// queues, heartbeats and rate-limit counters (which expire by themselves) are not state an import writes
const VOLATILE = /^(bull|hb:|insts|rl:)/;
let env: Env;
let base: string;
let org: string;
let redis: Redis;
const hash = () => stateHash(redis, env.prefix, VOLATILE);

beforeAll(async () => {
  env = testEnv('siteimport');
  base = (await env.start()).url;
  ({ org } = await setupConference(base, 2, 3));
  await api(base, org, 'PUT', `${P}/sites/d01-c01/expected`, { counts: { 'c-a': 40, 'c-b': 10 } });
  await api(base, org, 'PUT', `${P}/sites/d02/expected`, { counts: { 'd-a': 7 } });
  redis = new Redis(REDIS_URL);
  await mkdir('test-artifacts/site-import', { recursive: true });
});
afterAll(async () => { await redis?.quit(); await env?.cleanup(); });

async function upload(conf: string, tok: string, filename: string, file: Buffer | string, apply = false, version?: number) {
  const buf = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
  return api<SiteImportPreview>(base, tok, 'POST', `/api/conferences/${conf}/sites/import`, { filename, file: buf.toString('base64'), apply, ...(version !== undefined ? { version } : {}) });
}
async function download(path: string, tok = org): Promise<Buffer> {
  const r = await fetch(base + path, { headers: { authorization: `Bearer ${tok}` } });
  assert.equal(r.status, 200, path);
  return Buffer.from(await r.arrayBuffer());
}
const rollups = async (conf = CONF, tok = org) => new Map(((await api<Rollup[]>(base, tok, 'GET', `/api/conferences/${conf}/rollups`)).body as any).data.map((r: Rollup) => [r.site, r])) as Map<string, Rollup>;

describe('site tree import / export', { timeout: 300_000 }, () => {
  let csv: string;

  test('template and export: Vietnamese headers, one column per delegate group; the export reads back', async () => {
    const tpl = await download(`${P}/sites/template?format=xlsx`);
    await writeFile('test-artifacts/site-import/mau-diem-cau.xlsx', tpl);
    const book = await readBook('mau.xlsx', tpl, 'x');
    assert.ok(book.ok);
    if (!book.ok) return;
    assert.deepEqual(book.book.sheets.map((s) => s.name), ['Điểm cầu', 'Loại điểm cầu', 'Thành phần', 'Hướng dẫn']);
    const head = book.book.sheets[0]!.header;
    for (const h of ['Mã điểm cầu', 'Tên điểm cầu', 'Mã trực thuộc', 'Loại điểm cầu', 'Hội trường', 'Địa chỉ', 'Kỹ thuật viên', 'Điện thoại kỹ thuật viên', 'Đủ điều kiện', 'Máy chủ truyền hình']) {
      assert.ok(head.some((x) => x.startsWith(`${h} / `)), `header ${h}`);
    }
    assert.deepEqual(head.filter((h) => h.startsWith('Dự kiến [')).map((h) => /\[(.+)\]/.exec(h)![1]).sort(), ['c-a', 'c-b', 'd-a', 'd-b', 'p-a']);
    assert.equal(book.book.sheets[0]!.rows.length, 0, 'the template has no rows');
    csv = (await download(`${P}/sites/sheet?format=csv`)).toString('utf8');
    await writeFile('test-artifacts/site-import/diem-cau.csv', csv);
    assert.ok(csv.startsWith('\uFEFFMã điểm cầu / Site code,'));
    const lines = csv.trim().split('\r\n');
    assert.equal(lines.length, 11, 'header + 10 sites');
    assert.match(lines[4]!, /^d01-c01,Xã 1\.1,d01,commune,/);
    assert.match(lines[4]!, /,40,10,,,$/);
  });

  test('export → import is a no-op (CSV and XLSX): nothing added, changed or removed, nothing written', async () => {
    for (const [name, file] of [['diem-cau.csv', csv], ['diem-cau.xlsx', await download(`${P}/sites/sheet?format=xlsx`)]] as const) {
      const before = await hash();
      const r = await upload(CONF, org, name, file);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const p = r.body.ok ? r.body.data : assert.fail();
      assert.deepEqual([p.ok, p.errorCount, p.added, p.changed, p.removed, p.kindsChanged, p.groupsChanged], [true, 0, 0, 0, 0, false, false], name);
      assert.deepEqual(p.kinds.map((k) => [k.kind, k.sites]), [['centre', 1], ['province', 1], ['district', 2], ['commune', 6]]);
      const applied = await upload(CONF, org, name, file, true, p.version);
      assert.equal(applied.status, 200);
      assert.equal(await hash(), before, `${name}: applying the export writes nothing`);
    }
  });

  test('every bad input: its row and column in Vietnamese, and nothing changes (check or apply)', async () => {
    const lines = csv.trim().split('\r\n');
    const head = lines[0]!.split(',');
    const col = (h: string) => head.findIndex((x) => x.startsWith(h));
    const edit = (row: number, h: string, v: string) => lines.map((l, i) => (i === row - 1 ? l.split(',').map((c, j) => (j === col(h) ? v : c)).join(',') : l));
    const file = (ls: string[]) => `${ls.join('\r\n')}\r\n`;
    const cases: [string, string | Buffer, RegExp, number, string][] = [
      ['duplicate code', file(edit(6, 'Mã điểm cầu', 'd01-c01')), /mã "d01-c01" trùng với dòng 5/, 6, 'A'],
      ['unknown parent', file(edit(7, 'Mã trực thuộc', 'khong-co')), /mã trực thuộc "khong-co" không có trong tệp/, 7, 'C'],
      ['cycle', file(edit(4, 'Mã trực thuộc', 'd01-c02')), /vòng lặp trực thuộc: d01 → d01-c02 → d01/, 4, 'C'],
      ['unknown kind', file(edit(8, 'Loại điểm cầu', 'thon')), /loại "thon" không có trong danh sách loại điểm cầu/, 8, 'D'],
      ['negative count', file(edit(5, 'Dự kiến [c-a]', '-3')), /số dự kiến -3 là số âm/, 5, ''],
      ['non-numeric count', file(edit(5, 'Dự kiến [c-b]', 'mười')), /số dự kiến "mười" không phải số nguyên/, 5, ''],
      ['missing required cell', file(edit(9, 'Tên điểm cầu', '')), /thiếu tên điểm cầu/, 9, 'B'],
      ['missing kind cell', file(edit(9, 'Loại điểm cầu', '')), /thiếu loại điểm cầu/, 9, 'D'],
      ['group of another kind', file(edit(4, 'Dự kiến [c-a]', '5')), /thành phần "c-a" dành cho loại "commune"/, 4, ''],
      ['eligible not yes/no', file(edit(5, 'Đủ điều kiện', 'chắc')), /ghi "Có" hoặc "Không"/, 5, 'I'],
      ['bad code', file(edit(5, 'Mã điểm cầu', 'Xã 1')), /chỉ được gồm chữ thường không dấu/, 5, 'A'],
      ['two roots', file(edit(3, 'Mã trực thuộc', '')), /chỉ một điểm cầu gốc/, 3, 'C'],
      ['missing column', file(lines.map((l) => l.split(',').filter((_, j) => j !== col('Loại điểm cầu')).join(','))), /thiếu cột "Loại điểm cầu \/ Kind"/, 1, ''],
    ];
    const before = await hash();
    for (const [what, f, re, row, letter] of cases) {
      const r = await upload(CONF, org, 'sai.csv', f);
      assert.equal(r.status, 200, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`);
      const p = r.body.ok ? r.body.data : assert.fail(what);
      assert.equal(p.ok, false, what);
      const e = p.errors.find((x) => re.test(x.message));
      assert.ok(e, `${what}: ${JSON.stringify(p.errors)}`);
      assert.equal(e.row, row, `${what}: row`);
      if (letter) assert.ok(e.column.startsWith(`${letter} (`), `${what}: column ${e.column}`);
      assert.match(e.message, / \/ /, `${what}: Vietnamese then English`);
      const applied = await upload(CONF, org, 'sai.csv', f, true, p.version);
      assert.equal(applied.status, 400, `${what}: apply refused`);
      assert.equal(applied.body.ok ? '' : applied.body.error.code, 'BAD_REQUEST');
      assert.match(applied.body.ok ? '' : applied.body.error.message, /chưa thay đổi gì/);
      assert.equal(await hash(), before, `${what}: nothing changed`);
    }
    // wrong file types: a PDF, an .xlsx that is not a workbook, a binary "CSV"
    for (const [name, f] of [['bao-cao.pdf', Buffer.from('%PDF-1.4\n')], ['hong.xlsx', Buffer.from('không phải excel')], ['nhi-phan.csv', Buffer.from([0, 1, 2, 0xff, 0xfe])]] as const) {
      const r = await upload(CONF, org, name, f);
      const p = r.body.ok ? r.body.data : assert.fail(name);
      assert.equal(p.ok, false);
      assert.equal(p.errors[0]!.row, 0);
      assert.match(p.errors[0]!.message, /(không phải bảng tính|Không đọc được tệp XLSX|không phải văn bản UTF-8)/, name);
      assert.equal((await upload(CONF, org, name, f, true)).status, 400);
    }
    // over the size limit
    const big = await upload(CONF, org, 'lon.csv', Buffer.alloc(8 * 1024 * 1024 + 10, 0x41));
    assert.equal(big.status, 413);
    assert.match(big.body.ok ? '' : big.body.error.message, /Tệp lớn quá 8 MB/);
    assert.equal(await hash(), before, 'nothing changed by any bad file');
  });

  test('a change: preview lists what is added, changed, removed; apply is all at once; a stale version is refused', async () => {
    const lines = csv.trim().split('\r\n');
    const changed = lines
      .filter((l) => !l.startsWith('d02-c03,')) // removed
      .map((l) => (l.startsWith('d01-c02,') ? l.replace('Xã 1.2', 'Xã Một Hai') : l)) // renamed
      .map((l) => (l.startsWith('d02-c01,') ? l.replace(',d02,commune,', ',d01,commune,') : l)); // moved to d01
    changed.push('d02-c04,Phường Mới,d02,Phường,Nhà văn hoá,Số 1 phố Mới,Nguyễn Văn A,0912 345 678,Không,p,,ghi chú,,,,,');
    const file = `${changed.join('\r\n')}\r\n`;
    const r = await upload(CONF, org, 'sua.csv', file);
    const p = r.body.ok ? r.body.data : assert.fail(JSON.stringify(r.body));
    assert.ok(p.ok, JSON.stringify(p.errors));
    assert.deepEqual([p.addedIds, p.changedIds.sort(), p.removedIds], [['d02-c04'], ['d01-c02', 'd02-c01'], ['d02-c03']]);
    assert.deepEqual(p.top.map((t) => [t.id, t.depth]), [['root', 0], ['prov', 1], ['d01', 2], ['d02', 2]]);
    // a second organizer changes the tree after this preview → this apply is refused and changes nothing
    await api(base, org, 'PATCH', `${P}/sites/d01`, { hall: 'Hội trường mới' });
    const before = await hash();
    const stale = await upload(CONF, org, 'sua.csv', file, true, p.version);
    assert.equal(stale.status, 409);
    assert.match(stale.body.ok ? '' : stale.body.error.message, /người khác thay đổi; hãy tải lại/);
    assert.equal(await hash(), before);
    const fresh = (await upload(CONF, org, 'sua.csv', file)).body;
    assert.ok(fresh.ok && fresh.data.changedIds.includes('d01'), 'the fresh preview shows that the file puts back the hall of d01');
    const ok = await upload(CONF, org, 'sua.csv', file, true, fresh.ok ? fresh.data.version : -1);
    assert.equal(ok.status, 200, JSON.stringify(ok.body).slice(0, 400));
    const sites: Site[] = (await api(base, org, 'GET', `${P}/sites`)).body.data;
    const by = new Map(sites.map((s) => [s.id, s]));
    assert.equal(by.has('d02-c03'), false);
    assert.equal(by.get('d01-c02')!.name, 'Xã Một Hai');
    assert.deepEqual(by.get('d02-c01')!.path, ['root', 'prov', 'd01']);
    assert.deepEqual(by.get('d02-c04'), { ...by.get('d02-c04')!, level: 'phuong', eligible: false, address: 'Số 1 phố Mới', technician: { name: 'Nguyễn Văn A', phone: '0912 345 678' }, note: 'ghi chú', path: ['root', 'prov', 'd02'] });
    assert.equal(by.get('d01')!.hall, '', 'the file is the tree');
    const ru = await rollups();
    assert.deepEqual([ru.get('d01')!.sites, ru.get('d02')!.sites, ru.get('root')!.sites], [5, 3, 10]);
    assert.equal(ru.get('d01')!.expected['c-a'], 40);
    assert.equal(ru.get('root')!.totalExpected, 40 + 10 + 7, 'a phường without its groups has no expected count yet');
  });

  test('moving and removing: roll-ups follow; under its own descendant, the root, a site with children or with recorded attendance in a live conference: refused', async () => {
    await api(base, token('technician', CONF, 'd01-c01'), 'PUT', `${P}/attendance/d01-c01`, { present: { 'c-a': 33 } });
    let ru = await rollups();
    assert.equal(ru.get('d01')!.present['c-a'], 33);
    const mv = await api(base, org, 'POST', `${P}/sites/d01-c01/move`, { parent: 'd02' });
    assert.equal(mv.status, 200, JSON.stringify(mv.body));
    ru = await rollups();
    assert.deepEqual([ru.get('d01')!.present['c-a'] ?? 0, ru.get('d02')!.present['c-a'], ru.get('d02')!.expected['c-a'], ru.get('prov')!.present['c-a']], [0, 33, 40, 33]);
    assert.deepEqual([ru.get('d01')!.reported, ru.get('d02')!.reported, ru.get('root')!.sites], [0, 1, 10]);
    const own = await api(base, org, 'POST', `${P}/sites/prov/move`, { parent: 'd01-c02' });
    assert.equal(own.status, 409);
    assert.match(own.body.error.message, /cấp dưới của chính nó/);
    assert.equal((await api(base, org, 'POST', `${P}/sites/root/move`, { parent: 'prov' })).status, 400);
    const kids = await api(base, org, 'DELETE', `${P}/sites/d02`);
    assert.equal(kids.status, 409);
    assert.match(kids.body.error.message, /còn 3 điểm cầu trực thuộc/);
    assert.equal((await api(base, org, 'DELETE', `${P}/sites/root`)).status, 400);
    await api(base, org, 'POST', `${P}/state`, { state: 'live' });
    const rec = await api(base, org, 'DELETE', `${P}/sites/d01-c01`);
    assert.equal(rec.status, 409);
    assert.match(rec.body.error.message, /đã có số liệu điểm danh trong hội nghị đang diễn ra/);
    // a site without attendance can still go; its expected counts leave the roll-ups
    const gone = await api(base, org, 'DELETE', `${P}/sites/d01-c03`);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    ru = await rollups();
    assert.equal(ru.get('root')!.sites, 9);
    assert.equal((await api(base, org, 'GET', `${P}/sites/d01-c03`)).status, 404);
    // the import refuses to drop a site with recorded attendance while live
    const lines = (await download(`${P}/sites/sheet?format=csv`)).toString('utf8').trim().split('\r\n').filter((l) => !l.startsWith('d01-c01,'));
    const r = await upload(CONF, org, 'bo-bot.csv', `${lines.join('\r\n')}\r\n`);
    assert.ok(r.body.ok && r.body.data.errors.some((e) => /d01-c01.*đã có số liệu điểm danh/.test(e.message)), JSON.stringify(r.body).slice(0, 500));
  });

  test('kinds are data: a kind in use cannot go; the report level picks the units of the upward report', async () => {
    const k = (await api(base, org, 'GET', `${P}/kinds`)).body.data;
    assert.ok(k.kinds.some((x: any) => x.id === 'district'));
    const drop = await api(base, org, 'PUT', `${P}/kinds`, { kinds: k.kinds.filter((x: any) => x.id !== 'district'), reportKind: null });
    assert.equal(drop.status, 400);
    assert.match(drop.body.error.message, /đang được điểm cầu hoặc thành phần đại biểu dùng/);
    const unknown = await api(base, org, 'PUT', `${P}/sites/thon-1`, { id: 'thon-1', parent: 'd01', level: 'thon', name: 'Thôn 1', mediaNode: 'p' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /Loại điểm cầu "thon" của thon-1 chưa có trong danh sách loại/);
    const withThon = await api(base, org, 'PUT', `${P}/kinds`, { kinds: [...k.kinds, { id: 'thon', name: 'Thôn, bản', rank: 4 }], reportKind: null, version: k.version });
    assert.equal(withThon.status, 200, JSON.stringify(withThon.body));
    assert.equal((await api(base, org, 'PUT', `${P}/sites/thon-1`, { id: 'thon-1', parent: 'd01-c02', level: 'thon', name: 'Thôn 1', mediaNode: 'p' })).status, 200, 'a fourth level below a commune');
    assert.equal((await api(base, org, 'DELETE', `${P}/sites/thon-1`)).status, 200);
    const k2 = (await api(base, org, 'GET', `${P}/kinds`)).body.data;
    const put = await api(base, org, 'PUT', `${P}/kinds`, { kinds: k.kinds, reportKind: 'commune', version: k2.version });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const stale = await api(base, org, 'PUT', `${P}/kinds`, { kinds: k.kinds, reportKind: null, version: k2.version });
    assert.equal(stale.status, 409);
    const up = (await api(base, org, 'GET', `${P}/reports/upward`)).body.data;
    const sites: Site[] = (await api(base, org, 'GET', `${P}/sites`)).body.data;
    assert.deepEqual(up.units.map((u: any) => u.site).sort(), sites.filter((s) => s.parent === 'root' || s.level === 'commune').map((s) => s.id).sort());
    assert.ok(up.units.filter((u: any) => u.level === 'commune').length >= 4);
  });

  test('agenda from a spreadsheet: errors by row and column change nothing; a clean file replaces the agenda; a stale version is refused', async () => {
    const imp = (file: string, apply = false, version?: number) => api(base, org, 'POST', `${P}/agenda/import`, { filename: 'ct.csv', file: Buffer.from(file).toString('base64'), apply, ...(version !== undefined ? { version } : {}) });
    const tpl = (await download(`${P}/agenda/sheet?format=csv`)).toString('utf8');
    assert.ok(tpl.startsWith('\uFEFFMã mục / Item code,Nội dung / Title,Cơ quan trình bày / Presenter,Bắt đầu dự kiến / Planned start,Thời lượng (phút) / Duration (min)'));
    const head = tpl.trim();
    const before = (await api(base, org, 'GET', `${P}/agenda`)).body.data;
    const bad = `${head}\r\nnd-1,Khai mạc,Ban Tổ chức,15/01/2030 08:00,10\r\nnd-1,Báo cáo,,32/01/2030 08:10,0\r\n`;
    const p = (await imp(bad)).body.data;
    assert.equal(p.ok, false);
    const msgs = p.errors.map((e: any) => `${e.row} ${e.column.split(' ')[0]} ${e.message}`);
    for (const re of [/^3 A mã mục "nd-1" trùng với dòng 2/, /^3 C thiếu cơ quan trình bày/, /^3 D giờ bắt đầu "32\/01\/2030 08:10" phải có dạng/, /^3 E thời lượng phải là số phút từ 1 đến 600/]) {
      assert.ok(msgs.some((m: string) => re.test(m)), `${re}: ${JSON.stringify(msgs)}`);
    }
    assert.equal((await imp(bad, true)).status, 400);
    assert.deepEqual((await api(base, org, 'GET', `${P}/agenda`)).body.data, before, 'a bad agenda file changes nothing');
    const good = `${head}\r\nnd-1,Khai mạc,Ban Tổ chức,15/01/2030 08:00,10\r\n,Báo cáo chính trị,Ban Tuyên giáo,15/01/2030 08:10,45\r\n`;
    const ok = (await imp(good)).body.data;
    assert.ok(ok.ok, JSON.stringify(ok.errors));
    assert.deepEqual(ok.items.map((i: any) => [i.id, i.plannedStart, i.plannedDurationMin]), [['nd-1', '2030-01-15T08:00:00+07:00', 10], ['nd-2', '2030-01-15T08:10:00+07:00', 45]]);
    assert.equal((await imp(good, true, ok.version + 1)).status, 409, 'stale version');
    const applied = (await imp(good, true, ok.version)).body.data;
    assert.equal(applied.applied, true);
    const agenda = (await api(base, org, 'GET', `${P}/agenda`)).body.data;
    assert.deepEqual(agenda.items.map((i: any) => i.title), ['Khai mạc', 'Báo cáo chính trị']);
  });

  test('national size: 34 provinces, 3,321 communes, party and agency sites, 31,000 rows; roll-ups right; export → import changes nothing', async () => {
    const t = nationalTree(31_000);
    assert.equal(t.sites, 31_000);
    const conf = 'toan-quoc';
    const tok = token('organizer', conf);
    await api(base, tok, 'PUT', `/api/conferences/${conf}`, { ...conferenceInput, title: 'Hội nghị toàn quốc', rootSite: 'tw' });
    const xlsx = await nationalXlsx(t);
    await writeFile('test-artifacts/site-import/toan-quoc-31000.xlsx', xlsx);
    const pre = await upload(conf, tok, 'toan-quoc.xlsx', xlsx);
    const p = pre.body.ok ? pre.body.data : assert.fail(JSON.stringify(pre.body).slice(0, 500));
    assert.ok(p.ok, JSON.stringify(p.errors.slice(0, 5)));
    assert.equal(p.added, 31_000);
    const byKind = Object.fromEntries(p.kinds.map((k) => [k.kind, k.sites]));
    assert.deepEqual([byKind.tinh, byKind.xa, byKind.phuong, byKind['dac-khu']], [34, 2621, 687, 13]);
    assert.equal(p.expectedTotal, t.total);
    const applied = await upload(conf, tok, 'toan-quoc.xlsx', xlsx, true, p.version);
    assert.equal(applied.status, 200, JSON.stringify(applied.body).slice(0, 500));
    const ru = await rollups(conf, tok);
    assert.equal(ru.size, 31_000);
    assert.equal(ru.get('tw')!.sites, 31_000);
    assert.equal(ru.get('tw')!.totalExpected, t.total);
    for (const [prov, sum] of t.perProvince) assert.equal(ru.get(prov)!.totalExpected, sum, `province ${prov}`);
    const up = (await api(base, tok, 'GET', `/api/conferences/${conf}/reports/upward`)).body.data;
    assert.equal(up.units.filter((u: any) => u.level === 'tinh').length, 34, 'charts by province (the report level of the file)');
    assert.deepEqual(up.levels.map((l: any) => l.level), ['trung-uong', 'bo-nganh', 'tinh', 'co-quan', 'dac-khu', 'phuong', 'xa', 'chi-bo']);
    // export → import changes nothing (XLSX and CSV)
    const xl = await download(`/api/conferences/${conf}/sites/sheet?format=xlsx`, tok);
    const csvBack = await download(`/api/conferences/${conf}/sites/sheet?format=csv`, tok);
    const before = await hash();
    for (const [name, f] of [['xuat.xlsx', xl], ['xuat.csv', csvBack]] as const) {
      const again = (await upload(conf, tok, name, f)).body;
      const q = again.ok ? again.data : assert.fail(JSON.stringify(again).slice(0, 300));
      assert.deepEqual([q.ok, q.added, q.changed, q.removed, q.kindsChanged, q.groupsChanged], [true, 0, 0, 0, false, false], name);
      assert.equal((await upload(conf, tok, name, f, true, q.version)).status, 200);
    }
    assert.equal(await hash(), before, 'export → import wrote nothing');
    assert.ok(nationalCsv(t).length > 1_000_000);
  });
});
