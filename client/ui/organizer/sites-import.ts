// Organizer tab "Điểm cầu": the site tree from a spreadsheet. Download the
// template or the current tree (XLSX / CSV), upload a file, read every error
// by row and column, see the preview (sites per kind, the first levels, what
// is added / changed / removed) and apply it all at once; the agenda the same
// way; one site's form (site-form.ts); the kinds, their delegate groups and
// the level reports group by (kinds-groups.ts).
import { useEffect, useState } from 'preact/hooks';
import { routePath } from '../../../signaling/control-routes.js';
import { MAX_IMPORT_BYTES, type AgendaImportPreview, type ImportIssue, type SiteImportPreview } from '../../../signaling/site-import.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtNum, fmtDmyHm } from '../format.js';
import { Panel } from '../components.js';
import { act, notify } from '../notices.js';
import { kindName, loadKinds } from '../kinds.js';
import type { AppSession } from '../app.js';
import type { Signal } from '@preact/signals';
import { save, stamp } from './exports.js';
import { refusalText } from './setup-common.js';
import { SiteForm } from './site-form.js';
import { KindsGroupsEditor } from './kinds-groups.js';

/** The file as base64, refused here already when over the size limit or of another type. */
async function readFile(f: File): Promise<{ filename: string; file: string } | string> {
  if (!/\.(xlsx|csv)$/i.test(f.name)) return T(`Tệp "${f.name}" không phải .xlsx hay .csv; hãy lưu bảng tính dưới dạng Excel (.xlsx) hoặc CSV UTF-8.`, `"${f.name}" is not an .xlsx or .csv file; save the spreadsheet as Excel (.xlsx) or CSV UTF-8.`);
  if (f.size > MAX_IMPORT_BYTES) return T(`Tệp lớn quá ${MAX_IMPORT_BYTES / 1024 / 1024} MB; hãy bỏ các trang và cột không cần.`, `The file is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB; remove unneeded sheets and columns.`);
  const bytes = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { filename: f.name, file: btoa(bin) };
}

/** A file button in the page's language (the browser's own file input is labelled in the browser's language). */
function FilePick({ testid, label, name, disabled = false, onFile }: { testid: string; label: string; name?: string; disabled?: boolean; onFile: (f: File | undefined) => void }) {
  return html`<label class=${`btn btn-small${disabled ? ' disabled' : ''}`}>⤒ ${label}
    <input type="file" accept=".xlsx,.csv" hidden data-testid=${testid} disabled=${disabled}
      onChange=${(e: Event) => { const el = e.target as HTMLInputElement; onFile(el.files?.[0]); el.value = ''; }} /></label>
    ${name ? html`<span class="muted" data-testid=${`${testid}-name`}>${name}</span>` : ''}`;
}

/** "Việt / English" from the service → the page's language. */
const half = (m: string) => { const [vi, en] = m.split(' / '); return T(vi ?? m, en ?? vi ?? m); };

function Errors({ errors, count }: { errors: ImportIssue[]; count: number }) {
  return html`<div class="import-errors" role="alert" data-testid="import-errors">
    <p class="form-error">${T(`Tệp có ${fmtNum(count)} lỗi; chưa thay đổi gì. Hãy sửa các ô dưới đây rồi tải lên lại.`, `The file has ${fmtNum(count)} error(s); nothing was changed. Correct the cells below and upload again.`)}</p>
    <table class="grid"><thead><tr><th>${T('Trang', 'Sheet')}</th><th class="num">${T('Dòng', 'Row')}</th><th>${T('Cột', 'Column')}</th><th>${T('Lỗi', 'Error')}</th></tr></thead>
      <tbody>${errors.map((e, i) => html`<tr key=${i} data-row=${e.row}><td>${e.sheet}</td><td class="num">${e.row || '—'}</td><td>${e.column || '—'}</td><td>${half(e.message)}</td></tr>`)}</tbody></table>
    ${count > errors.length ? html`<p class="muted">${T(`… và ${fmtNum(count - errors.length)} lỗi nữa.`, `… and ${fmtNum(count - errors.length)} more.`)}</p>` : ''}
  </div>`;
}

