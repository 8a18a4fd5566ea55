// "Học tập lại (Replay)": the technician reports a replay session of the
// conference at this site — the day, the items watched, the headcount per
// delegate group of the site's kind, what it was watched from, a note — and
// sees the site's earlier sessions. Kept apart from the live headcount. Also
// shown on the replay page after playing, with the items played filled in.
import { useEffect, useState } from 'preact/hooks';
import type { Recording, ReplaySession } from '../../../signaling/recording.js';
import { html } from '../html.js';
import { lang, T } from '../i18n.js';
import { fmtDmyHm, fmtIsoDate, fmtNum } from '../format.js';
import { notify } from '../notices.js';
import { humanError, toUiError } from '../errors.js';
import { itemsText, sourceText } from '../replay/figures.js';
import type { AppSession } from '../app.js';

type Source = ReplaySession['source'];
export interface ReplayPrefill { items?: ReplaySession['items']; source?: Source; recording?: string | null }

/** Today in Vietnam time as dd/mm/yyyy. */
function todayDmy(): string {
  const d = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  return fmtIsoDate(d);
}
/** dd/mm/yyyy → yyyy-mm-dd, or null when it is not a date of that form. */
export function parseDmy(s: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s);
  if (!m) return null;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === iso ? iso : null;
}

/** The service's own sentence for a refused session (it says which field and what to do), in the page's language. */
function refusal(err: unknown): string {
  const e = toUiError(err);
  const msg = e.code === 'BAD_REQUEST' || e.code === 'TOO_LARGE' ? e.detail.replace(/^postReplay: /, '') : '';
  if (!msg.includes(' / ')) return humanError(err);
  const [vi, en] = msg.split(' / ');
  return lang.value === 'en' ? en! : vi!;
}

