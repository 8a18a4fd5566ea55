// The replay page ("học tập lại") a technician opens on the hall display: load
// what it needs (or the copy kept from the last load when the link is down),
// pick a recording and the whole or one item, play it with its chapters and the
// maket, then record the replay session with the items watched filled in.
// No control socket: the page is not a live hall and must not count as one.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ReplaySession } from '../../../signaling/recording.js';
import '../styles.css';
import { html, render } from '../html.js';
import { T } from '../i18n.js';
import { ControlApi } from '../api.js';
import { ControlClient, tokenClaims } from '../control-client.js';
import { FullMessage } from '../components.js';
import { MaterialCache } from '../material-cache.js';
import { Notices, notify } from '../notices.js';
import { humanError } from '../errors.js';
import { HALL_CSS } from '../hall-overlay-css.js';
import type { AppSession } from '../app.js';
import { ReplayForm } from '../technician/replay-form.js';
import { loadBundle, type Loaded } from './bundle.js';
import { NotHereError, resolveSource, type Choice, type Resolved } from './source.js';
import { Player } from './player.js';
import { Picker } from './picker.js';

function ReplayApp({ s, cache }: { s: AppSession; cache: MaterialCache }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [playing, setPlaying] = useState<{ choice: Choice; src: Resolved } | null>(null);
  const [form, setForm] = useState<{ items: ReplaySession['items'] } | null>(null);
  const load = async () => {
    const l = await loadBundle(s.api, s.conf, s.site!);
    if (l.bundle) {
      s.client.store.loadSnapshot(l.bundle.snapshot);
      await cache.scan(l.bundle.materials).catch(() => undefined);
    }
    setLoaded(l);
  };
  useEffect(() => {
    void load();
    // the link drops while the page is open: only copies stored here can play; back online: fresh details
    const down = () => setLoaded((l) => (l ? { ...l, online: false } : l));
    const up = () => void load();
    addEventListener('offline', down);
    addEventListener('online', up);
    return () => { removeEventListener('offline', down); removeEventListener('online', up); };
  }, []);
  if (!loaded) return html`<div class="replay-picker"><p>${T('Đang tải…', 'Loading…')}</p></div>`;
  const { bundle, online, error } = loaded;
  if (!bundle) {
    return html`<${FullMessage} title=${T('Chưa mở được trang học tập lại', 'The replay page cannot open yet')} text=${error ? humanError(error) : ''} />`;
  }
  const pick = async (choice: Choice) => {
    try {
      setPlaying({ choice, src: await resolveSource(s.api, s.token, s.conf, bundle, cache, choice, online) });
    } catch (err) {
      notify(err instanceof NotHereError
        ? T('Bản ghi này chưa lưu trên máy và đang mất kết nối. Hãy kết nối mạng, hoặc xin Ban tổ chức gửi bản ghi tới điểm cầu.', 'This recording is not stored here and the link is down. Connect, or ask the organisers to send the recording to this site.')
        : humanError(err), 'error');
    }
  };
  const rec = playing?.choice.recording ?? null;
  return html`<div class="replay-root">
    ${playing
      ? html`<${Player} s=${s} choice=${playing.choice} src=${playing.src} onBack=${() => setPlaying(null)} onRecord=${(items: ReplaySession['items']) => setForm({ items })} />`
      : html`<${Picker} bundle=${bundle} cache=${cache} online=${online} onPick=${pick} onRetry=${load} />`}
    ${form ? html`<div class="replay-dialog" role="dialog" aria-modal="true" aria-labelledby="replay-dialog-title" data-testid="replay-dialog">
      <div class="replay-dialog-box">
        <div class="replay-dialog-head"><strong id="replay-dialog-title">${T('Ghi nhận buổi học tập lại', 'Record the replay session')}</strong>
          <button class="btn btn-small" onClick=${() => setForm(null)}>${T('Đóng', 'Close')}</button></div>
        <${ReplayForm} s=${s} recordings=${rec ? [rec] : []} prefill=${{ items: form.items, source: 'recording', recording: rec?.id ?? null }}
          onDone=${() => setForm(null)} />
      </div></div>` : ''}
  </div>`;
}

/** Mounts the page; the token has already left the address bar (takeLinkToken). */
export function mountReplay(root: HTMLElement, token: string | null, siteParam: string | null): void {
  if (!document.getElementById('dc-hall-overlay-css')) {
    const style = document.createElement('style');
    style.id = 'dc-hall-overlay-css';
    style.textContent = HALL_CSS;
    document.head.append(style);
  }
  const claims = token ? tokenClaims(token) : null;
  const site = claims?.site ?? siteParam;
  if (!token || !claims || !site) {
    render(html`<${FullMessage} title=${T('Cần đường liên kết của kỹ thuật viên', "The technician's link is needed")}
      text=${T('Hãy mở trang này từ nút "Mở trang học tập lại" trong màn hình kỹ thuật viên của điểm cầu.', 'Open this page from "Open the replay page" in the site\'s technician console.')} />`, root);
    return;
  }
  const api = new ControlApi({ base: '', token });
  // never started: the page reads over REST and posts the replay session; a receipt it cannot send is sent by the console
  const client = new ControlClient({ base: '', token, client: 'console', conf: claims.conf });
  const s: AppSession = { token, conf: claims.conf, role: claims.role, site, api, client };
  const cache = new MaterialCache(api, client, claims.conf, site);
  function Root() {
    const c = useMemo(() => cache, []);
    return html`<${ReplayApp} s=${s} cache=${c} /><${Notices} />`;
  }
  render(html`<${Root} />`, root);
}
