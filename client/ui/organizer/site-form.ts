// Organizer tab "Điểm cầu": one site's form. Pick a site in the tree to edit
// its name, kind, hall, address, technician, eligibility, media node, expected
// delegates per group and its parent (moving it with its subtree), or remove
// it; or add a new site under it. The form remembers the tree version it was
// opened at, so an edit made meanwhile by someone else is refused ("reload")
// instead of being overwritten.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Signal } from '@preact/signals';
import type { Site } from '../../../signaling/control.js';
import { SiteFormReq } from '../../../signaling/site-edit.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { Panel } from '../components.js';
import { notify } from '../notices.js';
import { kindName, loadKinds, siteKinds, treeVersion } from '../kinds.js';
import type { AppSession } from '../app.js';
import { refusalText } from './setup-common.js';
import './site-form.css';

interface Fields {
  id: string; parent: string; level: string; name: string; hall: string; address: string;
  technicianName: string; technicianPhone: string; eligible: boolean; mediaNode: string;
  expected: Record<string, string>;
}
type Mode = { kind: 'edit'; site: Site } | { kind: 'add'; under: Site };

/** Labels of the form's fields, to name the one to correct. */
const LABELS: Record<string, () => string> = {
  id: () => T('Mã điểm cầu', 'Site code'), parent: () => T('Trực thuộc', 'Parent'), level: () => T('Loại điểm cầu', 'Kind'),
  name: () => T('Tên điểm cầu', 'Name'), hall: () => T('Hội trường', 'Hall'), address: () => T('Địa chỉ', 'Address'),
  technicianName: () => T('Kỹ thuật viên', 'Technician'), technicianPhone: () => T('Điện thoại kỹ thuật viên', 'Technician phone'),
  mediaNode: () => T('Máy chủ truyền hình', 'Media node'),
};
/** "việt / english" → the page's half. */
const half = (m: string) => { const [vi, en] = m.split(' / '); return T(vi ?? m, en ?? vi ?? m); };

function fieldsOf(m: Mode, expected: Record<string, number>): Fields {
  if (m.kind === 'add') {
    const childKind = [...siteKinds.value].sort((a, b) => a.rank - b.rank).find((k) => k.rank > (siteKinds.value.find((x) => x.id === m.under.level)?.rank ?? -1));
    return { id: '', parent: m.under.id, level: childKind?.id ?? m.under.level, name: '', hall: '', address: '', technicianName: '', technicianPhone: '', eligible: true, mediaNode: m.under.mediaNode, expected: {} };
  }
  const s = m.site;
  return {
    id: s.id, parent: s.parent ?? '', level: s.level, name: s.name, hall: s.hall ?? '', address: s.address ?? '',
    technicianName: s.technician?.name ?? '', technicianPhone: s.technician?.phone ?? '', eligible: s.eligible !== false, mediaNode: s.mediaNode,
    expected: Object.fromEntries(Object.entries(expected).map(([g, n]) => [g, n ? String(n) : ''])),
  };
}

const Text = ({ name, value, set, label, ...rest }: { name: keyof Fields; value: string; set: (k: keyof Fields, v: string) => void; label: string; [k: string]: unknown }) =>
  html`<label class="field"><span>${label}</span><input name=${`site-${name}`} value=${value} onInput=${(e: Event) => set(name, (e.target as HTMLInputElement).value)} ...${rest} /></label>`;

