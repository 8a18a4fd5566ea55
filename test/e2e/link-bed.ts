// Shared by the weak-link tests and the p7 bench: a real cascade (centre →
// langson), the studio publishing its fake camera in simulcast at the centre
// (Chromium on the host), and a hall of langson in Chromium inside a network
// namespace whose only way to its node is an impaired link (test/support/impair.ts).
// Langson listens on every address (so the namespace reaches it over the veth)
// and announces 127.0.0.1 (so its pipes to the centre stay on loopback).
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { freePort } from '../../infra/proc.js';
import { freeUdpTcpPort } from '../../media/workers.js';
import type { StreamStats } from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import type { HallStats } from '../../client/media/receiver.js';
import type { EncodingStats, PublisherStats } from '../../client/media/publisher.js';
import { launchChromium, type Chromium } from '../support/browser.js';
import { ImpairedLink, type LinkProfile, type ProfileName } from '../support/impair.js';
import { NodeProc } from '../media/procs.js';
import { ensureClientBuilt, studioPhase, waitFor } from './harness.js';

const CONF = 'ls-links';
export const HALL_SITE = 'ls';

export interface LinkBed {
  centre: NodeProc;
  langson: NodeProc;
  link: ImpairedLink;
  /** A fresh hall page in the namespace, sound switched on as a person would (one click). */
  openHall(): Promise<Page>;
  /** The video layer langson forwards to the hall (0 = lowest), from the node's own stats. */
  forwardedLayer(): Promise<number | undefined>;
  /** The studio's simulcast encodings as its browser sends them (lowest layer first). */
  studioEncodings(): Promise<EncodingStats[]>;
  close(): Promise<void>;
}

