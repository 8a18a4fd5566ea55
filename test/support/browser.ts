// Real Chromium for the browser tests: the system build, headless, with fake
// camera/microphone and loopback WebRTC allowed; every launch gets a fresh
// temporary profile. Pages are opened in their own contexts and closed with it.
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

export async function launchChromium(): Promise<Chromium> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
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