export function SiteForm({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  const store = s.client.store;
  const sel = store.sites.value.find((x) => x.id === selected.value) ?? null;
  const [mode, setMode] = useState<Mode | null>(null);
  const [f, setF] = useState<Fields | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const p = { conf: s.conf };

  const open = async (m: Mode) => {
    setError('');
    let expected: Record<string, number> = {};
    if (m.kind === 'edit') {
      try { expected = (await s.api.call('getAttendance', { params: { ...p, site: m.site.id } })).expected; } catch (err) { setError(refusalText(err)); }
    }
    setMode(m); setF(fieldsOf(m, expected)); setVersion(treeVersion.value);
  };
  // a site picked in the tree opens in the form
  useEffect(() => { if (sel) void open({ kind: 'edit', site: sel }); else { setMode(null); setF(null); } }, [sel?.id]);

  const set = (k: keyof Fields, v: string | boolean) => setF((o) => (o ? { ...o, [k]: v } : o));
  const groups = f ? store.groups.value.filter((g) => g.level === f.level).sort((a, b) => a.order - b.order) : [];
  const parentQuery = f?.parent.trim().toLowerCase() ?? '';
  const parentMatches = useMemo(() => {
    if (!f) return [];
    const out: Site[] = [];
    for (const x of store.sites.value) {
      if (x.id.includes(parentQuery) || x.name.toLowerCase().includes(parentQuery)) out.push(x);
      if (out.length >= 50) break;
    }
    return out;
  }, [parentQuery, store.sites.value]);
  const parentSite = f ? store.siteById.value.get(f.parent.trim().toLowerCase()) : undefined;
  const nodes = useMemo(() => [...new Set(store.sites.value.map((x) => x.mediaNode))].sort(), [store.sites.value]);

  const refresh = async () => { store.loadSnapshot(await s.api.call('snapshot', { params: p })); await loadKinds(s.api, s.conf); };

  const save = async () => {
    if (!f || !mode) return;
    setError('');
    // counts: empty = 0, anything else must be a whole number ≥ 0
    const expected: Record<string, number> = {};
    for (const g of groups) {
      const raw = (f.expected[g.id] ?? '').trim();
      const n = raw === '' ? 0 : Number(raw);
      if (!/^\d+$/.test(raw || '0') || n > 100_000) {
        setError(T(`Hãy sửa ô “Dự kiến — ${g.name}”: nhập số nguyên từ 0 đến 100.000 (để trống là 0). Chưa lưu gì.`, `Correct “Expected — ${g.nameEn ?? g.name}”: a whole number from 0 to 100,000 (empty is 0). Nothing was saved.`));
        return;
      }
      expected[g.id] = n;
    }
    const id = (mode.kind === 'add' ? f.id : mode.site.id).trim().toLowerCase();
    const body = {
      create: mode.kind === 'add', parent: mode.kind === 'edit' && mode.site.parent === null ? null : f.parent.trim().toLowerCase(), level: f.level,
      name: f.name, hall: f.hall, address: f.address, technicianName: f.technicianName, technicianPhone: f.technicianPhone,
      eligible: f.eligible, mediaNode: f.mediaNode.trim().toLowerCase(), expected, version,
    };
    const idOk = /^[a-z0-9][a-z0-9-]{0,79}$/.test(id);
    const checked = SiteFormReq.safeParse(body);
    if (!idOk || !checked.success) {
      const key = idOk ? String(checked.error?.issues[0]?.path[0] ?? '') : 'id';
      const msg = idOk ? half(checked.error!.issues[0]!.message) : T('chỉ chữ thường không dấu, số và dấu gạch ngang, ví dụ "xa-tan-thanh"', 'lower-case letters, digits and dashes only, e.g. "xa-tan-thanh"');
      setError(T(`Hãy sửa ô “${LABELS[key]?.() ?? key}”: ${msg}. Chưa lưu gì.`, `Correct “${LABELS[key]?.() ?? key}”: ${msg}. Nothing was saved.`));
      return;
    }
    if (body.parent !== null && !parentSite) {
      setError(T(`Hãy sửa ô “Trực thuộc”: không có điểm cầu mã “${body.parent}”; hãy chọn trong danh sách gợi ý. Chưa lưu gì.`, `Correct “Parent”: there is no site “${body.parent}”; pick one from the suggestions. Nothing was saved.`));
      return;
    }
    setBusy(true);
    try {
      const r = await s.api.call('saveSite', { params: { ...p, site: id }, body: checked.data });
      treeVersion.value = r.version;
      setVersion(r.version);
      await refresh();
      notify(mode.kind === 'add' ? T(`Đã thêm điểm cầu “${r.site.name}”.`, `Site “${r.site.name}” added.`) : T(`Đã lưu điểm cầu “${r.site.name}”.`, `Site “${r.site.name}” saved.`), 'ok');
      selected.value = r.site.id;
      if (mode.kind === 'add' || sel?.id === r.site.id) await open({ kind: 'edit', site: r.site });
    } catch (err) { setError(refusalText(err)); }
    setBusy(false);
  };

  const remove = async () => {
    if (mode?.kind !== 'edit') return;
    if (!confirm(T(`Xoá điểm cầu “${mode.site.name}”? Không hoàn tác được.`, `Remove site “${mode.site.name}”? This cannot be undone.`))) return;
    setError(''); setBusy(true);
    try {
      await s.api.call('deleteSite', { params: { ...p, site: mode.site.id }, query: { version: String(version) } });
      selected.value = null;
      await refresh();
      notify(T(`Đã xoá điểm cầu “${mode.site.name}”.`, `Site “${mode.site.name}” removed.`), 'ok');
    } catch (err) { setError(refusalText(err)); }
    setBusy(false);
  };

  const title = mode?.kind === 'add' ? T(`Thêm điểm cầu trực thuộc “${mode.under.name}”`, `New site under “${mode.under.name}”`)
    : mode ? T(`Điểm cầu “${mode.site.name}”`, `Site “${mode.site.name}”`) : T('Sửa một điểm cầu', 'Edit one site');
  return html`<${Panel} title=${title} id="site-form" actions=${sel ? html`<button type="button" class="btn btn-small" data-testid="site-add-child" disabled=${busy}
      onClick=${() => open({ kind: 'add', under: sel })}>+ ${T('Thêm điểm cầu trực thuộc', 'Add a site under it')}</button>` : ''}>
    ${!f || !mode ? html`<p class="muted" data-testid="site-form-empty">${T('Chọn một điểm cầu ở cây bên trái để sửa, chuyển, xoá nó hoặc thêm điểm cầu trực thuộc.', 'Pick a site in the tree to edit, move or remove it, or to add a site under it.')}</p>` : html`
    <form class="form-grid site-form" data-testid="site-form" data-mode=${mode.kind} onSubmit=${(e: Event) => { e.preventDefault(); void save(); }} novalidate>
      ${mode.kind === 'add' ? html`<${Text} name="id" label=${T('Mã điểm cầu (mới)', 'Site code (new)')} value=${f.id} set=${set} placeholder="xa-tan-thanh" autocapitalize="none" />`
        : html`<label class="field"><span>${T('Mã điểm cầu', 'Site code')}</span><input name="site-code" value=${f.id} readonly disabled /></label>`}
      <${Text} name="name" label=${LABELS.name!()} value=${f.name} set=${set} />
      <label class="field"><span>${LABELS.level!()}</span>
        <select name="site-level" value=${f.level} onChange=${(e: Event) => set('level', (e.target as HTMLSelectElement).value)}>
          ${[...siteKinds.value].sort((a, b) => a.rank - b.rank).map((k) => html`<option key=${k.id} value=${k.id}>${T(k.name, k.nameEn ?? k.name)}</option>`)}</select></label>
      ${mode.kind === 'edit' && mode.site.parent === null ? html`<label class="field"><span>${LABELS.parent!()}</span><input value=${T('(điểm cầu gốc)', '(root site)')} readonly disabled /></label>` : html`
      <label class="field"><span>${LABELS.parent!()}${parentSite ? html` <small class="muted" data-testid="site-parent-name">→ ${parentSite.name} · ${kindName(parentSite.level)}</small>` : ''}</span>
        <input name="site-parent" list="site-parent-list" value=${f.parent} autocapitalize="none" onInput=${(e: Event) => set('parent', (e.target as HTMLInputElement).value)} />
        <datalist id="site-parent-list">${parentMatches.map((x) => html`<option key=${x.id} value=${x.id}>${x.name}</option>`)}</datalist></label>`}
      <${Text} name="hall" label=${LABELS.hall!()} value=${f.hall} set=${set} />
      <${Text} name="address" label=${LABELS.address!()} value=${f.address} set=${set} />
      <${Text} name="technicianName" label=${LABELS.technicianName!()} value=${f.technicianName} set=${set} />
      <${Text} name="technicianPhone" label=${LABELS.technicianPhone!()} value=${f.technicianPhone} set=${set} inputmode="tel" placeholder="0912 345 678" />
      <label class="field"><span>${LABELS.mediaNode!()}</span>
        <input name="site-mediaNode" list="site-node-list" value=${f.mediaNode} autocapitalize="none" onInput=${(e: Event) => set('mediaNode', (e.target as HTMLInputElement).value)} />
        <datalist id="site-node-list">${nodes.map((n) => html`<option key=${n} value=${n}></option>`)}</datalist></label>
      <label class="check"><input type="checkbox" name="site-eligible" checked=${f.eligible} onChange=${(e: Event) => set('eligible', (e.target as HTMLInputElement).checked)} />
        ${T('Đủ điều kiện tham dự trực tuyến', 'Eligible to join live')}</label>
      <fieldset class="span2 site-expected"><legend>${T('Số đại biểu dự kiến theo thành phần', 'Expected delegates per group')}</legend>
        ${groups.length ? groups.map((g) => html`<label class="field" key=${g.id}><span>${T(g.name, g.nameEn ?? g.name)}</span>
          <input name=${`expected-${g.id}`} inputmode="numeric" value=${f.expected[g.id] ?? ''} placeholder="0"
            onInput=${(e: Event) => { const v = (e.target as HTMLInputElement).value; setF((o) => (o ? { ...o, expected: { ...o.expected, [g.id]: v } } : o)); }} /></label>`)
          : html`<p class="muted">${T(`Loại “${kindName(f.level)}” chưa có thành phần đại biểu; thêm ở mục “Loại điểm cầu và thành phần đại biểu”.`, `Kind “${kindName(f.level)}” has no delegate groups yet; add them under “Site kinds and delegate groups”.`)}</p>`}
      </fieldset>
      ${error ? html`<p class="form-error span2" role="alert" data-testid="site-form-error">${error}</p>` : ''}
      <div class="btn-row span2">
        <button type="submit" class="btn btn-primary" data-testid="site-save" disabled=${busy}>${mode.kind === 'add' ? T('Thêm điểm cầu', 'Add the site') : T('Lưu', 'Save')}</button>
        ${mode.kind === 'add' && sel ? html`<button type="button" class="btn" onClick=${() => open({ kind: 'edit', site: sel })}>${T('Huỷ', 'Cancel')}</button>` : ''}
        ${mode.kind === 'edit' && mode.site.parent !== null ? html`<button type="button" class="btn btn-danger" data-testid="site-remove" disabled=${busy} onClick=${remove}>${T('Xoá điểm cầu', 'Remove the site')}</button>` : ''}
      </div>
    </form>`}
  </${Panel}>`;
}
