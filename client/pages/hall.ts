// Hall display: the programme full screen, sound after one click, and a
// friendly status line while connecting or recovering, and the overlay (maket,
// agenda item, site name) from the control service. When the link carries the
// sound only, the maket with a small badge (client/ui/hall-overlay-audio.ts).
// URL: ?site=&token=[&node=][&control=][&tcp=1]
import { HallReceiver } from '../media/receiver.js';
import { takeLinkToken } from '../media/link-token.js';
import { foreignUrls } from '../media/origins.js';
import { confOfToken, MediaTokens } from '../media/media-token.js';
import { renderStatus, type Phase } from '../media/status.js';
import { mountHallOverlay, type HallOverlayHandle } from '../ui/hall-overlay.js';
import { mountAudioOnly } from '../ui/hall-overlay-audio.js';

const params = new URLSearchParams(location.search);
const site = params.get('site') ?? '';
const token = takeLinkToken() ?? '';
const nodeUrl = params.get('node') ?? '';
/** `tcp=1`: media over TCP only, for halls behind networks that drop UDP in odd ways. */
const forceTcp = params.get('tcp') === '1';
/** Control service origin; absent = this page's origin (when that is the control service). */
const controlParam = params.get('control');

const video = document.getElementById('programme') as HTMLVideoElement;
const statusEl = document.getElementById('status') as HTMLElement;
const unmute = document.getElementById('unmute') as HTMLButtonElement;
let soundOn = false;
const audioOnlyView = mountAudioOnly(document.getElementById('hud') as HTMLElement);

/** The node sends the sound only for now: the maket (the overlay's, else a title card) and the badge. */
function showAudioOnly(on: boolean): void {
  overlay?.setAudioOnly(on);
  audioOnlyView.set(on, !overlay);
}

/** The phase on screen; the test hook reads this one (before the receiver starts it is the page's own). */
let shown: Phase = 'connecting';
function show(phase: Phase): void {
  shown = phase;
  renderStatus(statusEl, phase);
}

function play(): void {
  // Muted autoplay is always allowed; with sound only after the click.
  video.muted = !soundOn;
  video.play().catch(() => undefined);
}

function watchFirstFrame(): void {
  // requestVideoFrameCallback fires on the first painted frame (Chromium, Safari).
  video.requestVideoFrameCallback(() => receiver?.frameShown());
}

unmute.addEventListener('click', () => {
  soundOn = true;
  unmute.hidden = true;
  play();
});

let receiver: HallReceiver | null = null;
/** The last recovery steps, for the technician and the tests (never shown in the hall). */
const recent: string[] = [];
/** `node=` / `control=` naming another deployment's server: refused before the token goes anywhere. */
const foreign = foreignUrls([nodeUrl, controlParam ?? '']);
if (!site || !token) {
  show('unauthorized');
} else {
  show('connecting');
  void foreign.then(async (bad) => {
    if (bad.length) { console.warn(`[hall] refused a foreign link: ${bad.join(' ')}`); show('foreign-link'); return; }
    // the node gets a short-lived media token from the control service, never the invitation itself
    // (without a control service known, the invitation: a node that requires media tokens refuses it)
    const base = await controlBase();
    const conf = confOfToken(token);
    let tokens: MediaTokens | undefined;
    if (base !== null && conf) {
      tokens = new MediaTokens({ controlUrl: base, invitation: token, conf });
      await tokens.begin();
      addEventListener('pagehide', () => tokens?.close());
    }
    startReceiver(tokens);
  });
}

function startReceiver(tokens?: MediaTokens): void {
  receiver = new HallReceiver({
    site, token, nodeUrl, forceTcp, ...(tokens ? { tokens } : {}),
    onSiteMoved: () => void followSite(),
    onPhase: show,
    onAudioOnly: showAudioOnly,
    // what the node tells the organizers: a paused or not-yet-playing picture is not "watching"
    isShowing: () => !video.paused && !video.ended && video.readyState >= 2,
    onStream: (stream) => {
      video.srcObject = stream;
      if (stream) { watchFirstFrame(); play(); }
    },
    log: (line) => {
      recent.push(`${(performance.now() / 1000).toFixed(1)}s ${line}`);
      if (recent.length > 100) recent.shift();
      console.debug(`[hall] ${line}`);
    },
  });
  receiver.start();
  addEventListener('pagehide', () => receiver?.close());
}

/**
 * The operator moved this site to another media node: ask control which one serves it now and
 * open this page there (the same link; the token stays in this tab's address, as it came).
 */
let following = false;
async function followSite(): Promise<void> {
  if (following) return;
  const base = await controlBase();
  const conf = confOfToken(token);
  if (base === null || !conf) return;
  following = true;
  try {
    const res = await fetch(`${base}/api/conferences/${encodeURIComponent(conf)}/sites/${encodeURIComponent(site)}`, { headers: { authorization: `Bearer ${token}` } });
    const url = ((await res.json()) as { data?: { mediaUrl?: string } }).data?.mediaUrl?.replace(/\/+$/, '');
    const here = (nodeUrl || location.origin).replace(/\/+$/, '');
    if (!url || url === here) return; // not moved yet as far as control knows: the receiver keeps trying
    recent.push(`site moved to ${url}`);
    const q = new URLSearchParams(location.search);
    q.set('token', token);
    if (base) q.set('control', base); else q.set('control', location.origin);
    // served by a node: open the page on the new node; served by control: point node= at it
    if (nodeUrl) { q.set('node', url); location.replace(`${location.pathname}?${q}`); } else { q.delete('node'); location.replace(`${url}${location.pathname}?${q}`); }
  } catch (err) {
    console.warn(`[hall] could not ask where the site moved: ${(err as Error).message}`);
  } finally {
    setTimeout(() => { following = false; }, 5000);
  }
}

/**
 * A media node also serves this page but has no agenda: without `control=` the
 * overlay is mounted only when this origin is the control service (it answers
 * /healthz; a media node does not), so a hall never shows a banner that cannot load.
 */
let controlBaseP: Promise<string | null> | null = null;
function controlBase(): Promise<string | null> {
  controlBaseP ??= findControl();
  return controlBaseP;
}

async function findControl(): Promise<string | null> {
  if (controlParam !== null) return controlParam;
  try {
    const res = await fetch('/healthz', { signal: AbortSignal.timeout(5000) });
    return res.status === 404 ? null : '';
  } catch {
    return ''; // the origin that served this page is down for now: the overlay reconnects by itself
  }
}

let overlay: HallOverlayHandle | null = null;
const overlayEl = document.getElementById('overlay');
if (overlayEl && site && token) {
  void foreign.then(async (bad) => (bad.length ? null : controlBase())).then((base) => {
    if (base === null) { console.debug('[hall] no control service known: overlay off'); return; }
    overlay = mountHallOverlay(overlayEl, { site, token, controlUrl: base });
    if (receiver?.audioOnly) showAudioOnly(true);
    addEventListener('pagehide', () => overlay?.close());
  });
}

/** Test and bench hook: read-only state and inbound figures. */
const hook = {
  get phase() { return shown; },
  get programme() { return receiver?.programme ?? null; },
  get consumeCount() { return receiver?.consumeCount ?? 0; },
  get timeline() { return receiver?.timeline ?? {}; },
  get soundOn() { return soundOn && !video.muted; },
  /** The link carries the sound only, and the badge is on screen. */
  get audioOnly() { return (receiver?.audioOnly ?? false) && audioOnlyView.shown; },
  get log() { return [...recent]; },
  stats: () => receiver?.stats() ?? Promise.resolve(null),
};
(window as unknown as { __hall: typeof hook }).__hall = hook;
