// Delegate check-in at a site: pick your group, give your name, check in; check
// out when you leave. Works on a phone; the page shows its own QR code so one
// phone can pass the link to the next delegate.
import { useState } from 'preact/hooks';
import { ControlEvents, type CheckIn } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtTime, fmtDate } from '../format.js';
import { AppHeader, Panel, FullMessage } from '../components.js';
import { QrCode } from '../qr.js';
import { act } from '../notices.js';
import type { AppSession } from '../app.js';

const KEY = 'diemcau.checkins';
function load(): CheckIn[] {
  try { return JSON.parse(localStorage.getItem(KEY) ?? '[]') as CheckIn[]; } catch { return []; }
}
function save(list: CheckIn[]): void {
  try { localStorage.setItem(KEY, JSON.stringify(list.slice(-20))); } catch { /* ignore */ }
}

export function CheckInApp({ s }: { s: AppSession }) {
  const store = s.client.store;
  const site = store.siteById.value.get(s.site ?? '');
  const groups = store.groupsFor(site);
  const [group, setGroup] = useState('');
  const [name, setName] = useState('');
  const [unit, setUnit] = useState('');
  const [mine, setMine] = useState<CheckIn[]>(load().filter((c) => c.site === s.site));
  if (!s.site) return html`<${FullMessage} title=${T('Thiếu điểm cầu', 'No site')} text=${T('Đường liên kết điểm danh phải gắn với một điểm cầu. Hãy quét lại mã QR tại hội trường.', 'The check-in link must name a site. Scan the QR code in the hall again.')} />`;
  const update = (c: CheckIn) => {
    const all = load().filter((x) => x.id !== c.id);
    all.push(c);
    save(all);
    setMine(all.filter((x) => x.site === s.site));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const c = await act(() => s.client.emit(ControlEvents.checkIn, { site: s.site!, group, name, unit: unit.trim() || undefined }),
      T('Đã điểm danh. Cảm ơn đồng chí!', 'Checked in. Thank you!'));
    if (c) { update(c); setName(''); setUnit(''); }
  };
  const out = async (c: CheckIn) => {
    const r = await act(() => s.client.emit(ControlEvents.checkOut, { id: c.id }), T('Đã ghi nhận ra về', 'Checked out'));
    if (r) update(r);
  };
  const gname = (id: string) => { const g = groups.find((x) => x.id === id); return g ? T(g.name, g.nameEn ?? g.name) : id; };
  // the page's own link for the next phone: the token left the address bar, so it is put back here
  const q = new URLSearchParams(location.search);
  q.set('token', s.token);
  const link = `${location.origin}${location.pathname}?${q}`;
  return html`<div>
    <${AppHeader} app=${T('Điểm danh', 'Check-in')} conference=${store.conference.value} connection=${s.client.connection} />
    <main class="layout checkin-layout">
      <${Panel} title=${site ? site.name : T('Điểm cầu', 'Site')} id="checkin">
        <p class="muted" style=${{ marginTop: 0 }}>${T(`Hôm nay ${fmtDate(Date.now())}. Chọn thành phần, nhập họ tên rồi bấm Điểm danh.`, `Today ${fmtDate(Date.now())}. Pick your group, enter your name and press Check in.`)}</p>
        <form onSubmit=${submit} style=${{ display: 'flex', flexDirection: 'column', gap: '10px' }}>
          <fieldset style=${{ border: 0, padding: 0, margin: 0 }}>
            <legend style=${{ fontWeight: 600, marginBottom: '6px' }}>${T('Thành phần', 'Delegate group')}</legend>
            ${groups.map((g) => html`<label key=${g.id} class="choice"><input type="radio" name="group" value=${g.id} required checked=${group === g.id}
              onChange=${() => setGroup(g.id)} /> ${T(g.name, g.nameEn ?? g.name)}</label>`)}
          </fieldset>
          <label class="field">${T('Họ và tên', 'Full name')}<input required maxLength="200" value=${name} autocomplete="name" data-testid="checkin-name"
            onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></label>
          <label class="field">${T('Đơn vị (không bắt buộc)', 'Unit (optional)')}<input maxLength="200" value=${unit}
            onInput=${(e: Event) => setUnit((e.target as HTMLInputElement).value)} /></label>
          <button class="btn btn-primary big-btn" type="submit" disabled=${!group || !name.trim()} data-testid="checkin-submit">${T('Điểm danh', 'Check in')}</button>
        </form>
      </${Panel}>
      <div class="col">
        <${Panel} title=${T('Đã điểm danh trên máy này', 'Checked in on this device')} id="mine">
          ${mine.length === 0 ? html`<div class="empty">${T('Chưa có', 'None yet')}</div>` : ''}
          ${[...mine].reverse().map((c) => html`<div key=${c.id} class="card btn-row" style=${{ justifyContent: 'space-between', marginBottom: '6px' }} data-checkin=${c.id}>
            <div><strong>${c.name}</strong><br /><small>${gname(c.group)} · ${T('vào', 'in')} ${fmtTime(c.inAt)}${c.outAt ? ` · ${T('ra', 'out')} ${fmtTime(c.outAt)}` : ''}</small></div>
            ${c.outAt ? html`<span class="state-pill state-done">${T('Đã ra về', 'Left')}</span>` : html`<button class="btn" onClick=${() => out(c)}>${T('Ra về', 'Check out')}</button>`}
          </div>`)}
        </${Panel}>
        <${Panel} title=${T('Mã QR điểm danh', 'Check-in QR code')} id="qr">
          <div style=${{ textAlign: 'center' }}><div style=${{ display: 'inline-block' }}><${QrCode} text=${link} size=${200} /></div>
          <p class="muted">${T('Đại biểu khác quét mã này để điểm danh tại điểm cầu.', 'Other delegates scan this to check in at this site.')}</p></div>
        </${Panel}>
      </div>
    </main>
  </div>`;
}