function Preview({ p }: { p: SiteImportPreview }) {
  const ids = (l: string[], n: number) => (l.length ? html` <small class="muted">${l.slice(0, 12).join(', ')}${n > 12 ? ' …' : ''}</small>` : '');
  return html`<div class="import-preview" data-testid="import-preview">
    <div class="import-diff">
      <div data-testid="diff-added"><strong>${fmtNum(p.added)}</strong> ${T('điểm cầu thêm mới', 'added')}${ids(p.addedIds, p.added)}</div>
      <div data-testid="diff-changed"><strong>${fmtNum(p.changed)}</strong> ${T('điểm cầu thay đổi', 'changed')}${ids(p.changedIds, p.changed)}</div>
      <div data-testid="diff-removed"><strong>${fmtNum(p.removed)}</strong> ${T('điểm cầu bị xoá', 'removed')}${ids(p.removedIds, p.removed)}</div>
      ${p.kindsChanged || p.groupsChanged ? html`<div>${T('Loại điểm cầu / thành phần đại biểu cũng thay đổi theo tệp.', 'Kinds / delegate groups change too.')}</div>` : ''}
    </div>
    <div class="layout-2">
      <table class="grid" data-testid="preview-kinds"><thead><tr><th>${T('Cấp / loại', 'Level / kind')}</th><th class="num">${T('Số điểm cầu', 'Sites')}</th></tr></thead>
        <tbody>${p.kinds.map((k) => html`<tr key=${k.kind}><td>${k.rank}. ${k.name} <small class="muted">${k.kind}</small></td><td class="num">${fmtNum(k.sites)}</td></tr>`)}
        <tr><td><strong>${T('Tổng số đại biểu dự kiến', 'Expected delegates')}</strong></td><td class="num"><strong>${fmtNum(p.expectedTotal)}</strong></td></tr></tbody></table>
      <ul class="import-top" data-testid="preview-top">${p.top.map((t) => html`<li key=${t.id} style=${{ paddingLeft: `${t.depth * 18}px` }}>
        ${t.name} <small class="muted">${t.id} · ${kindName(t.kind)}${t.children ? ` · ${fmtNum(t.subtree - 1)} ${T('điểm cầu trực thuộc', 'below')}` : ''}</small></li>`)}</ul>
    </div>
  </div>`;
}

function SiteTreeImport({ s }: { s: AppSession }) {
  const [preview, setPreview] = useState<SiteImportPreview | null>(null);
  const [file, setFile] = useState<{ filename: string; file: string } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const p = { conf: s.conf };
  const dl = (route: 'siteTemplate' | 'siteSheet', format: 'xlsx' | 'csv', name: string) =>
    act(async () => save(await s.api.blob(routePath(route, p), { format }), `${name}_${s.conf}_${stamp()}.${format}`));
  const check = async (f: File | undefined) => {
    setPreview(null); setError('');
    if (!f) return;
    const r = await readFile(f);
    if (typeof r === 'string') { setError(r); return; }
    setFile(r); setBusy(true);
    try { setPreview(await s.api.call('importSites', { params: p, body: { ...r, apply: false } })); } catch (err) { setError(refusalText(err)); }
    setBusy(false);
  };
  const apply = async () => {
    if (!file || !preview) return;
    setBusy(true); setError('');
    try {
      const done = await s.api.call('importSites', { params: p, body: { ...file, apply: true, version: preview.version } });
      setPreview(done);
      s.client.store.loadSnapshot(await s.api.call('snapshot', { params: p }));
      await loadKinds(s.api, s.conf);
      notify(T(`Đã áp dụng cây điểm cầu: ${fmtNum(done.added)} thêm, ${fmtNum(done.changed)} sửa, ${fmtNum(done.removed)} xoá.`, `Site tree applied: ${done.added} added, ${done.changed} changed, ${done.removed} removed.`), 'ok');
    } catch (err) { setError(refusalText(err)); }
    setBusy(false);
  };
  const nothing = preview && preview.ok && !preview.added && !preview.changed && !preview.removed && !preview.kindsChanged && !preview.groupsChanged;
  return html`<${Panel} title=${T('Nhập cây điểm cầu từ bảng tính', 'Import the site tree from a spreadsheet')} id="site-import">
    <p class="muted">${T('Tải tệp mẫu, điền mỗi điểm cầu một dòng (mã, tên, mã trực thuộc, loại, hội trường, kỹ thuật viên, số đại biểu dự kiến theo thành phần), rồi tải lên. Hệ thống kiểm tra cả tệp và cho xem trước; chỉ khi bấm "Áp dụng" mới thay đổi, tất cả cùng lúc.',
      'Download the template, one row per site, then upload it. The whole file is checked and previewed; nothing changes until you apply, and then everything at once.')}</p>
    <div class="btn-row">
      <button class="btn btn-small" data-testid="dl-template" onClick=${() => dl('siteTemplate', 'xlsx', 'mau-diem-cau')}>⤓ ${T('Tệp mẫu XLSX', 'Template XLSX')}</button>
      <button class="btn btn-small" onClick=${() => dl('siteTemplate', 'csv', 'mau-diem-cau')}>⤓ ${T('Tệp mẫu CSV', 'Template CSV')}</button>
      <button class="btn btn-small" data-testid="dl-tree" onClick=${() => dl('siteSheet', 'xlsx', 'diem-cau')}>⤓ ${T('Cây hiện tại XLSX', 'Current tree XLSX')}</button>
      <button class="btn btn-small" onClick=${() => dl('siteSheet', 'csv', 'diem-cau')}>⤓ ${T('Cây hiện tại CSV', 'Current tree CSV')}</button>
    </div>
    <div class="btn-row" style=${{ marginTop: '10px' }}>
      <${FilePick} testid="import-file" label=${T('Chọn tệp bảng tính…', 'Choose a spreadsheet…')} disabled=${busy} name=${file?.filename} onFile=${check} />
      <small class="muted">${T('.xlsx hoặc .csv (UTF-8), tối đa 8 MB', '.xlsx or .csv (UTF-8), 8 MB at most')}</small></div>
    ${busy ? html`<p class="muted" data-testid="import-busy">${T('Đang kiểm tra…', 'Checking…')}</p>` : ''}
    ${error ? html`<p class="form-error" role="alert" data-testid="import-error">${error}</p>` : ''}
    ${preview && !preview.ok ? html`<${Errors} errors=${preview.errors} count=${preview.errorCount} />` : ''}
    ${preview && preview.ok ? html`<${Preview} p=${preview} />
      ${preview.applied ? html`<p class="ok-line" data-testid="import-applied">✓ ${T('Đã áp dụng. Cây bên trái đã cập nhật.', 'Applied. The tree on the left is up to date.')}</p>`
        : nothing ? html`<p class="muted" data-testid="import-nothing">${T('Tệp giống hệt cây hiện tại: không có gì để thay đổi.', 'The file matches the current tree: nothing to change.')}</p>`
        : html`<div class="btn-row"><button class="btn btn-primary" data-testid="import-apply" disabled=${busy} onClick=${apply}>${T(`Áp dụng ${fmtNum(preview.rows)} dòng`, `Apply ${fmtNum(preview.rows)} rows`)}</button></div>`}` : ''}
  </${Panel}>`;
}