export function ReplayForm({ s, prefill, recordings = [], onDone }: {
  s: AppSession; prefill?: ReplayPrefill; recordings?: Recording[]; onDone?: (r: ReplaySession) => void;
}) {
  const store = s.client.store;
  const site = store.siteById.value.get(s.site ?? '');
  const groups = store.groupsFor(site);
  const agenda = store.agenda.value?.items ?? [];
  const [date, setDate] = useState(todayDmy());
  const [all, setAll] = useState(prefill?.items === undefined || prefill.items === 'all');
  const [picked, setPicked] = useState<string[]>(Array.isArray(prefill?.items) ? prefill!.items as string[] : []);
  const [counts, setCounts] = useState<Record<string, string>>({});
  const [source, setSource] = useState<Source>(prefill?.source ?? 'recording');
  const [recording, setRecording] = useState<string>(prefill?.recording ?? '');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (prefill?.items !== undefined) { setAll(prefill.items === 'all'); setPicked(Array.isArray(prefill.items) ? prefill.items : []); }
    if (prefill?.recording !== undefined) setRecording(prefill.recording ?? '');
    if (prefill?.source) setSource(prefill.source);
  }, [JSON.stringify(prefill ?? {})]);
  const iso = parseDmy(date);
  const total = groups.reduce((a, g) => a + (Math.floor(Number(counts[g.id])) || 0), 0);
  const ready = !!iso && total > 0 && (all || picked.length > 0) && !busy;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!iso) { setError(T('Ngày phải có dạng dd/mm/yyyy, ví dụ 05/10/2023.', 'The date must read dd/mm/yyyy, e.g. 05/10/2023.')); return; }
    setBusy(true);
    setError('');
    try {
      const body = {
        site: s.site!, date: iso, items: all ? 'all' as const : agenda.filter((i) => picked.includes(i.id)).map((i) => i.id),
        counts: Object.fromEntries(groups.map((g) => [g.id, Math.max(0, Math.floor(Number(counts[g.id])) || 0)])),
        source, recording: source === 'recording' && recording ? recording : null, note: note.trim(),
      };
      const r = await s.api.call('postReplay', { params: { conf: s.conf }, body });
      store.upsertReplays([r]);
      notify(T('Đã ghi nhận buổi học tập lại', 'The replay session was recorded'), 'ok');
      setCounts({});
      setNote('');
      onDone?.(r);
    } catch (err) {
      setError(refusal(err));
    } finally {
      setBusy(false);
    }
  };
  const toggle = (id: string) => setPicked(picked.includes(id) ? picked.filter((x) => x !== id) : [...picked, id]);
  const num = { width: '80px', textAlign: 'right', padding: '4px 6px' };
  return html`<form onSubmit=${submit} data-testid="replay-form" style=${{ display: 'flex', flexDirection: 'column', gap: '8px' }}>
    <p class="muted" style=${{ margin: 0 }}>${T('Báo số người dự khi điểm cầu xem lại hội nghị sau (từ bản ghi hoặc tài liệu). Số này báo riêng, không cộng vào số có mặt trực tiếp.',
      'Report who attended when this site studied the conference later (from the recording or the materials). Reported apart, never added to the live headcount.')}</p>
    <label class="field">${T('Ngày học tập lại (dd/mm/yyyy)', 'Date (dd/mm/yyyy)')}
      <input data-testid="replay-date" required inputmode="numeric" placeholder="dd/mm/yyyy" value=${date} aria-invalid=${!iso}
        onInput=${(e: Event) => setDate((e.target as HTMLInputElement).value)} style=${{ maxWidth: '160px' }} /></label>
    <fieldset style=${{ border: 0, padding: 0, margin: 0 }}><legend class="muted">${T('Nội dung đã xem', 'Items watched')}</legend>
      <label><input type="radio" name="replay-items" checked=${all} data-testid="replay-all" onChange=${() => setAll(true)} /> ${T('Cả hội nghị', 'The whole conference')}</label>
      <label style=${{ marginLeft: '12px' }}><input type="radio" name="replay-items" checked=${!all} data-testid="replay-some" onChange=${() => setAll(false)} /> ${T('Một số nội dung', 'Some items')}</label>
      ${!all ? html`<div style=${{ display: 'flex', flexDirection: 'column', gap: '2px', marginTop: '4px', maxHeight: '160px', overflowY: 'auto' }}>${agenda.map((it) => html`<label key=${it.id}>
        <input type="checkbox" data-item=${it.id} checked=${picked.includes(it.id)} onChange=${() => toggle(it.id)} /> ${it.order + 1}. ${it.title}</label>`)}</div>` : ''}
    </fieldset>
    <table class="grid"><thead><tr><th>${T('Thành phần', 'Delegate group')}</th><th class="num">${T('Số người dự', 'Attended')}</th></tr></thead>
      <tbody>${groups.map((g) => html`<tr key=${g.id}><td><label for=${`rp-${g.id}`}>${T(g.name, g.nameEn ?? g.name)}</label></td>
        <td class="num"><input id=${`rp-${g.id}`} data-replay-group=${g.id} type="number" min="0" max="100000" inputmode="numeric" placeholder="0" value=${counts[g.id] ?? ''}
          style=${num} onInput=${(e: Event) => setCounts({ ...counts, [g.id]: (e.target as HTMLInputElement).value })} /></td></tr>`)}
        <tr><td><strong>${T('Tổng', 'Total')}</strong></td><td class="num"><strong data-testid="replay-total">${fmtNum(total)}</strong></td></tr></tbody></table>
    <div class="btn-row">
      <label class="field">${T('Xem từ', 'Watched from')}<select data-testid="replay-source" value=${source} onChange=${(e: Event) => setSource((e.target as HTMLSelectElement).value as Source)}>
        <option value="recording">${sourceText('recording', T)}</option><option value="materials">${sourceText('materials', T)}</option><option value="other">${sourceText('other', T)}</option></select></label>
      ${source === 'recording' && recordings.length ? html`<label class="field">${T('Bản ghi', 'Recording')}<select data-testid="replay-recording" value=${recording} onChange=${(e: Event) => setRecording((e.target as HTMLSelectElement).value)}>
        <option value="">${T('(không ghi rõ)', '(not stated)')}</option>${recordings.map((r) => html`<option key=${r.id} value=${r.id}>${fmtDmyHm(r.startedAt)}</option>`)}</select></label>` : ''}
    </div>
    <label class="field">${T('Ghi chú', 'Note')}<textarea rows="2" maxLength="2000" data-testid="replay-note" value=${note} onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}></textarea></label>
    ${error ? html`<div class="check-fail" role="alert" data-testid="replay-error">${error}</div>` : ''}
    <div class="btn-row" style=${{ justifyContent: 'flex-end' }}>
      <button class="btn btn-primary" type="submit" data-testid="replay-submit" disabled=${!ready}>${T('Ghi nhận buổi học tập lại', 'Record the replay session')}</button></div>
  </form>`;
}

/** The site's earlier replay sessions, latest first. */
export function ReplayHistory({ s }: { s: AppSession }) {
  const store = s.client.store;
  useEffect(() => {
    s.api.call('listReplays', { params: { conf: s.conf }, query: { site: s.site ?? undefined } }).then((l) => store.upsertReplays(l)).catch(() => undefined);
  }, []);
  const order = new Map((store.agenda.value?.items ?? []).map((i) => [i.id, i.order]));
  const mine = store.replays.value.filter((r) => r.site === s.site).reverse();
  return html`<div data-testid="replay-history" style=${{ marginTop: '10px' }}>
    <strong>${T('Các buổi đã báo', 'Sessions reported')}</strong>
    ${mine.length === 0 ? html`<div class="empty">${T('Chưa có buổi học tập lại nào', 'No replay sessions yet')}</div>`
      : mine.map((r) => html`<div key=${r.id} data-replay-id=${r.id} style=${{ fontSize: '12px', marginTop: '4px' }}>
        <strong>${fmtIsoDate(r.date)}</strong> — ${itemsText(r.items, order, T)} · ${fmtNum(Object.values(r.counts).reduce((a, b) => a + b, 0))} ${T('người', 'people')} · ${sourceText(r.source, T)}${r.note ? html` <small class="muted">(${r.note})</small>` : ''}</div>`)}
  </div>`;
}
