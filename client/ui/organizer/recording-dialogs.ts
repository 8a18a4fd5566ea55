// The recordings panel's dialogs: send a recording (or one item) to every site
// or chosen ones, and delete one after confirming.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { Recording } from '../../../signaling/recording.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtBytes, fmtDmyHm, fmtDuration } from '../format.js';
import { notify } from '../notices.js';
import { humanError } from '../errors.js';
import type { AppSession } from '../app.js';

function RecDialog({ title, onClose, children, testid }: { title: string; onClose: () => void; children: ComponentChildren; testid: string }) {
  useEffect(() => {
    const esc = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose(); };
    addEventListener('keydown', esc);
    return () => removeEventListener('keydown', esc);
  }, []);
  return html`<div class="rec-dialog-backdrop" onClick=${(e: Event) => { if (e.target === e.currentTarget) onClose(); }}>
    <div class="rec-dialog" role="dialog" aria-modal="true" aria-label=${title} data-testid=${testid}><h2>${title}</h2>${children}</div></div>`;
}

interface Props { s: AppSession; rec: Recording; onClose: () => void; onDone: () => void }

/** How many site checkboxes are drawn at once (a national tree has tens of thousands: filter first). */
const MAX_LISTED = 300;

export function PushDialog({ s, rec, onClose, onDone }: Props) {
  const sites = s.client.store.sites.value;
  const [scope, setScope] = useState<'all' | 'some'>('all');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState('');
  const [item, setItem] = useState('');
  const [busy, setBusy] = useState(false);
  const q = filter.trim().toLowerCase();
  const shown = sites.filter((x) => !q || x.name.toLowerCase().includes(q) || x.id.includes(q)).slice(0, MAX_LISTED);
  const toggle = (id: string) => { const n = new Set(chosen); if (n.has(id)) n.delete(id); else n.add(id); setChosen(n); };
  const send = async () => {
    if (scope === 'some' && chosen.size === 0) { notify(T('Hãy chọn ít nhất một điểm cầu, hoặc chọn gửi tới mọi điểm cầu.', 'Choose at least one site, or send to every site.'), 'error'); return; }
    setBusy(true);
    try {
      const m = await s.api.call('pushRecording', { params: { conf: s.conf, recording: rec.id }, body: { targets: scope === 'all' ? 'all' : [...chosen], item: item || null } });
      s.client.store.upsertMaterial(m);
      notify(T(`Đã gửi "${m.title}" — các điểm cầu đang tải về (xem ở mục Tài liệu).`, `Sent "${m.title}" — the sites are downloading it (see Materials).`), 'ok');
      onDone();
    } catch (err) {
      notify(humanError(err), 'error');
    }
    setBusy(false);
  };
  return html`<${RecDialog} title=${T(`Gửi bản ghi ${rec.id} tới điểm cầu`, `Send recording ${rec.id} to sites`)} onClose=${onClose} testid="rec-push-dialog">
    <p class="muted">${T('Điểm cầu nhận như một tài liệu: tải về tiếp tục được khi mạng chập chờn, kiểm tra mã sha256 và gửi xác nhận đã nhận.', 'Sites receive it as a material: a resumable download, checked by sha256, with a receipt.')}</p>
    <label class="field">${T('Nội dung', 'What')}
      <select value=${item} onChange=${(e: Event) => setItem((e.target as HTMLSelectElement).value)} data-testid="rec-push-item">
        <option value="">${T('Cả bản ghi', 'The whole recording')} (${fmtDuration(rec.durationMs)})</option>
        ${rec.chapters.map((c) => html`<option value=${c.item}>${c.title} (${fmtDuration(c.endMs - c.startMs)})</option>`)}
      </select></label>
    <div role="radiogroup" aria-label=${T('Gửi tới', 'Send to')}>
      <label><input type="radio" name="rec-scope" checked=${scope === 'all'} onChange=${() => setScope('all')} data-testid="rec-push-all" /> ${T('Mọi điểm cầu', 'Every site')} (${sites.length})</label><br />
      <label><input type="radio" name="rec-scope" checked=${scope === 'some'} onChange=${() => setScope('some')} data-testid="rec-push-some" /> ${T('Các điểm cầu được chọn', 'Chosen sites')}${chosen.size ? ` (${chosen.size})` : ''}</label>
    </div>
    ${scope === 'some' ? html`<input placeholder=${T('Tìm điểm cầu…', 'Find a site…')} value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} />
      <div class="rec-sites">${shown.map((x) => html`<label key=${x.id}><input type="checkbox" checked=${chosen.has(x.id)} onChange=${() => toggle(x.id)} data-site=${x.id} /> ${x.name}</label>`)}
        ${shown.length === MAX_LISTED ? html`<small class="muted">${T('Hãy gõ để tìm thêm điểm cầu…', 'Type to find more sites…')}</small>` : ''}</div>` : ''}
    <div class="btn-row"><button class="btn" type="button" onClick=${onClose}>${T('Huỷ', 'Cancel')}</button>
      <button class="btn btn-primary" type="button" disabled=${busy} onClick=${send} data-testid="rec-push-send">${T('Gửi', 'Send')}</button></div>
  </${RecDialog}>`;
}

export function DeleteDialog({ s, rec, onClose, onDone }: Props) {
  const [busy, setBusy] = useState(false);
  const del = async () => {
    setBusy(true);
    try {
      await s.api.call('deleteRecording', { params: { conf: s.conf, recording: rec.id }, query: { confirm: rec.id } });
      notify(T(`Đã xoá bản ghi ${rec.id}.`, `Recording ${rec.id} deleted.`), 'ok');
      onDone();
    } catch (err) {
      notify(humanError(err), 'error');
    }
    setBusy(false);
  };
  return html`<${RecDialog} title=${T(`Xoá bản ghi ${rec.id}?`, `Delete recording ${rec.id}?`)} onClose=${onClose} testid="rec-delete-dialog">
    <p>${T(`Bản ghi bắt đầu ${fmtDmyHm(rec.startedAt)}, dài ${fmtDuration(rec.durationMs)}, ${fmtBytes(rec.bytes)} sẽ bị xoá vĩnh viễn khỏi máy chủ. Các bản đã gửi tới điểm cầu vẫn còn ở mục Tài liệu.`,
      `The recording started ${fmtDmyHm(rec.startedAt)}, ${fmtDuration(rec.durationMs)} long, ${fmtBytes(rec.bytes)}, is deleted from the server for good. Copies sent to sites stay under Materials.`)}</p>
    <div class="btn-row"><button class="btn" type="button" onClick=${onClose}>${T('Huỷ', 'Cancel')}</button>
      <button class="btn btn-primary" type="button" disabled=${busy} onClick=${del} data-testid="rec-delete-confirm">${T('Xoá vĩnh viễn', 'Delete for good')}</button></div>
  </${RecDialog}>`;
}
