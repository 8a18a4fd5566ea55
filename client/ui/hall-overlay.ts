// The hall display's overlay on top of the programme video: the maket banner
// before the start and between items, the current agenda item and presenter,
// who holds the floor, the site's name and the date. Sized for a 1920×1080
// screen read from the back of a hall; reconnects by itself and never shows a
// developer error. Usage: mountHallOverlay(el, { site, token, controlUrl }).
import { html, render } from './html.js';
import { useEffect } from 'preact/hooks';
import { signal, type Signal } from '@preact/signals';
import { ControlClient, tokenClaims } from './control-client.js';
import { ControlApi } from './api.js';
import { fmtDate, fmtTime } from './format.js';
import { useNow } from './hooks.js';
import { siteName } from './site-status.js';
import { HALL_CSS } from './hall-overlay-css.js';
import type { Site } from '../../signaling/control.js';

export interface HallOverlayOptions {
  /** The hall's site id. */
  site: string;
  /** The hall's token (viewer / participant / technician of the site). */
  token: string;
  /** Control service origin; '' = this page's origin. */
  controlUrl?: string;
}

export interface HallOverlayHandle {
  client: ControlClient | null;
  /** The link carries the sound only: show the maket, as between items, until it carries the picture again. */
  setAudioOnly(on: boolean): void;
  close(): void;
}

/** "….., ngày... tháng 9 năm 2023" → "Lạng Sơn, ngày 28 tháng 09 năm 2023" from the conference date. */
function fillDateLine(line: string, isoDate: string, place: string): string {
  if (!/ngày\s*\.{2,}|…/.test(line)) return line;
  const [y, m, d] = isoDate.split('-');
  return `${place}, ngày ${d} tháng ${m} năm ${y}`;
}

export interface MaketProps {
  /** The maket lines ("*" = ornament); empty = the title alone. */
  lines: string[];
  title: string;
  /** yyyy-mm-dd: fills the "….., ngày... tháng..." line. */
  date: string;
  /** The place written on the date line (the hall's province, else its own name). */
  place: string;
  /** The line under the banner (starts soon / next item / ended). */
  status: string;
  /** The corner with the site's name and the clock. */
  corner: unknown;
}

/** The maket banner as every hall shows it (also the organizer's live preview, client/ui/organizer/settings-panel.ts). */
export function MaketView({ lines, title, date, place, status, corner }: MaketProps) {
  const shown = lines.length ? lines : [title];
  return html`<div class="dc-ov dc-maket" data-view="maket">
    <div class="dc-maket-inner">${shown.map((l, i) => l.trim() === '*'
      ? html`<div key=${i} class="dc-star">★</div>`
      : html`<div key=${i} class=${`dc-line${/HỘI NGHỊ|NGHIÊN CỨU/.test(l) ? ' dc-big' : ''}`}>${fillDateLine(l, date, place).replace(/(\d)-([A-ZĐ])/g, '$1\u2011$2')}</div>`)}
      <div class="dc-status" data-testid="hall-status">${status}</div>
    </div>${corner}</div>`;
}

/** The place a hall writes on the maket's date line: its province's name without "Tỉnh", else its own name. */
export function hallPlace(me: Site | undefined, sites: Map<string, Site>): string {
  return (me?.path.map((id) => sites.get(id)).find((x) => x?.level === 'province')?.name ?? me?.name ?? '').replace(/^(Tỉnh|Tỉnh uỷ|Tỉnh ủy)\s+/i, '');
}

