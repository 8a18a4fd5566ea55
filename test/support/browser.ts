// Real Chromium for the browser tests: the system build, headless, with fake
// camera/microphone and loopback WebRTC allowed; every launch gets a fresh
// temporary profile. Pages are opened in their own contexts and closed with it.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--allow-loopback-in-peer-connection', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];

export interface PageOptions {
  viewport: { width: number; height: number };
  /** Granted to the page's origin (camera and microphone for the media pages). */
  permissions: string[];
  /** Which console lines to echo on the test's stdout; none when omitted. */
  echoConsole?: (message: ConsoleMessage) => boolean;
  /** Echo uncaught page errors. Default false. */
  echoErrors?: boolean;
}

export interface Chromium {
  browser: Browser;
  /** A fresh context (own storage) and a page in it. */
  page(opts: PageOptions): Promise<Page>;
  /** Closes every context, then the browser; idempotent, never throws. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** A CA certificate (PEM file) the browser trusts, as a person would import it (its own NSS store). */
  trustCa?: string;
  /** Run the browser inside this network namespace (test/support/netns.ts). */
  netns?: string;
  /** Frame rate of the fake camera (Chromium's own default is 20). */
  fakeCameraFps?: number;
}

export async function launchChromium(o: LaunchOptions = {}): Promise<Chromium> {
  // a private HOME holds the NSS store with the trusted CA, and the namespace wrapper
  const home = o.trustCa || o.netns ? mkdtempSync(join(tmpdir(), 'diemcau-chromium-')) : null;
  let executablePath = CHROMIUM_PATH;
  if (home && o.trustCa) {
    const db = join(home, '.pki', 'nssdb');
    mkdirSync(db, { recursive: true });
    execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
    execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'diemcau-test-ca', '-i', o.trustCa]);
  }
  if (home && o.netns) {
    executablePath = join(home, 'chromium-in-netns');
    writeFileSync(executablePath, `#!/bin/sh
exec ip netns exec ${o.netns} ${CHROMIUM_PATH} "$@"
`);
    chmodSync(executablePath, 0o755);
  }
  const browser = await chromium.launch({
    executablePath, headless: true,
    args: o.fakeCameraFps ? [...CHROMIUM_ARGS.filter((a) => a !== '--use-fake-device-for-media-stream'), `--use-fake-device-for-media-stream=fps=${o.fakeCameraFps}`] : [...CHROMIUM_ARGS], ...(home ? { env: { ...process.env, HOME: home } as Record<string, string> } : {}),
  });
  if (home) browser.on('disconnected', () => rmSync(home, { recursive: true, force: true }));
  const contexts: BrowserContext[] = [];
  let closed: Promise<void> | null = null;
  return {
    browser,
    async page({ viewport, permissions, echoConsole, echoErrors = false }) {
      const ctx = await browser.newContext({ viewport, permissions });
      contexts.push(ctx);
      const p = await ctx.newPage();
      if (echoErrors) p.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
      if (echoConsole) p.on('console', (m) => { if (echoConsole(m)) console.log(`[page ${m.type()}] ${m.text()}`); });
      return p;
    },
    close() {
      closed ??= (async () => {
        for (const c of contexts) await c.close().catch(() => undefined);
        await browser.close().catch(() => undefined);
      })();
      return closed;
    },
  };
}
