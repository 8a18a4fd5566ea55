// Organizer tab "Điểm cầu": the conference's site kinds and, under each kind,
// its delegate groups, edited as data (add, rename, remove), with the level
// reports and charts group by. Saved together with the tree version the editor
// was opened at; the service refuses a kind still used by sites and a group
// with recorded counts in a live or ended conference, naming which.
import { useEffect, useState } from 'preact/hooks';
import type { DelegateGroup } from '../../../signaling/control.js';
import { KindsGroupsReq } from '../../../signaling/site-edit.js';
import type { SiteKind } from '../../../signaling/site-import.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtNum } from '../format.js';
import { Panel } from '../components.js';
import { notify } from '../notices.js';
import { setKinds, treeVersion } from '../kinds.js';
import type { AppSession } from '../app.js';
import { refusalText } from './setup-common.js';

interface KindRow { id: string; name: string; nameEn: string; rank: string; isNew: boolean }
interface GroupRow { id: string; level: string; name: string; isNew: boolean }
interface Draft { kinds: KindRow[]; groups: GroupRow[]; reportKind: string; version: number }

const CODE = /^[a-z0-9][a-z0-9-]{0,79}$/;
const half = (m: string) => { const [vi, en] = m.split(' / '); return T(vi ?? m, en ?? vi ?? m); };
const KIND_FIELDS: Record<string, () => string> = { id: () => T('Mã', 'Code'), name: () => T('Tên loại', 'Name'), nameEn: () => T('Tên tiếng Anh', 'English name'), rank: () => T('Cấp', 'Level') };
const GROUP_FIELDS: Record<string, () => string> = { id: () => T('Mã', 'Code'), name: () => T('Tên thành phần', 'Name'), level: () => T('Loại', 'Kind') };

function draftOf(kinds: SiteKind[], groups: DelegateGroup[], reportKind: string | null, version: number): Draft {
  return {
    kinds: [...kinds].sort((a, b) => a.rank - b.rank).map((k) => ({ id: k.id, name: k.name, nameEn: k.nameEn ?? '', rank: String(k.rank), isNew: false })),
    groups: groups.map((g) => ({ id: g.id, level: g.level, name: g.name, isNew: false })),
    reportKind: reportKind ?? '', version,
  };
}

/** The request, or the sentence naming the first wrong cell. */
function requestOf(d: Draft, nameEnOf: Map<string, string | undefined>): { body: ReturnType<typeof KindsGroupsReq.parse> } | { error: string } {
  const kinds = d.kinds.map((k) => ({ id: k.id.trim().toLowerCase(), name: k.name, ...(k.nameEn.trim() ? { nameEn: k.nameEn } : {}), rank: k.rank.trim() === '' ? NaN : Number(k.rank) }));
  const order = new Map<string, number>();
  const groups = d.groups.map((g) => {
    const n = order.get(g.level) ?? 0;
    order.set(g.level, n + 1);
    const en = nameEnOf.get(g.id);
    return { id: g.id.trim().toLowerCase(), level: g.level, name: g.name, ...(en ? { nameEn: en } : {}), order: n };
  });
  for (const [i, k] of kinds.entries()) {
    if (!CODE.test(k.id)) return { error: T(`Loại điểm cầu dòng ${i + 1}, ô “Mã”: chỉ chữ thường không dấu, số và dấu gạch ngang, ví dụ "xa". Chưa lưu gì.`, `Kind row ${i + 1}, “Code”: lower-case letters, digits and dashes only. Nothing was saved.`) };
    if (!Number.isInteger(k.rank) || k.rank < 0 || k.rank > 50) return { error: T(`Loại điểm cầu dòng ${i + 1} (“${k.name}”), ô “Cấp”: số nguyên từ 0 (cao nhất) đến 50. Chưa lưu gì.`, `Kind row ${i + 1}, “Level”: a whole number from 0 (top) to 50. Nothing was saved.`) };
  }
  for (const [i, g] of groups.entries()) {
    if (!CODE.test(g.id)) return { error: T(`Thành phần đại biểu dòng ${i + 1} (“${g.name}”), ô “Mã”: chỉ chữ thường không dấu, số và dấu gạch ngang, ví dụ "xa-bi-thu". Chưa lưu gì.`, `Delegate group row ${i + 1}, “Code”: lower-case letters, digits and dashes only. Nothing was saved.`) };
  }
  const r = KindsGroupsReq.safeParse({ kinds, groups, reportKind: d.reportKind || null, version: d.version });
  if (r.success) return { body: r.data };
  const issue = r.error.issues[0]!;
  const [list, i, field] = issue.path as [string, number | undefined, string | undefined];
  if (list === 'kinds' && typeof i === 'number') return { error: T(`Loại điểm cầu dòng ${i + 1}, ô “${KIND_FIELDS[field ?? '']?.() ?? field}”: ${half(issue.message)}. Chưa lưu gì.`, `Kind row ${i + 1}, “${KIND_FIELDS[field ?? '']?.() ?? field}”: ${half(issue.message)}. Nothing was saved.`) };
  if (list === 'groups' && typeof i === 'number') return { error: T(`Thành phần đại biểu dòng ${i + 1}, ô “${GROUP_FIELDS[field ?? '']?.() ?? field}”: ${half(issue.message)}. Chưa lưu gì.`, `Delegate group row ${i + 1}, “${GROUP_FIELDS[field ?? '']?.() ?? field}”: ${half(issue.message)}. Nothing was saved.`) };
  return { error: T(`${half(issue.message)}. Chưa lưu gì.`, `${half(issue.message)}. Nothing was saved.`) };
}

