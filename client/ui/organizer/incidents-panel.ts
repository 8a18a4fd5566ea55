// Incidents inbox: what the sites reported ("vấn đề phát sinh"), newest and
// open first; the organizer marks them handled with a note.
import { useEffect, useState } from 'preact/hooks';
import { ControlEvents, type Incident } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime } from '../format.js';
import { Panel } from '../components.js';
import { act } from '../notices.js';
import { humanError } from '../errors.js';
import { siteName } from '../site-status.js';
import type { AppSession } from '../app.js';

export function severityText(sv: Incident['severity']): string {
  return { low: T('Thấp', 'Low'), normal: T('Bình thường', 'Normal'), high: T('Khẩn', 'Urgent') }[sv];
}

export function IncidentsPanel({ s }: { s: AppSession }) {
  const store = s.client.store;
  useEffect(() => {
    s.api.call('listIncidents', { params: { conf: s.conf } })
      .then((list) => { for (const i of list) store.upsertIncident(i); })
      .catch((err) => console.warn('[diemcau] incidents', humanError(err)));
  }, []);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const list = [...store.incidents.value].sort((a, b) => (a.state === b.state ? b.createdAt - a.createdAt : a.state === 'open' ? -1 : 1));
  const sites = store.siteById.value;
  return html`<${Panel} title=${T('Sự cố từ các điểm cầu', 'Incidents from the sites')} id="incidents">
    ${list.length === 0 ? html`<div class="empty">${T('Chưa có sự cố nào được báo', 'No incidents reported')}</div>` : ''}
    <div class="cards">${list.map((i) => html`<div key=${i.id} class="card" data-incident=${i.id}>
      <div class="btn-row" style=${{ justifyContent: 'space-between' }}>
        <div><span class=${`state-pill state-${i.severity === 'high' ? 'high' : i.state}`}>${i.state === 'open' ? severityText(i.severity) : T('Đã xử lý', 'Handled')}</span>
          <strong> ${siteName(sites, i.site)}</strong> — ${i.title}</div>
        <small>${fmtDateTime(i.createdAt)}</small>
      </div>
      ${i.detail ? html`<div style=${{ margin: '4px 0', whiteSpace: 'pre-wrap' }}>${i.detail}</div>` : ''}
      ${i.state === 'open' ? html`<div class="btn-row">
        <input style=${{ flex: 1, padding: '4px 8px', border: '1px solid #c6cdd8', borderRadius: '6px' }} placeholder=${T('Ghi chú xử lý', 'Note')}
          aria-label=${T('Ghi chú xử lý', 'Note')} value=${notes[i.id] ?? ''} onInput=${(e: Event) => setNotes({ ...notes, [i.id]: (e.target as HTMLInputElement).value })} />
        <button class="btn btn-small btn-primary" onClick=${() => act(async () => store.upsertIncident(await s.client.emit(ControlEvents.incidentHandle, { id: i.id, note: notes[i.id] ?? '' })))}>${T('Đánh dấu đã xử lý', 'Mark handled')}</button>
      </div>` : html`<small>${T('Xử lý lúc', 'Handled at')} ${i.handledAt ? fmtDateTime(i.handledAt) : ''}${i.handledNote ? ` — ${i.handledNote}` : ''}</small>`}
    </div>`)}</div>
  </${Panel}>`;
}