export async function startLinkBed(name: string, profile: ProfileName | LinkProfile): Promise<LinkBed> {
  await ensureClientBuilt();
  const tokenSecret = randomBytes(16).toString('hex');
  const base = { tokenSecret, nodeSecret: randomBytes(16).toString('hex'), workers: 1 };
  const tok = (role: 'organizer' | 'viewer', site?: string) => encodeURIComponent(signToken(tokenSecret, { role, conf: CONF, ...(site ? { site } : {}) }));
  const httpPort = await freePort();
  const rtcPort = await freeUdpTcpPort('0.0.0.0');
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => { for (const c of closers.reverse()) await c().catch(() => undefined); };
  try {
    const centre = await new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'] }, `${name}-centre`).start();
    closers.push(() => centre.stop());
    const langson = await new NodeProc({
      ...base, nodeId: 'langson', sites: [HALL_SITE], parent: centre.url,
      listenIp: '0.0.0.0', announcedIp: '127.0.0.1', listenPort: httpPort, rtcPort,
    }, `${name}-langson`).start();
    closers.push(() => langson.stop());
    const link = await ImpairedLink.start({
      tag: name.slice(0, 6), profile, logFile: `test-artifacts/media/${name}-impair.log`,
      ports: [{ port: httpPort, proto: ['tcp'] }, { port: rtcPort, proto: ['udp', 'tcp'] }],
    });
    closers.push(() => link.close());
    // the camera at 30 fps: a hall at the full frame rate shows well over 20
    const host = await launchChromium({ fakeCameraFps: 30 });
    closers.push(() => host.close());
    const studio = await host.page({ viewport: { width: 640, height: 360 }, permissions: ['camera', 'microphone'] });
    // what the page itself reports, for the failure message: a studio that never publishes has
    // been seen once in CI with no page script state at all
    const problems: string[] = [];
    studio.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    studio.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    studio.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    const studioUrl = `${centre.url}/studio.html?site=tw&token=${tok('organizer')}`;
    await studio.goto(studioUrl);
    const publishing = async () => (await studioPhase(studio).catch(() => 'no page state')) === 'publishing';
    try {
      await waitFor('studio publishing', publishing, 30_000);
    } catch {
      // the camera page is this bed's fixture, not what is tested: load it again once, as an operator would
      console.warn(`[link-bed] the studio was not publishing after 30 s; loading it again (${problems.join(' | ') || 'no page error'})`);
      await studio.goto(studioUrl);
      await waitFor(`studio publishing after a reload (before it: ${problems.join(' | ') || 'no page error'})`, publishing, 45_000);
    }
    let hallChrome: Chromium | null = null;
    closers.push(() => hallChrome?.close() ?? Promise.resolve());
    return {
      centre, langson, link, close,
      async openHall() {
        hallChrome ??= await launchChromium({ netns: link.ns.name });
        const page = await hallChrome.page({ viewport: { width: 960, height: 540 }, permissions: [] });
        await page.goto(`http://127.0.0.1:${httpPort}/hall.html?site=${HALL_SITE}&token=${tok('viewer', HALL_SITE)}`);
        await page.click('#unmute').catch(() => undefined);
        return page;
      },
      async studioEncodings() {
        const st = await studio.evaluate(() => (window as unknown as { __studio: { stats(): Promise<PublisherStats | null> } }).__studio.stats());
        return [...(st?.video.encodings ?? [])].sort((a, b) => a.rid.localeCompare(b.rid));
      },
      async forwardedLayer() {
        const st = await langson.stats(decodeURIComponent(tok('organizer')));
        const v = st.streams.filter((s: StreamStats) => s.hop === 'hall' && s.kind === 'video' && s.site === HALL_SITE);
        return v.at(-1)?.spatialLayer;
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** What a hall showed over a stretch of time, from its own receiver stats (sampled every second). */
export interface HallFigures {
  seconds: number;
  /** Frames decoded per second over the stretch, and the lowest one-second figure. */
  fps: number;
  minFps: number;
  /** Decoded picture height at the end, and the layer the node forwarded (most often seen). */
  frameHeight: number;
  layer: number | null;
  /** Visible video freezes (the browser's freezeCount) during the stretch. */
  freezes: number;
  /** One-second windows where over 20 % of the sound was invented by the decoder or none played. */
  audioGaps: number;
  /** Share of played samples that were concealed (lost and not recovered by FEC/NACK). */
  concealedPct: number;
  lossPct: number;
  protocol: HallStats['protocol'];
  relayed: boolean;
  resilience: HallStats['resilience'];
  /** Each second's frames decoded (for the reader). */
  perSecondFps: number[];
  /** Each second: the hall was showing the audio-only badge (its video paused by the node). */
  audioOnly: boolean[];
}

const audioOnlyOf = (page: Page) => page.evaluate(() => (window as unknown as { __hall: { audioOnly: boolean } }).__hall.audioOnly).catch(() => false);
const statsOf = (page: Page) => page.evaluate(() => (window as unknown as { __hall: { stats(): Promise<HallStats | null> } }).__hall.stats());

/** Samples a playing hall for `seconds`; `layer` reads the forwarded layer each second. */
export async function sampleHall(page: Page, seconds: number, layer: () => Promise<number | undefined>): Promise<HallFigures> {
  const first = await statsOf(page);
  if (!first) throw new Error('the hall has no stats');
  let prev = first;
  let prevAt = Date.now();
  const perSecondFps: number[] = [];
  const layers: number[] = [];
  const audioOnly: boolean[] = [];
  let audioGaps = 0;
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const cur = await statsOf(page);
    if (!cur) throw new Error('the hall lost its stats');
    const now = Date.now();
    perSecondFps.push(Math.max(0, cur.video.framesDecoded - prev.video.framesDecoded) / ((now - prevAt) / 1000));
    const samples = cur.audio.totalSamples - prev.audio.totalSamples;
    const concealed = cur.audio.concealedSamples - prev.audio.concealedSamples;
    if (samples <= 0 || concealed / samples > 0.2) audioGaps++;
    const l = await layer().catch(() => undefined);
    if (l !== undefined) layers.push(l);
    audioOnly.push(await audioOnlyOf(page));
    prev = cur;
    prevAt = now;
  }
  const last = prev;
  const counts = new Map<number, number>();
  for (const l of layers) counts.set(l, (counts.get(l) ?? 0) + 1);
  const samples = last.audio.totalSamples - first.audio.totalSamples;
  const packets = last.video.packetsReceived + last.audio.packetsReceived - first.video.packetsReceived - first.audio.packetsReceived;
  const lost = last.packetsLost - first.packetsLost;
  return {
    seconds,
    fps: perSecondFps.reduce((a, b) => a + b, 0) / perSecondFps.length,
    minFps: Math.min(...perSecondFps),
    frameHeight: last.video.frameHeight,
    layer: layers.length ? [...counts].sort((a, b) => b[1] - a[1])[0]![0] : null,
    freezes: last.video.freezeCount - first.video.freezeCount,
    audioGaps,
    concealedPct: samples > 0 ? ((last.audio.concealedSamples - first.audio.concealedSamples) / samples) * 100 : 100,
    lossPct: packets + lost > 0 ? (lost / (packets + lost)) * 100 : 0,
    protocol: last.protocol,
    relayed: last.relayed,
    resilience: last.resilience,
    perSecondFps: perSecondFps.map((x) => Math.round(x * 10) / 10),
    audioOnly,
  };
}
