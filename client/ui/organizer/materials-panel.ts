// Materials: upload with a progress bar, and the delivery matrix site × file
// (delivered / pending / failed), kept live by the delivery pushes.
import { useEffect, useState } from 'preact/hooks';
import type { Signal } from '@preact/signals';
import type { Delivery, DeliveryState, Material, Site } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtBytes, fmtDateTime } from '../format.js';
import { Panel, Progress } from '../components.js';
import { VirtualList } from '../virtual-list.js';
import { act, notify } from '../notices.js';
import { humanError } from '../errors.js';
import type { AppSession } from '../app.js';

const slug = (name: string) => name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
  .toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'tai-lieu';

export function stateLabel(st: DeliveryState | undefined): string {
  return st ? { pending: T('Đang chờ', 'Pending'), notified: T('Đang gửi', 'Sent'), delivered: T('Đã nhận', 'Delivered'), failed: T('Lỗi', 'Failed') }[st] : T('Không gửi', 'Not targeted');
}

function UploadForm({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const [scope, setScope] = useState<'all' | 'subtree'>('all');
  const [prog, setProg] = useState<{ done: number; total: number } | null>(null);
  const sel = selected.value;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) { notify(T('Hãy chọn một tệp để tải lên.', 'Choose a file to upload.'), 'error'); return; }
    const t = title.trim() || file.name;
    let targets = 'all';
    if (scope === 'subtree' && sel) {
      targets = s.client.store.sites.value.filter((x) => x.id === sel || x.path.includes(sel)).map((x) => x.id).join(',');
    }
    setProg({ done: 0, total: file.size });
    try {
      const m = await s.api.upload('uploadMaterial', { params: { conf: s.conf }, query: { title: t, filename: file.name, targets } }, file,
        (done, total) => setProg({ done, total }));
      s.client.store.upsertMaterial(m);
      notify(T(`Đã tải lên "${m.title}" — đang gửi tới các điểm cầu`, `Uploaded "${m.title}" — sending to the sites`), 'ok');
      setFile(null); setTitle('');
      (e.target as HTMLFormElement).reset();
    } catch (err) {
      notify(humanError(err), 'error');
    }
    setProg(null);
  };
  void slug;
  return html`<form class="btn-row" onSubmit=${submit} style=${{ alignItems: 'flex-end', marginBottom: '10px' }}>
    <label class="field" style=${{ flex: 1 }}>${T('Tiêu đề tài liệu', 'Title')}
      <input value=${title} onInput=${(e: Event) => setTitle((e.target as HTMLInputElement).value)} placeholder=${T('VD: Kết luận số 57-KL/TW', 'e.g. Conclusion 57-KL/TW')} /></label>
    <label class="field">${T('Tệp', 'File')}
      <input type="file" data-testid="material-file" onChange=${(e: Event) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} /></label>
    <label class="field">${T('Gửi tới', 'Send to')}
      <select value=${scope} onChange=${(e: Event) => setScope((e.target as HTMLSelectElement).value as 'all' | 'subtree')}>
        <option value="all">${T('Mọi điểm cầu', 'Every site')}</option>
        <option value="subtree" disabled=${!sel}>${T('Điểm cầu đang chọn và cấp dưới', 'Selected site and below')}</option>
      </select></label>
    <button class="btn btn-primary" type="submit" disabled=${!!prog} data-testid="material-upload">⤒ ${T('Tải lên', 'Upload')}</button>
    ${prog ? html`<div style=${{ flexBasis: '100%' }}><${Progress} done=${prog.done} total=${prog.total} bytes label=${T('Đang tải lên', 'Uploading')} /></div>` : ''}
  </form>`;
}