function AgendaImport({ s }: { s: AppSession }) {
  const [preview, setPreview] = useState<AgendaImportPreview | null>(null);
  const [file, setFile] = useState<{ filename: string; file: string } | null>(null);
  const [error, setError] = useState('');
  const p = { conf: s.conf };
  const check = async (f: File | undefined) => {
    setPreview(null); setError('');
    if (!f) return;
    const r = await readFile(f);
    if (typeof r === 'string') { setError(r); return; }
    setFile(r);
    try { setPreview(await s.api.call('importAgenda', { params: p, body: { ...r, apply: false } })); } catch (err) { setError(refusalText(err)); }
  };
  const apply = async () => {
    try { setPreview(await s.api.call('importAgenda', { params: p, body: { ...file!, apply: true, version: preview!.version } })); notify(T('Đã thay chương trình theo tệp.', 'Agenda replaced from the file.'), 'ok'); } catch (err) { setError(refusalText(err)); }
  };
  return html`<${Panel} title=${T('Nhập chương trình từ bảng tính', 'Import the agenda from a spreadsheet')} id="agenda-import">
    <div class="btn-row">
      <button class="btn btn-small" onClick=${() => act(async () => save(await s.api.blob(routePath('agendaSheet', p), { format: 'xlsx' }), `chuong-trinh_${s.conf}_${stamp()}.xlsx`))}>⤓ ${T('Chương trình hiện tại / tệp mẫu XLSX', 'Current agenda / template XLSX')}</button>
      <${FilePick} testid="agenda-file" label=${T('Chọn tệp chương trình…', 'Choose an agenda file…')} name=${file?.filename} onFile=${check} />
    </div>
    ${error ? html`<p class="form-error" role="alert">${error}</p>` : ''}
    ${preview && !preview.ok ? html`<${Errors} errors=${preview.errors} count=${preview.errorCount} />` : ''}
    ${preview && preview.ok ? html`<table class="grid"><thead><tr><th>${T('Mục', 'Item')}</th><th>${T('Nội dung', 'Title')}</th><th>${T('Cơ quan trình bày', 'Presenter')}</th><th>${T('Bắt đầu', 'Start')}</th><th class="num">${T('Phút', 'Min')}</th></tr></thead>
      <tbody>${preview.items.map((i) => html`<tr key=${i.id}><td>${i.id}</td><td>${i.title}</td><td>${i.presenter}</td><td>${fmtDmyHm(Date.parse(i.plannedStart))}</td><td class="num">${i.plannedDurationMin}</td></tr>`)}</tbody></table>
      ${preview.applied ? html`<p class="ok-line">✓ ${T('Đã áp dụng.', 'Applied.')}</p>` : html`<button class="btn btn-primary" onClick=${apply}>${T(`Thay chương trình bằng ${preview.items.length} mục này`, `Replace the agenda with these ${preview.items.length} items`)}</button>`}` : ''}
  </${Panel}>`;
}

export function SitesImportPanel({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  useEffect(() => { void act(() => loadKinds(s.api, s.conf)); }, []);
  return html`<div class="sites-import">
    <${SiteForm} s=${s} selected=${selected} />
    <${KindsGroupsEditor} s=${s} />
    <${SiteTreeImport} s=${s} />
    <${AgendaImport} s=${s} />
  </div>`;
}
