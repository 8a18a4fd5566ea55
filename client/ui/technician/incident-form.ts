// Report a problem to the organisers ("vấn đề phát sinh") and see this site's reports.
import { useEffect, useState } from 'preact/hooks';
import { ControlEvents } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtTime } from '../format.js';
import { Panel } from '../components.js';
import { act } from '../notices.js';
import { severityText } from '../organizer/incidents-panel.js';
import type { AppSession } from '../app.js';

export function IncidentForm({ s }: { s: AppSession }) {
  const store = s.client.store;
  const [title, setTitle] = useState('');
  const [detail, setDetail] = useState('');
  const [severity, setSeverity] = useState<'low' | 'normal' | 'high'>('normal');
  useEffect(() => {
    s.api.call('listIncidents', { params: { conf: s.conf }, query: { site: s.site ?? undefined } })
      .then((l) => { for (const i of l) store.upsertIncident(i); }).catch(() => undefined);
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await act(() => s.client.emit(ControlEvents.incidentReport, { site: s.site!, title, detail, severity }), T('Đã báo sự cố tới Ban tổ chức', 'Incident reported to the organisers'));
    if (r) { store.upsertIncident(r); setTitle(''); setDetail(''); }
  };
  const mine = store.incidents.value.filter((i) => i.site === s.site).slice(0, 3);
  return html`<${Panel} title=${T('Báo sự cố', 'Report an incident')} id="incident">
    <form onSubmit=${submit} style=${{ display: 'flex', flexDirection: 'column', gap: '6px' }}>
      <label class="field">${T('Sự cố', 'What happened')}<input required maxLength="300" value=${title} data-testid="incident-title"
        placeholder=${T('VD: Mất tiếng từ điểm cầu tỉnh', 'e.g. No sound from the province')} onInput=${(e: Event) => setTitle((e.target as HTMLInputElement).value)} /></label>
      <label class="field">${T('Chi tiết', 'Details')}<textarea rows="2" maxLength="4000" value=${detail} onInput=${(e: Event) => setDetail((e.target as HTMLTextAreaElement).value)}></textarea></label>
      <div class="btn-row" style=${{ justifyContent: 'space-between' }}>
        <select value=${severity} aria-label=${T('Mức độ', 'Severity')} onChange=${(e: Event) => setSeverity((e.target as HTMLSelectElement).value as 'low')}>
          <option value="low">${severityText('low')}</option><option value="normal">${severityText('normal')}</option><option value="high">${severityText('high')}</option>
        </select>
        <button class="btn btn-primary" type="submit" disabled=${!title.trim()}>${T('Gửi báo cáo', 'Send')}</button>
      </div>
    </form>
    ${mine.map((i) => html`<div key=${i.id} style=${{ fontSize: '12px', marginTop: '4px' }}>
      <span class=${`state-pill state-${i.state}`}>${i.state === 'open' ? T('Đang chờ', 'Open') : T('Đã xử lý', 'Handled')}</span> ${fmtTime(i.createdAt)} — ${i.title}${i.handledNote ? html` <small>(${i.handledNote})</small>` : ''}</div>`)}
  </${Panel}>`;
}