export function MaterialsPanel({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  const store = s.client.store;
  const mats = store.materials.value;
  const sites = store.sites.value;
  const delivs = store.deliveries.value;
  // Fill the matrix once per material version; pushes keep it current after that.
  const versions = mats.map((m) => `${m.id}@${m.version}`).join(',');
  useEffect(() => {
    let live = true;
    for (const m of mats) {
      s.api.call('deliveries', { params: { conf: s.conf, material: m.id } })
        .then((r) => { if (live) store.applyDeliveries(r.deliveries); })
        .catch((err) => console.warn('[diemcau] deliveries', humanError(err)));
    }
    return () => { live = false; };
  }, [versions]);

  const count = (m: Material, st: DeliveryState) => {
    let n = 0;
    for (const d of delivs.values()) if (d.material === m.id && d.version === m.version && d.state === st) n++;
    return n;
  };
  const cell = (m: Material, site: Site) => {
    const d: Delivery | undefined = store.delivery(m.id, site.id);
    const st = d && d.version === m.version ? d.state : undefined;
    return html`<span class=${`mcell ${st ?? ''}`} data-material=${m.id} data-state=${st ?? 'none'}
      title=${`${m.title} · ${site.name}: ${stateLabel(st)}${d?.lastError ? ` (${d.lastError})` : ''}`}></span>`;
  };
  const colW = 70;
  const row = (site: Site) => html`<div style=${{ display: 'flex', alignItems: 'center', width: '100%', fontSize: '13px' }} data-site=${site.id}>
    <span style=${{ flex: 1, paddingLeft: `${6 + (site.path.length) * 10}px`, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>${site.name}</span>
    ${mats.map((m) => html`<span key=${m.id} style=${{ width: `${colW}px`, textAlign: 'center' }}>${cell(m, site)}</span>`)}
  </div>`;
  const sel = selected.value;
  const ordered = [...sites].filter((x) => !sel || x.id === sel || x.path.includes(sel)).sort((a, b) => [...a.path, a.id].join('/').localeCompare([...b.path, b.id].join('/')));

  return html`<${Panel} title=${T('Tài liệu hội nghị', 'Materials')} id="materials">
    <${UploadForm} s=${s} selected=${selected} />
    <table class="grid" style=${{ marginBottom: '10px' }}>
      <thead><tr><th>${T('Tài liệu', 'Material')}</th><th>${T('Kích thước', 'Size')}</th><th>${T('Tải lên lúc', 'Uploaded')}</th>
        <th class="num">${T('Đã nhận', 'Delivered')}</th><th class="num">${T('Đang chờ', 'Pending')}</th><th class="num">${T('Lỗi', 'Failed')}</th><th></th></tr></thead>
      <tbody>${mats.length === 0 ? html`<tr><td colspan="7" class="empty">${T('Chưa có tài liệu nào', 'No materials yet')}</td></tr>` : ''}
      ${mats.map((m) => html`<tr key=${m.id} data-material=${m.id}>
        <td><strong>${m.title}</strong> <small>v${m.version} · ${m.filename}</small></td>
        <td style=${{ whiteSpace: 'nowrap' }}>${fmtBytes(m.size)}</td><td style=${{ whiteSpace: 'nowrap' }}>${fmtDateTime(m.uploadedAt)}</td>
        <td class="num" data-count="delivered">${count(m, 'delivered')}</td>
        <td class="num">${count(m, 'pending') + count(m, 'notified')}</td>
        <td class="num">${count(m, 'failed')}</td>
        <td><button class="btn btn-small" disabled=${count(m, 'failed') === 0}
          onClick=${() => act(() => s.api.call('redeliver', { params: { conf: s.conf, material: m.id }, body: {} }), T('Đang gửi lại', 'Re-sending'))}>${T('Gửi lại', 'Re-send')}</button></td>
      </tr>`)}</tbody>
    </table>
    ${mats.length ? html`<div style=${{ display: 'flex', fontSize: '12px', color: '#5d6778', padding: '0 0 4px' }}>
        <span class="legend" style=${{ flex: 1 }}>${T('Điểm cầu × tài liệu', 'Site × material')}${sel ? ` (${store.siteById.value.get(sel)?.name ?? sel} ${T('và cấp dưới', 'and below')})` : ''} — <span class="mcell delivered" style=${{ width: '10px', height: '10px' }}></span> ${T('đã nhận', 'delivered')}
          <span class="mcell pending" style=${{ width: '10px', height: '10px' }}></span> ${T('đang chờ', 'pending')}
          <span class="mcell failed" style=${{ width: '10px', height: '10px' }}></span> ${T('lỗi', 'failed')}</span>
        ${mats.map((m) => html`<span key=${m.id} title=${m.title} style=${{ width: `${colW}px`, textAlign: 'center', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>${m.title}</span>`)}
      </div>
      <${VirtualList} items=${ordered} rowHeight=${26} height=${300} keyOf=${(x: Site) => x.id} render=${row} label=${T('Ma trận giao tài liệu', 'Delivery matrix')} />` : ''}
  </${Panel}>`;
}
