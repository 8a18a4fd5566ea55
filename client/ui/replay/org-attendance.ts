// The organizer's attendance view, replay part: the total beside the live one,
// and the replay sessions of the selected site's subtree. Loaded when the view
// opens and again after every reconnect; pushes keep it current in between.
import { useEffect } from 'preact/hooks';
import type { Site } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtIsoDate, fmtNum } from '../format.js';
import type { AppSession } from '../app.js';
import { itemsText, sourceText, type ReplaySums } from './figures.js';

export function useReplays(s: AppSession): void {
  const conn = s.client.connection.value;
  useEffect(() => {
    if (conn !== 'online') return;
    s.api.call('listReplays', { params: { conf: s.conf } }).then((l) => s.client.store.upsertReplays(l)).catch((err) => console.warn('[diemcau] replays', err));
  }, [conn]);
}

export function ReplayFigure({ sums, testid }: { sums: ReplaySums; testid: string }) {
  return html` · <span class="replay-total" title=${T('Học tập lại: báo cáo riêng, không cộng vào số có mặt trực tiếp', 'Replay: reported apart, not added to the live figure')}>
    ${T('Học tập lại (Replay)', 'Replay')}: <strong data-testid=${testid}>${fmtNum(sums.total)}</strong> ${T('lượt', 'people')}, ${sums.sessions} ${T('buổi', 'sessions')}</span>`;
}

/** The sessions of `site` and below, latest first (at most 12 shown). */
export function ReplayList({ s, site }: { s: AppSession; site: Site }) {
  const store = s.client.store;
  const sites = store.siteById.value;
  const order = new Map((store.agenda.value?.items ?? []).map((i) => [i.id, i.order]));
  const mine = store.replays.value.filter((r) => r.site === site.id || (sites.get(r.site)?.path ?? []).includes(site.id)).reverse();
  if (!mine.length) return html`<p class="muted" data-testid="replay-none" style=${{ margin: '8px 0 0' }}>${T('Chưa có buổi học tập lại nào.', 'No replay sessions yet.')}</p>`;
  return html`<div data-testid="replay-list" style=${{ marginTop: '10px' }}>
    <strong>${T('Các buổi học tập lại (Replay)', 'Replay sessions')}</strong> <small class="muted">${T('— không cộng vào số trực tiếp', '— not added to the live figures')}</small>
    <table class="grid"><thead><tr><th>${T('Điểm cầu', 'Site')}</th><th>${T('Ngày', 'Date')}</th><th>${T('Đã xem', 'Watched')}</th><th>${T('Nguồn', 'Source')}</th><th class="num">${T('Số người', 'People')}</th></tr></thead>
      <tbody>${mine.slice(0, 12).map((r) => html`<tr key=${r.id} data-replay-session=${r.site}>
        <td>${sites.get(r.site)?.name ?? r.site}</td><td>${fmtIsoDate(r.date)}</td><td>${itemsText(r.items, order, T)}</td><td>${sourceText(r.source, T)}</td>
        <td class="num">${fmtNum(Object.values(r.counts).reduce((a, b) => a + b, 0))}</td></tr>`)}</tbody></table>
    ${mine.length > 12 ? html`<small class="muted">${T(`và ${mine.length - 12} buổi khác (xem báo cáo XLSX)`, `and ${mine.length - 12} more (see the XLSX report)`)}</small>` : ''}
  </div>`;
}
