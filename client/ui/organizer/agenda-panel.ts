// Agenda control: start / next / end, planned vs actual, a live timer of the
// running item, and the conference state (draft → rehearsal → live → ended).
import { useNow } from '../hooks.js';
import { ControlEvents, CONFERENCE_TRANSITIONS, type AgendaItem, type ConferenceState } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtTime, fmtDuration } from '../format.js';
import { Panel } from '../components.js';
import { act } from '../notices.js';
import type { AppSession } from '../app.js';


export function stateText(s: ConferenceState): string {
  return { draft: T('Bản nháp', 'Draft'), rehearsal: T('Tổng duyệt', 'Rehearsal'), live: T('Đang diễn ra', 'Live'), ended: T('Đã kết thúc', 'Ended') }[s];
}

function itemState(i: AgendaItem): string {
  return { pending: T('Chưa bắt đầu', 'Pending'), running: T('Đang trình bày', 'Running'), done: T('Đã xong', 'Done') }[i.state];
}

export function AgendaPanel({ s }: { s: AppSession }) {
  const now = useNow();
  const store = s.client.store;
  const agenda = store.agenda.value;
  const conf = store.conference.value;
  const items = agenda?.items ?? [];
  const cur = store.current.value;
  const next = items.find((i) => i.state === 'pending' && (!cur || i.order > cur.order)) ?? items.find((i) => i.state === 'pending');
  const start = (id: string) => act(async () => {
    // Items run only while the conference is live (or rehearsing): opening it is part of starting the first item.
    const st = store.conference.value?.state;
    if (st === 'draft') store.conference.value = await s.client.emit(ControlEvents.conferenceState, { state: 'live' });
    return s.client.emit(ControlEvents.agendaStart, { item: id });
  });
  const end = (id: string) => act(() => s.client.emit(ControlEvents.agendaEnd, { item: id }));
  const setState = (st: ConferenceState) => act(() => s.client.emit(ControlEvents.conferenceState, { state: st }), T('Đã chuyển trạng thái hội nghị', 'Conference state changed'));
  const elapsed = cur?.actualStart ? now - cur.actualStart : 0;
  const planned = (cur?.plannedDurationMin ?? 0) * 60_000;
  const moves = conf ? CONFERENCE_TRANSITIONS[conf.state] : [];

  const actions = html`
    ${conf ? html`<span class=${`state-pill state-${conf.state}`} data-testid="conf-state">${stateText(conf.state)}</span>` : ''}
    ${moves.map((m) => html`<button class="btn btn-small" onClick=${() => setState(m)}>${{
      draft: T('Về bản nháp', 'Back to draft'), rehearsal: T('Tổng duyệt', 'Rehearsal'), live: T('Khai mạc (trực tiếp)', 'Go live'), ended: T('Bế mạc', 'End conference'),
    }[m]}</button>`)}`;

  return html`<${Panel} title=${T('Chương trình', 'Agenda')} id="agenda" actions=${actions}>
    <div class="btn-row" style=${{ marginBottom: '8px', justifyContent: 'space-between' }}>
      <div style=${{ minWidth: 0, flex: 1 }}>
        ${cur ? html`<div class="muted" style=${{ fontSize: '12px' }}>${T('Đang trình bày', 'Now')}: ${cur.presenter}</div>
          <div data-testid="current-item" style=${{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>${cur.order + 1}. ${cur.title}</div>`
        : html`<div class="muted" data-testid="current-item">${T('Chưa có nội dung nào đang trình bày', 'Nothing is running')}</div>`}
      </div>
      ${cur ? html`<div class=${`big-figure timer${elapsed > planned ? ' over' : ''}`} title=${T('Thực tế / kế hoạch', 'Actual / planned')} data-testid="timer">
        ${fmtDuration(elapsed)}<small> / ${fmtDuration(planned)}</small></div>` : ''}
      <div class="btn-row">
        ${next && conf?.state !== 'ended' ? html`<button class="btn btn-primary" data-testid="agenda-next" onClick=${() => start(next.id)}
          title=${next.title}>${cur ? T('Chuyển nội dung tiếp ▸', 'Next item ▸') : conf?.state === 'draft' ? T('▶ Khai mạc và bắt đầu', '▶ Open and start') : T('▶ Bắt đầu', '▶ Start')}</button>` : ''}
        ${cur ? html`<button class="btn" data-testid="agenda-end" onClick=${() => end(cur.id)}>${T('■ Kết thúc nội dung', '■ End item')}</button>` : ''}
      </div>
    </div>
    <div style=${{ maxHeight: 'max(230px, calc(100vh - 520px))', overflowY: 'auto' }}>
      <table class="grid">
        <thead><tr><th>#</th><th>${T('Nội dung', 'Item')}</th><th>${T('Kế hoạch', 'Planned')}</th><th>${T('Thực tế', 'Actual')}</th><th>${T('Trạng thái', 'State')}</th><th></th></tr></thead>
        <tbody>${items.map((i) => {
          const actualMs = i.actualStart ? (i.actualEnd ?? now) - i.actualStart : 0;
          return html`<tr key=${i.id} class=${i.state} data-item=${i.id}>
            <td>${i.order + 1}</td>
            <td><div style=${{ fontWeight: 500 }}>${T(i.title, i.titleEn ?? i.title)}</div><small>${i.presenter}</small></td>
            <td class="num">${fmtTime(i.plannedStart)}<br /><small>${i.plannedDurationMin}′</small></td>
            <td class="num">${i.actualStart ? fmtTime(i.actualStart) : '—'}<br /><small class=${actualMs > i.plannedDurationMin * 60_000 ? 'check-fail' : ''}>${i.actualStart ? fmtDuration(actualMs) : ''}</small></td>
            <td><span class=${`state-pill state-${i.state}`}>${itemState(i)}</span></td>
            <td>${i.state === 'running'
              ? html`<button class="btn btn-small" onClick=${() => end(i.id)}>${T('Kết thúc', 'End')}</button>`
              : i.state === 'pending' && conf?.state !== 'ended' ? html`<button class="btn btn-small" onClick=${() => start(i.id)} aria-label=${`${T('Bắt đầu', 'Start')} ${i.order + 1}`}>${T('Bắt đầu', 'Start')}</button>` : ''}</td>
          </tr>`;
        })}</tbody>
      </table>
    </div>
  </${Panel}>`;
}
