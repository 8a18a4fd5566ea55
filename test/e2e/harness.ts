// Shared by the browser tests and the first-frame bench: a real cascade of
// media node processes shaped like the demo (centre → langson → two district
// nodes, one commune each to keep it light), real Chromium, signed page links.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signToken } from '../../signaling/token.js';
import { Cascade } from '../../infra/cascade.js';
import type { DemoNode } from '../../infra/demo-sites.js';
import { REPO_ROOT } from '../../infra/proc.js';
import type { HallStats, HallTimeline } from '../../client/media/receiver.js';
import { launchChromium, type Chromium } from '../support/browser.js';
import { waitFor as pollUntil } from '../support/wait.js';

export const CONF = 'ls-135';
export const ARTIFACTS = resolve(REPO_ROOT, 'test-artifacts');

/** The demo tree, trimmed: two communes per node-owning district, one for the province node. */
export const SPINE_NODES: DemoNode[] = [
  { nodeId: 'centre', parent: null, sites: ['tw'] },
  { nodeId: 'langson', parent: 'centre', sites: ['ls', 'ls-vanlang', 'ls-vanlang-01'] },
  { nodeId: 'd-trangdinh', parent: 'langson', sites: ['ls-trangdinh', 'ls-trangdinh-01', 'ls-trangdinh-02'] },
  { nodeId: 'd-caoloc', parent: 'langson', sites: ['ls-caoloc', 'ls-caoloc-01'] },
];

export interface Spine {
  cascade: Cascade;
  browser: Browser;
  tokenSecret: string;
  token(role: 'organizer' | 'technician' | 'participant' | 'viewer', site?: string): string;
  hallUrl(site: string): string;
  studioUrl(): string;
  contributorUrl(site: string): string;
  /** A fresh browser context + page (own profile state, fake devices). */
  page(): Promise<Page>;
  close(): Promise<void>;
}

/** Builds the client bundle once per process if missing (the nodes serve dist/client). */
export async function ensureClientBuilt(): Promise<void> {
  const { existsSync } = await import('node:fs');
  if (existsSync(resolve(REPO_ROOT, 'dist/client/hall.html'))) return;
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [resolve(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/vite.config.ts', '--logLevel', 'error'],
    { cwd: REPO_ROOT, stdio: 'inherit' });
}

export async function startSpine(name: string, nodes: DemoNode[] = SPINE_NODES): Promise<Spine> {
  await ensureClientBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const tokenSecret = randomBytes(24).toString('base64url');
  const nodeSecret = randomBytes(24).toString('base64url');
  const cascade = await Cascade.start({ nodes, tokenSecret, nodeSecret, logDir: `test-artifacts/${name}-logs` });
  let chrome: Chromium;
  try {
    await cascade.waitLinked(30_000);
    chrome = await launchChromium();
  } catch (err) {
    await cascade.close();
    throw err;
  }
  const token = (role: Parameters<Spine['token']>[0], site?: string) =>
    encodeURIComponent(signToken(tokenSecret, { role, conf: CONF, ...(site ? { site } : {}) }));
  return {
    cascade, browser: chrome.browser, tokenSecret, token,
    hallUrl: (site) => `${cascade.urlOfSite(site)}/hall.html?site=${site}&token=${token('viewer', site)}`,
    studioUrl: () => `${cascade.urlOfSite('tw')}/studio.html?site=tw&token=${token('organizer')}`,
    contributorUrl: (site) => `${cascade.urlOfSite(site)}/studio.html?role=contributor&site=${site}&token=${token('technician', site)}`,
    page: () => chrome.page({
      viewport: { width: 960, height: 540 }, permissions: ['camera', 'microphone'], echoConsole: () => !!process.env.E2E_CONSOLE,
    }),
    async close() {
      await chrome.close();
      await cascade.close();
    },
  };
}

/** Polls `fn` until it returns a truthy value; throws with `what` after timeoutMs. */
export function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  return pollUntil(what, fn, timeoutMs, everyMs);
}

export interface HallView {
  phase: string;
  consumeCount: number;
  programme: { source: string | null; floor: string | null; version: number } | null;
  timeline: HallTimeline;
  stats: HallStats | null;
}

/** Reads the hall page's debug hook. */
export function hallView(page: Page): Promise<HallView> {
  return page.evaluate(async () => {
    const h = (window as unknown as { __hall: any }).__hall;
    return { phase: h.phase, consumeCount: h.consumeCount, programme: h.programme, timeline: { ...h.timeline }, stats: await h.stats() };
  });
}

/** Waits until the hall decodes new video frames and receives audio; returns the figures seen. */
export async function waitDecoding(page: Page, what: string, timeoutMs = 45_000, since = 0): Promise<HallView> {
  return waitFor(what, async () => {
    const v = await hallView(page);
    const s = v.stats;
    return s && s.video.framesDecoded > since && s.audio.packetsReceived > 0 && s.audio.bytesReceived > 0 ? v : null;
  }, timeoutMs, 300);
}

export async function studioPhase(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { __studio: { phase: string } }).__studio.phase);
}

/** The hall page's recent recovery steps (its debug hook), for failure messages. */
export async function hallLog(page: Page): Promise<string> {
  return (await page.evaluate(() => (window as unknown as { __hall: { log: string[] } }).__hall.log).catch(() => [])).join('\n');
}

/**
 * A TCP relay in front of a node's HTTP/socket.io port, to cut a hall's signalling link without
 * touching the node: cut() drops every connection and refuses new ones until restore().
 */
export class TcpRelay {
  private readonly sockets = new Set<import('node:net').Socket>();
  private down = false;
  /** Connections refused while cut: the hall's reconnection attempts. */
  refused = 0;
  private constructor(private readonly server: import('node:net').Server, readonly url: string) {}

  /** `listen`: where the relay listens (default a free port on 127.0.0.1); the URL keeps the target's scheme. */
  static async start(target: string, listen: { host: string; port: number } = { host: '127.0.0.1', port: 0 }): Promise<TcpRelay> {
    const net = await import('node:net');
    const t = new URL(target);
    let relay: TcpRelay;
    const server = net.createServer((client) => {
      if (relay.down) { relay.refused++; client.destroy(); return; }
      const upstream = net.connect(Number(t.port), t.hostname);
      for (const s of [client, upstream]) { relay.sockets.add(s); s.once('close', () => relay.sockets.delete(s)); s.on('error', () => undefined); }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((r) => server.listen(listen.port, listen.host, () => r()));
    relay = new TcpRelay(server, `${t.protocol}//${listen.host}:${(server.address() as { port: number }).port}`);
    return relay;
  }

  cut(): void {
    this.down = true;
    this.refused = 0;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }
}
