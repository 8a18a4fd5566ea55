// Asking for the floor, and sending this site's camera while it holds it: the
// console publishes as the site's contributor whenever the floor is granted
// here (or when the technician sends a preview on purpose). The request names
// this console, so the grant puts this console — and no other camera of the
// site — on air; a grant made without a request is claimed by the first console.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Signal } from '@preact/signals';
import { ControlEvents } from '../../../signaling/control.js';
import { mediaTokensOf } from '../media-tokens.js';
import { Publisher } from '../../media/publisher.js';
import { contributionId } from '../../media/contribution.js';
import type { Phase } from '../../media/status.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtTime } from '../format.js';
import { Panel } from '../components.js';
import { act, notify } from '../notices.js';
import { humanError, UiError } from '../errors.js';
import type { AppSession } from '../app.js';

export function FloorAsk({ s, stream, nodeUrl }: { s: AppSession; stream: Signal<MediaStream | null>; nodeUrl: string | undefined }) {
  const store = s.client.store;
  const floor = store.floor.value;
  const mine = floor?.requests.find((r) => r.site === s.site && r.state === 'waiting');
  const consoleId = contributionId(s.site!);
  const granted = floor?.granted === s.site;
  // granted here but bound to another console of the site: this one stays off air
  const elsewhere = granted && !!floor?.console && floor.console !== consoleId;
  const [note, setNote] = useState('');
  const [manual, setManual] = useState(false);
  const [phase, setPhase] = useState<Phase | null>(null);
  const pub = useRef<Publisher | null>(null);
  const want = ((granted && !elsewhere) || manual) && !!nodeUrl;

  // a grant nobody's request named: bind it to this console
  useEffect(() => {
    if (!granted || floor?.console) return;
    s.client.emit(ControlEvents.floorClaim, { site: s.site!, console: consoleId }).catch(() => undefined);
  }, [granted, floor?.console]);

  useEffect(() => {
    if (!want) { pub.current?.close(); pub.current = null; setPhase(null); return; }
    let cancelled = false;
    (async () => {
      let st = stream.value;
      if (!st) {
        try { st = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true }); stream.value = st; }
        catch (err) { notify(humanError(new UiError('NO_DEVICE', String(err))), 'error'); return; }
      }
      const tokens = await mediaTokensOf(s);
      if (cancelled) return;
      const p = new Publisher({ nodeUrl, token: s.token, tokens, site: s.site!, role: 'contributor', contribution: consoleId, stream: st, onPhase: setPhase });
      pub.current = p;
      p.start();
    })();
    return () => { cancelled = true; pub.current?.close(); pub.current = null; };
  }, [want]);

  const phaseText = phase === 'publishing' ? T('Đang phát hình của điểm cầu', 'Sending this site\'s camera')
    : phase === 'reconnecting' ? T('Đang kết nối lại…', 'Reconnecting…') : phase === 'no-device' ? T('Không mở được camera', 'Camera not available')
    : phase ? T('Đang kết nối…', 'Connecting…') : '';
  return html`<${Panel} title=${T('Phát biểu', 'Floor')} id="floor-ask">
    <div data-testid="floor-state" data-granted=${String(granted)} style=${{ marginBottom: '6px' }}>
      ${elsewhere ? html`<strong data-testid="floor-elsewhere">${T('Điểm cầu đang phát biểu bằng một máy điều khiển khác; máy này không phát hình.', 'This site has the floor on another console; this one is not sending.')}</strong>`
        : granted ? html`<strong class="check-ok">${T('Điểm cầu đang được phát biểu — hình và tiếng đang lên toàn hội nghị', 'This site has the floor — its camera and sound go to everyone')}</strong>`
        : mine ? html`<span>${T('Đã đăng ký phát biểu lúc', 'Asked for the floor at')} ${fmtTime(mine.at)} — ${T('chờ Ban tổ chức', 'waiting for the organisers')}</span>`
        : html`<span class="muted">${T('Chưa đăng ký phát biểu', 'Not asking for the floor')}</span>`}
    </div>
    ${phaseText ? html`<div data-testid="publish-phase" data-phase=${phase} style=${{ marginBottom: '6px' }}><span class="dot dot-green"></span> ${phaseText}</div>` : ''}
    ${mine ? html`<button class="btn" onClick=${() => act(() => s.client.emit(ControlEvents.floorWithdraw, { site: s.site! }))}>${T('Rút đăng ký', 'Withdraw')}</button>`
      : !granted ? html`<div class="btn-row">
        <input style=${{ flex: 1, padding: '5px 8px', border: '1px solid #c6cdd8', borderRadius: '6px' }} maxLength="500" value=${note}
          placeholder=${T('Nội dung tham luận (không bắt buộc)', 'Topic (optional)')} aria-label=${T('Nội dung tham luận', 'Topic')}
          onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} />
        <button class="btn btn-primary" data-testid="floor-request" onClick=${() => act(() => s.client.emit(ControlEvents.floorRequest, { site: s.site!, console: consoleId, note: note.trim() || undefined }), T('Đã đăng ký phát biểu', 'Floor requested'))}>${T('Xin phát biểu', 'Ask for the floor')}</button>
      </div>` : ''}
    ${!granted ? html`<label style=${{ display: 'block', marginTop: '6px', fontSize: '12px' }}><input type="checkbox" checked=${manual} onChange=${(e: Event) => setManual((e.target as HTMLInputElement).checked)} />
      ${T(' Gửi sẵn hình lên máy chủ (để chuyển nhanh khi được trao quyền)', ' Send the camera ahead (switches faster when the floor is given)')}</label>` : ''}
  </${Panel}>`;
}
