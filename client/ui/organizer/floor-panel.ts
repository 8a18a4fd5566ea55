// The floor ("tham luận"): give it to a site, take it back, answer requests.
// The decision goes to the control service, which switches the media cascade.
import type { Signal } from '@preact/signals';
import { ControlEvents } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtTime } from '../format.js';
import { Panel } from '../components.js';
import { act, notify } from '../notices.js';
import { siteName } from '../site-status.js';
import type { AppSession } from '../app.js';

export async function giveFloor(s: AppSession, site: string | null): Promise<void> {
  // Recording the grant is the whole action: the control service switches the programme on the
  // conference's root media node (and repairs it there if the node restarts or reconnects).
  const ok = await act(() => s.client.emit(ControlEvents.floorGrant, { site }));
  if (!ok) return;
  const store = s.client.store;
  notify(site ? T(`Đã trao quyền phát biểu cho ${siteName(store.siteById.value, site)}; các điểm cầu chuyển hình trong vài giây.`, `Floor given to ${siteName(store.siteById.value, site)}; halls switch within seconds.`)
    : T('Đã lấy lại quyền phát biểu về điểm cầu chính.', 'Floor taken back to the main site.'), 'ok');
}

export function FloorPanel({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  const store = s.client.store;
  const floor = store.floor.value;
  const sites = store.siteById.value;
  const waiting = (floor?.requests ?? []).filter((r) => r.state === 'waiting');
  const sel = selected.value ? sites.get(selected.value) : undefined;
  const canGive = sel && sel.parent !== null && floor?.granted !== sel.id;
  return html`<${Panel} title=${T('Quyền phát biểu', 'Floor')} id="floor">
    <div class="btn-row" style=${{ justifyContent: 'space-between', marginBottom: '8px' }}>
      <div data-testid="floor-holder">${floor?.granted
        ? html`<strong>${siteName(sites, floor.granted)}</strong> <small>${T('đang phát biểu', 'has the floor')}${floor.since ? ` ${T('từ', 'since')} ${fmtTime(floor.since)}` : ''}</small>`
        : html`<span class="muted">${T('Điểm cầu chính đang phát', 'The main site is broadcasting')}</span>`}</div>
      ${floor?.granted ? html`<button class="btn btn-danger" data-testid="floor-take-back" onClick=${() => giveFloor(s, null)}>${T('Lấy lại quyền', 'Take it back')}</button>` : ''}
    </div>
    <button class="btn btn-primary" data-testid="floor-give" disabled=${!canGive} onClick=${() => sel && giveFloor(s, sel.id)}>
      ${sel ? T(`Trao quyền cho: ${sel.name}`, `Give the floor to: ${sel.name}`) : T('Chọn một điểm cầu trong cây để trao quyền', 'Pick a site in the tree to give it the floor')}
    </button>
    <h3 style=${{ fontSize: '13px', margin: '10px 0 4px' }}>${T('Đăng ký phát biểu', 'Requests')} (${waiting.length})</h3>
    ${waiting.length === 0 ? html`<div class="empty">${T('Chưa có điểm cầu nào xin phát biểu', 'No site has asked for the floor')}</div>` : ''}
    ${waiting.map((r) => html`<div key=${r.site} class="btn-row" style=${{ justifyContent: 'space-between', padding: '4px 0', borderBottom: '1px solid #eef0f4' }}>
      <div><strong>${siteName(sites, r.site)}</strong> <small>${fmtTime(r.at)}${r.note ? ` — ${r.note}` : ''}</small></div>
      <div class="btn-row">
        <button class="btn btn-small btn-primary" onClick=${() => giveFloor(s, r.site)}>${T('Trao quyền', 'Give')}</button>
        <button class="btn btn-small" onClick=${() => act(() => s.client.emit(ControlEvents.floorDismiss, { site: r.site }))}>${T('Bỏ qua', 'Dismiss')}</button>
      </div>
    </div>`)}
  </${Panel}>`;
}
