// Studio (the centre's programme source) or contributor (?role=contributor,
// a site taking the floor): camera + microphone up to the site's media node,
// with a local preview and the publish state, and whether the conference is
// being recorded. URL: ?site=&token=[&node=][&control=][&role=]
import { Publisher } from '../media/publisher.js';
import { takeLinkToken } from '../media/link-token.js';
import { foreignUrls } from '../media/origins.js';
import { confOfToken, MediaTokens } from '../media/media-token.js';
import { renderStatus, type Phase } from '../media/status.js';
import { contributionId } from '../media/contribution.js';
import { mountRecordingIndicator } from '../media/recording-indicator.js';

const params = new URLSearchParams(location.search);
const site = params.get('site') ?? '';
const token = takeLinkToken() ?? '';
const nodeUrl = params.get('node') ?? '';
const role = params.get('role') === 'contributor' ? 'contributor' : 'studio';
const controlParam = params.get('control');

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const preview = $('preview') as HTMLVideoElement;
const statusEl = $('status');
const toggle = $('toggle') as HTMLButtonElement;

$('title').textContent = role === 'studio'
  ? 'Phát tín hiệu điểm cầu trung tâm / Central studio'
  : 'Phát biểu từ điểm cầu / Contribution from this site';
$('site').textContent = `Điểm cầu / Site: ${site || '–'}`;
document.title = `Điểm cầu — ${role === 'studio' ? 'Trung tâm / Studio' : 'Phát biểu / Contributor'} ${site}`;

let publisher: Publisher | null = null;
let stream: MediaStream | null = null;
let phase: Phase = 'connecting';
let programme: { source: string | null; floor: string | null } | null = null;
let lastBytes = { bytes: 0, at: performance.now() };

function show(p: Phase): void {
  phase = p;
  renderStatus(statusEl, p);
}

function setToggle(on: boolean): void {
  toggle.replaceChildren(...(on
    ? [span('Dừng phát', 'vi'), document.createElement('br'), span('Stop sending', 'en')]
    : [span('Bắt đầu phát', 'vi'), document.createElement('br'), span('Start sending', 'en')]));
  toggle.dataset.on = String(on);
}

function span(text: string, lang: string): HTMLElement {
  const s = document.createElement('span');
  s.lang = lang;
  s.textContent = text;
  return s;
}

async function start(): Promise<void> {
  if (publisher) return;
  // a `node=` naming another deployment's server never receives the token
  if ((await foreignUrls([nodeUrl, controlParam ?? ''])).length) { show('foreign-link'); setToggle(false); return; }
  if (!stream) {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
        audio: { echoCancellation: true, noiseSuppression: true },
      });
    } catch (err) {
      console.debug('[studio] getUserMedia failed', err);
      show('no-device');
      setToggle(false);
      return;
    }
    preview.srcObject = stream;
    // A camera or microphone unplugged: stop, say so, and let the operator start again.
    for (const track of stream.getTracks()) {
      track.addEventListener('ended', () => {
        stop();
        stream?.getTracks().forEach((t) => t.stop());
        stream = null;
        show('no-device');
      }, { once: true });
    }
  }
  show('connecting');
  const contribution = role === 'contributor' ? contributionId(site) : undefined;
  const tokens = await mediaTokens();
  if (publisher) return;
  publisher = new Publisher({
    site, token, nodeUrl, role, stream, onPhase: show, ...(contribution ? { contribution } : {}), ...(tokens ? { tokens } : {}),
    onProgramme: (p) => {
      programme = { source: p.source, floor: p.floor };
      // Who the halls see now: this camera, another camera of this site, or another site.
      const self = p.source === site && (role === 'studio' || p.contribution === contribution);
      $('onair').textContent = self
        ? (role === 'contributor' ? 'Điểm cầu này đang phát biểu / This site has the floor' : 'Điểm cầu trung tâm / The centre')
        : p.source === site ? 'Điểm cầu này đang phát biểu bằng máy khác / This site has the floor on another camera'
        : p.source ? `Điểm cầu / Site ${p.source}` : '–';
      $('onair').dataset.self = String(self);
    },
    log: (line) => console.debug(`[studio] ${line}`),
  });
  publisher.start();
  setToggle(true);
}

function stop(): void {
  publisher?.close();
  publisher = null;
  show('stopped');
  setToggle(false);
}

toggle.addEventListener('click', () => (publisher ? stop() : void start()));
addEventListener('pagehide', () => { publisher?.close(); stream?.getTracks().forEach((t) => t.stop()); });

setInterval(async () => {
  if (!publisher) { $('layers').textContent = '–'; $('bitrate').textContent = '–'; return; }
  const s = await publisher.stats();
  const now = performance.now();
  const bytes = s.video.bytesSent + s.audio.bytesSent;
  const kbps = bytes >= lastBytes.bytes ? ((bytes - lastBytes.bytes) * 8) / (now - lastBytes.at) : 0;
  lastBytes = { bytes, at: now };
  $('layers').textContent = `${s.video.layers} / 3`;
  $('bitrate').textContent = `${Math.round(kbps)} kbit/s`;
}, 2000);

/** The control service, if one is known (null: none, or a foreign `control=`). */
let controlBaseP: Promise<string | null> | null = null;
function controlBase(): Promise<string | null> {
  controlBaseP ??= (async () => {
    if (controlParam !== null) return (await foreignUrls([controlParam])).length ? null : controlParam;
    return fetch('/healthz', { signal: AbortSignal.timeout(5000) }).then((r) => (r.status === 404 ? null : ''), () => '');
  })();
  return controlBaseP;
}

/** A short-lived media token for the node instead of the invitation, when a control service is known. */
let tokensP: Promise<MediaTokens | null> | null = null;
function mediaTokens(): Promise<MediaTokens | null> {
  tokensP ??= (async () => {
    const base = await controlBase();
    const conf = confOfToken(token);
    if (base === null || !conf) return null;
    const t = new MediaTokens({ controlUrl: base, invitation: token, conf });
    await t.begin();
    addEventListener('pagehide', () => t.close());
    return t;
  })();
  return tokensP;
}

if (!site || !token) show('unauthorized');
else void start();

// The recording indicator reads the control service: `control=`, or this origin when it is control
// (a media node serving this page answers /healthz with 404); a foreign `control=` is never called.
if (token) {
  void (async () => {
    const base = await controlBase();
    if (base === null) return;
    const stopRec = mountRecordingIndicator($('rec'), { base, token });
    addEventListener('pagehide', stopRec);
  })();
}

/** Test hook: publish state and outbound figures. */
const hook = {
  get phase() { return phase; },
  get publishCount() { return publisher?.publishCount ?? 0; },
  get programme() { return programme; },
  stats: () => publisher?.stats() ?? Promise.resolve(null),
};
(window as unknown as { __studio: typeof hook }).__studio = hook;