function Overlay({ client, api, site, audioOnly }: { client: ControlClient; api: ControlApi; site: string; audioOnly: Signal<boolean> }) {
  const now = useNow(1000);
  const st = client.store;
  const conf = st.conference.value;
  const cur = st.current.value;
  const sites = st.siteById.value;
  const me = sites.get(site);
  const floor = st.floor.value?.granted ?? null;
  const conn = client.connection.value;
  // A hall's snapshot holds only its own branch; the site taking the floor may be elsewhere in the tree.
  useEffect(() => {
    if (!floor || sites.has(floor)) return;
    api.call('listSites', { params: { conf: client.opts.conf } }).then((all) => {
      const known = new Set(st.sites.value.map((x) => x.id));
      st.sites.value = [...st.sites.value, ...all.filter((x) => !known.has(x.id))];
    }).catch(() => undefined);
  }, [floor]);
  if (!conf) {
    // Not loaded yet (or cannot load): a calm banner, never an error text.
    return html`<div class="dc-ov dc-maket dc-loading" data-view="loading"><div class="dc-maket-inner"><div class="dc-star">★</div>
      <div class="dc-line dc-big">HỘI NGHỊ TRỰC TUYẾN</div></div></div>`;
  }
  const place = hallPlace(me, sites);
  const ended = conf.state === 'ended';
  // A site holding the floor is shown even between items (a "tham luận" may come outside the agenda).
  // …and the maket covers a picture the link cannot carry (the sound goes on; the page shows the badge)
  const showMaket = ended || (!cur && !floor) || audioOnly.value;
  const items = st.agenda.value?.items ?? [];
  const nextItem = items.find((i) => i.state === 'pending');
  const lower = html`<div class="dc-corner" data-testid="hall-site"><span class="dc-site">${me?.name ?? site}</span>
    <span class="dc-clock">${fmtTime(now)} · ${fmtDate(now)}</span>${conn !== 'online' ? html`<span class="dc-conn" title="…">●</span>` : ''}</div>`;
  if (showMaket) {
    const status = ended ? 'Hội nghị đã kết thúc · Xin cảm ơn các đồng chí'
      : nextItem && items.some((i) => i.state === 'done') ? `Tiếp theo: ${nextItem.title}`
      : `Hội nghị sắp bắt đầu${conf.plannedStart ? ` · ${fmtTime(conf.plannedStart)}` : ''}`;
    return html`<${MaketView} lines=${conf.maket} title=${conf.title} date=${conf.date} place=${place} status=${status} corner=${lower} />`;
  }
  return html`<div class="dc-ov" data-view="programme">
    ${floor ? html`<div class="dc-floor" data-testid="hall-floor">Phát biểu từ điểm cầu: <strong>${siteName(sites, floor)}</strong></div>` : ''}
    ${cur ? html`<div class="dc-third" data-testid="hall-item" data-item=${cur.id}>
      <div class="dc-num">${cur.order + 1}</div>
      <div class="dc-text"><div class="dc-title">${cur.title}</div><div class="dc-presenter">${cur.presenter}</div></div>
    </div>` : ''}
    ${lower}
  </div>`;
}

export function mountHallOverlay(el: HTMLElement, opts: HallOverlayOptions): HallOverlayHandle {
  if (!document.getElementById('dc-hall-overlay-css')) {
    const style = document.createElement('style');
    style.id = 'dc-hall-overlay-css';
    style.textContent = HALL_CSS;
    document.head.append(style);
  }
  const claims = opts.token ? tokenClaims(opts.token) : null;
  if (!claims) {
    // The hall page already says the link is wrong; the overlay stays quiet.
    return { client: null, setAudioOnly() { /* the page shows its own card */ }, close() { render(null, el); } };
  }
  const audioOnly = signal(false);
  const client = new ControlClient({ base: opts.controlUrl ?? '', token: opts.token, client: 'hall', conf: claims.conf }).start();
  const api = new ControlApi({ base: opts.controlUrl ?? '', token: opts.token });
  render(html`<${Overlay} client=${client} api=${api} site=${opts.site || claims.site || ''} audioOnly=${audioOnly} />`, el);
  let closed = false;
  (window as unknown as { __hallOverlay: unknown }).__hallOverlay = client;
  return {
    client,
    setAudioOnly(on) { audioOnly.value = on; },
    close() {
      if (closed) return;
      closed = true;
      render(null, el);
      client.close();
    },
  };
}