export function KindsGroupsEditor({ s }: { s: AppSession }) {
  const store = s.client.store;
  const [d, setD] = useState<Draft | null>(null);
  const [nameEn, setNameEn] = useState(new Map<string, string | undefined>());
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const p = { conf: s.conf };
  const load = async () => {
    const doc = await s.api.call('getKindsGroups', { params: p });
    setKinds(doc);
    setNameEn(new Map(doc.groups.map((g) => [g.id, g.nameEn])));
    setD(draftOf(doc.kinds, doc.groups, doc.reportKind, doc.version));
  };
  useEffect(() => { load().catch((err) => setError(refusalText(err))); }, []);
  if (!d) return html`<${Panel} title=${T('Loại điểm cầu và thành phần đại biểu', 'Site kinds and delegate groups')} id="kinds-groups">
    ${error ? html`<p class="form-error" role="alert">${error}</p>` : html`<p class="muted">${T('Đang tải…', 'Loading…')}</p>`}</${Panel}>`;

  const sitesOf = new Map<string, number>();
  for (const x of store.sites.value) sitesOf.set(x.level, (sitesOf.get(x.level) ?? 0) + 1);
  const upKind = (i: number, k: keyof KindRow, v: string) => setD((o) => o && { ...o, kinds: o.kinds.map((r, j) => (j === i ? { ...r, [k]: v } : r)) });
  const upGroup = (i: number, k: keyof GroupRow, v: string) => setD((o) => o && { ...o, groups: o.groups.map((r, j) => (j === i ? { ...r, [k]: v } : r)) });
  const dropKind = (i: number) => setD((o) => o && { ...o, kinds: o.kinds.filter((_, j) => j !== i), groups: o.groups.filter((g) => g.level !== o.kinds[i]!.id) });
  const dropGroup = (i: number) => setD((o) => o && { ...o, groups: o.groups.filter((_, j) => j !== i) });
  const addKind = () => setD((o) => o && { ...o, kinds: [...o.kinds, { id: '', name: '', nameEn: '', rank: String(Math.max(0, ...o.kinds.map((k) => Number(k.rank) || 0)) + 1), isNew: true }] });
  const addGroup = (level: string) => setD((o) => o && { ...o, groups: [...o.groups, { id: '', level, name: '', isNew: true }] });

  const save = async () => {
    setError('');
    const r = requestOf(d, nameEn);
    if ('error' in r) { setError(r.error); return; }
    setBusy(true);
    try {
      const doc = await s.api.call('putKindsGroups', { params: p, body: r.body });
      setKinds(doc);
      treeVersion.value = doc.version;
      setNameEn(new Map(doc.groups.map((g) => [g.id, g.nameEn])));
      setD(draftOf(doc.kinds, doc.groups, doc.reportKind, doc.version));
      store.loadSnapshot(await s.api.call('snapshot', { params: p }));
      notify(T('Đã lưu loại điểm cầu và thành phần đại biểu.', 'Kinds and delegate groups saved.'), 'ok');
    } catch (err) { setError(refusalText(err)); }
    setBusy(false);
  };

  // groups shown under their kind; the row number counts across the whole list (as the service names it)
  const groupRows = (level: string) => d.groups.map((g, i) => ({ g, i })).filter(({ g }) => g.level === level);
  return html`<${Panel} title=${T('Loại điểm cầu và thành phần đại biểu', 'Site kinds and delegate groups')} id="kinds-groups">
    <p class="muted">${T('Mỗi loại điểm cầu (trung ương, tỉnh, xã, đảng uỷ, cơ quan…) có các thành phần đại biểu riêng; số đại biểu dự kiến và điểm danh tính theo các thành phần đó. “Cấp” xếp thứ tự trong biểu đồ (0 là cao nhất).',
      'Each kind of site has its own delegate groups; expected counts and attendance use them. “Level” orders the kinds in charts (0 = top).')}</p>
    <table class="grid kinds-table" data-testid="kinds-table"><thead><tr><th>${T('Mã', 'Code')}</th><th>${T('Tên loại', 'Name')}</th><th>${T('Tên tiếng Anh', 'English name')}</th><th class="num">${T('Cấp', 'Level')}</th><th class="num">${T('Điểm cầu', 'Sites')}</th><th></th></tr></thead>
      <tbody>${d.kinds.map((k, i) => html`<tr key=${`k${i}`} data-kind=${k.id}>
        <td>${k.isNew ? html`<input name=${`kind-id-${i}`} value=${k.id} size="10" autocapitalize="none" onInput=${(e: Event) => upKind(i, 'id', (e.target as HTMLInputElement).value)} />` : html`<small>${k.id}</small>`}</td>
        <td><input name=${`kind-name-${i}`} value=${k.name} onInput=${(e: Event) => upKind(i, 'name', (e.target as HTMLInputElement).value)} /></td>
        <td><input name=${`kind-nameEn-${i}`} value=${k.nameEn} onInput=${(e: Event) => upKind(i, 'nameEn', (e.target as HTMLInputElement).value)} /></td>
        <td class="num"><input name=${`kind-rank-${i}`} value=${k.rank} size="3" inputmode="numeric" onInput=${(e: Event) => upKind(i, 'rank', (e.target as HTMLInputElement).value)} /></td>
        <td class="num">${fmtNum(sitesOf.get(k.id) ?? 0)}</td>
        <td><button type="button" class="btn btn-small btn-danger" data-action="drop-kind" onClick=${() => dropKind(i)}>${T('Bỏ', 'Remove')}</button></td></tr>
        <tr key=${`g${i}`} class="kind-groups"><td></td><td colspan="5">
          ${groupRows(k.id).map(({ g, i: gi }) => html`<div class="add-row" key=${`gr${gi}`} data-group=${g.id}>
            ${g.isNew ? html`<input name=${`group-id-${gi}`} value=${g.id} size="12" placeholder=${T('mã', 'code')} autocapitalize="none" onInput=${(e: Event) => upGroup(gi, 'id', (e.target as HTMLInputElement).value)} />` : html`<small class="muted">${g.id}</small>`}
            <input class="grow" name=${`group-name-${gi}`} value=${g.name} placeholder=${T('tên thành phần đại biểu', 'delegate group name')} onInput=${(e: Event) => upGroup(gi, 'name', (e.target as HTMLInputElement).value)} />
            <button type="button" class="btn btn-small" data-action="drop-group" onClick=${() => dropGroup(gi)}>${T('Bỏ', 'Remove')}</button></div>`)}
          <button type="button" class="btn btn-small" data-action="add-group" data-for=${k.id} disabled=${!k.id.trim()} onClick=${() => addGroup(k.id.trim().toLowerCase())}>+ ${T('Thành phần đại biểu', 'Delegate group')}</button>
        </td></tr>`)}</tbody></table>
    <div class="btn-row" style=${{ marginTop: '8px' }}>
      <button type="button" class="btn btn-small" data-testid="kind-add" onClick=${addKind}>+ ${T('Thêm loại điểm cầu', 'Add a kind')}</button>
      <label class="field"><span>${T('Báo cáo, biểu đồ tổng hợp theo cấp', 'Reports and charts group by')}</span>
        <select data-testid="report-kind" value=${d.reportKind} onChange=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; setD((o) => o && { ...o, reportKind: v }); }}>
          <option value="">${T('Mặc định (đơn vị trực thuộc gốc, tỉnh, huyện)', 'Default (root\'s children, provinces, districts)')}</option>
          ${d.kinds.filter((k) => k.id.trim()).map((k) => html`<option key=${k.id} value=${k.id}>${k.name || k.id}</option>`)}</select></label>
    </div>
    ${error ? html`<p class="form-error" role="alert" data-testid="kinds-groups-error">${error}</p>` : ''}
    <div class="btn-row" style=${{ marginTop: '8px' }}>
      <button type="button" class="btn btn-primary" data-testid="kinds-groups-save" disabled=${busy} onClick=${save}>${T('Lưu loại và thành phần đại biểu', 'Save kinds and delegate groups')}</button>
      <button type="button" class="btn" disabled=${busy} onClick=${() => { setError(''); void load(); }}>${T('Tải lại', 'Reload')}</button></div>
  </${Panel}>`;
}
