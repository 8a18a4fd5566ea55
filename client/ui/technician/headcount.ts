// Headcount per delegate group, entered by the technician; the roll-ups above
// change as soon as it is saved.
import { useEffect, useState } from 'preact/hooks';
import { ControlEvents } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime, fmtPct } from '../format.js';
import { Panel } from '../components.js';
import { act } from '../notices.js';
import type { AppSession } from '../app.js';

export function Headcount({ s }: { s: AppSession }) {
  const store = s.client.store;
  const site = store.siteById.value.get(s.site ?? '');
  const groups = store.groupsFor(site);
  const att = store.attendance.value.get(s.site ?? '');
  const [draft, setDraft] = useState<Record<string, string>>({});
  const key = `${att?.updatedAt ?? 0}`;
  useEffect(() => { setDraft({}); }, [key]);
  const value = (g: string) => draft[g] ?? String(att?.present[g] ?? 0);
  const dirty = Object.keys(draft).length > 0;
  const save = async (e: Event) => {
    e.preventDefault();
    const present: Record<string, number> = {};
    for (const g of groups) present[g.id] = Math.max(0, Math.floor(Number(value(g.id)) || 0));
    const r = await act(() => s.client.emit(ControlEvents.headcounts, { site: s.site!, present }), T('Đã gửi số người có mặt', 'Headcount sent'));
    if (r) { store.setAttendance(r); setDraft({}); }
  };
  let tp = 0, te = 0;
  for (const g of groups) { tp += Number(value(g.id)) || 0; te += att?.expected[g.id] ?? 0; }
  return html`<${Panel} title=${T('Số người có mặt', 'Headcount')} id="headcount">
    <form onSubmit=${save}>
      <table class="grid"><thead><tr><th>${T('Thành phần', 'Delegate group')}</th><th class="num">${T('Dự kiến', 'Expected')}</th><th class="num">${T('Có mặt', 'Present')}</th></tr></thead>
        <tbody>${groups.map((g) => html`<tr key=${g.id}>
          <td><label for=${`hc-${g.id}`}>${T(g.name, g.nameEn ?? g.name)}</label></td>
          <td class="num">${att?.expected[g.id] ?? 0}</td>
          <td class="num"><input id=${`hc-${g.id}`} data-group=${g.id} type="number" min="0" max="100000" inputmode="numeric" value=${value(g.id)}
            style=${{ width: '80px', textAlign: 'right', padding: '4px 6px' }}
            onInput=${(e: Event) => setDraft({ ...draft, [g.id]: (e.target as HTMLInputElement).value })} /></td>
        </tr>`)}
        <tr><td><strong>${T('Tổng', 'Total')}</strong></td><td class="num"><strong>${te}</strong></td><td class="num"><strong>${tp}</strong> <small>${fmtPct(tp, te)}</small></td></tr>
        </tbody></table>
      <div class="btn-row" style=${{ marginTop: '8px', justifyContent: 'space-between' }}>
        <small>${att?.reported && att.updatedAt ? `${T('Đã gửi lúc', 'Sent at')} ${fmtDateTime(att.updatedAt)}` : T('Chưa gửi số liệu', 'Not sent yet')}</small>
        <button class=${`btn ${dirty ? 'btn-primary' : ''}`} type="submit" data-testid="headcount-save">${T('Gửi số liệu', 'Send headcount')}</button>
      </div>
    </form>
  </${Panel}>`;
}
