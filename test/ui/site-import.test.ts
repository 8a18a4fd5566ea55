// The organizer's "Điểm cầu" tab in Chromium: a spreadsheet with mistakes is
// answered with every error by row and column and changes nothing; the
// corrected XLSX shows its preview (sites per kind, first levels, added /
// changed), applies at once, and the tree on the left shows the new site.
// Real service (demo conference loaded through the import), Redis, Chromium.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { startUi, waitFor, shot, ARTIFACTS, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('siteimport'); });
afterAll(async () => { await env?.close(); });

const P = '/api/conferences/ls-135';
const get = async (path: string) => {
  const r = await fetch(env.url + path, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  return r.headers.get('content-type')?.includes('json') ? (await r.json() as { data: any }).data : Buffer.from(await r.arrayBuffer());
};

test('import screen: errors by row and column, then preview, apply, the tree updated', async () => {
  // the current tree as XLSX; a new district under the province and a renamed commune
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await get(`${P}/sites/sheet?format=xlsx`));
  const ws = wb.getWorksheet('Điểm cầu')!;
  const header = (ws.getRow(1).values as string[]).slice(1);
  const col = (h: string) => header.findIndex((x) => x.startsWith(h)) + 1;
  ws.eachRow((r) => { if (r.getCell(1).value === 'ls-trangdinh-01') r.getCell(col('Tên điểm cầu')).value = 'Xã Trung Thành (đổi tên)'; });
  const row = ws.addRow([]);
  for (const [h, v] of [['Mã điểm cầu', 'ls-moi'], ['Tên điểm cầu', 'Huyện Mới Lập'], ['Mã trực thuộc', 'ls'], ['Loại điểm cầu', 'Huyện'], ['Hội trường', 'Hội trường Huyện uỷ Mới Lập'], ['Đủ điều kiện', 'Có'], ['Dự kiến [huyen-1]', 30]] as const) row.getCell(col(h)).value = v;
  const good = resolve(ARTIFACTS, 'ui-site-import-good.xlsx');
  await writeFile(good, Buffer.from(await wb.xlsx.writeBuffer()));
  // the same with mistakes: an unknown parent, a negative count, a duplicate code
  row.getCell(col('Mã trực thuộc')).value = 'khong-co';
  row.getCell(col('Dự kiến [huyen-1]')).value = -4;
  ws.addRow([]).getCell(1).value = 'ls-caoloc';
  const bad = resolve(ARTIFACTS, 'ui-site-import-bad.xlsx');
  await writeFile(bad, Buffer.from(await wb.xlsx.writeBuffer()));
  const badRow = row.number;

  const page = await env.page();
  await page.goto(`${env.link('organizer', env.links.organizer)}#sites`);
  await page.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  await page.waitForSelector('#site-import');
  await page.waitForSelector('[data-testid=report-kind]');
  await shot(page, 'site-import-empty');

  const before = await get(`${P}/sites`);
  await page.setInputFiles('[data-testid=import-file]', bad);
  await page.waitForSelector('[data-testid=import-errors]', { timeout: 30_000 });
  const errors = await page.locator('[data-testid=import-errors]').innerText();
  assert.match(errors, /Tệp có \d+ lỗi; chưa thay đổi gì/);
  assert.match(errors, new RegExp(`${badRow}\\s+C \\(Mã trực thuộc\\)\\s+mã trực thuộc "khong-co" không có trong tệp`));
  assert.match(errors, /số dự kiến -4 là số âm/);
  assert.match(errors, /mã "ls-caoloc" trùng với dòng \d+/);
  await page.locator('[data-testid=import-errors]').scrollIntoViewIfNeeded();
  await shot(page, 'site-import-errors');
  assert.deepEqual(await get(`${P}/sites`), before, 'a bad file changes nothing');

  await page.setInputFiles('[data-testid=import-file]', good);
  await page.waitForSelector('[data-testid=import-preview]', { timeout: 30_000 });
  assert.match(await page.locator('[data-testid=diff-added]').innerText(), /^1 điểm cầu thêm mới ls-moi/);
  assert.match(await page.locator('[data-testid=diff-changed]').innerText(), /^1 điểm cầu thay đổi ls-trangdinh-01/);
  assert.match(await page.locator('[data-testid=diff-removed]').innerText(), /^0 điểm cầu bị xoá/);
  assert.match(await page.locator('[data-testid=preview-kinds]').innerText(), /Huyện\s+district\s+12/);
  assert.match(await page.locator('[data-testid=preview-top]').innerText(), /Huyện Mới Lập ls-moi · Huyện/);
  await shot(page, 'site-import-preview');

  await page.click('[data-testid=import-apply]');
  await page.waitForSelector('[data-testid=import-applied]', { timeout: 30_000 });
  await page.waitForSelector('#tree [data-site=ls-moi]', { timeout: 15_000 });
  await shot(page, 'site-import-applied');
  const sites = await get(`${P}/sites`) as { id: string; name: string; path: string[] }[];
  assert.deepEqual(sites.find((s) => s.id === 'ls-moi')?.path, ['tw', 'ls']);
  assert.equal(sites.find((s) => s.id === 'ls-trangdinh-01')?.name, 'Xã Trung Thành (đổi tên)');
  const ru = await get(`${P}/rollups/ls-moi`);
  assert.equal(ru.totalExpected, 30);
  await waitFor('the root roll-up counts the new district', async () => (await get(`${P}/rollups/tw`)).sites === before.length + 1);
  await page.close();
});
