// Shared by the web-app tests: a control service with the demo conference on a
// free port (own Redis prefix, own data dir, own copy of the built apps), the
// demo's signed links, and real Chromium pages at the sizes people use.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startControl, type ControlHandle, type ControlOptions } from '../../server/app.js';
import { REPO_ROOT } from '../../server/config.js';
import { demoLinks, type DemoLinks } from '../../server/demo/links.js';

export const ARTIFACTS = resolve(REPO_ROOT, 'test-artifacts');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DESKTOP = { width: 1366, height: 768 };
export const HALL = { width: 1920, height: 1080 };

/** Builds the web apps into a private directory so parallel builds elsewhere cannot disturb this run. */
export async function buildApps(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: resolve(REPO_ROOT, 'client/vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
}

export interface UiEnv {
  control: ControlHandle;
  url: string;
  /** Stops the control service and starts it again on the same port and data (pages stay open). */
  restartControl(downMs?: number): Promise<void>;
  links: DemoLinks;
  tokenSecret: string;
  browser: Browser;
  /** A fresh context + page (own storage, fake camera and mic). */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  /** Page URL with an invitation token (and site). */
  link(page: string, token: string, site?: string, extra?: Record<string, string>): string;
  close(): Promise<void>;
}

export async function startUi(name: string, extra: Partial<ControlOptions> = {}): Promise<UiEnv> {
  const id = `${name}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const prefix = `t-ui-${id}:`;
  const dataDir = `.cache/test-data/ui-${id}`;
  const staticDir = `.cache/test-data/ui-${id}-apps`;
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildApps(resolve(REPO_ROOT, staticDir));
  const tokenSecret = extra.tokenSecret ?? randomBytes(24).toString('base64url');
  const options: ControlOptions = {
    port: 0, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir, staticDir, demo: true, logLevel: 'warn',
    delivery: { attempts: 3, backoffMs: 500, receiptTimeoutMs: 30_000, concurrency: 4096 }, ...extra, tokenSecret,
  };
  let control = await startControl(options);
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--allow-loopback-in-peer-connection', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    });
  } catch (err) {
    await control.close();
    throw err;
  }
  const contexts: BrowserContext[] = [];
  const links = demoLinks({ tokenSecret });
  let closed = false;
  return {
    get control() { return control; },
    url: control.url, links, tokenSecret, browser,
    async restartControl(downMs = 1500) {
      const port = control.port;
      await control.close();
      await new Promise((r) => setTimeout(r, downMs));
      control = await startControl({ ...options, port });
    },
    async page(viewport = DESKTOP) {
      const ctx = await browser.newContext({ viewport, permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'] });
      contexts.push(ctx);
      const p = await ctx.newPage();
      p.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
      p.on('console', (m) => { if (process.env.UI_CONSOLE || m.type() === 'error') console.log(`[page ${m.type()}] ${m.text()}`); });
      return p;
    },
    link(page, token, site, more = {}) {
      const q = new URLSearchParams({ token, ...(site ? { site } : {}), ...more });
      return `${control.url}/${page}.html?${q}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await control.close();
      await deletePrefix(prefix);
      await rm(resolve(REPO_ROOT, dataDir), { recursive: true, force: true });
      await rm(resolve(REPO_ROOT, staticDir), { recursive: true, force: true });
    },
  };
}

async function deletePrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  await r.quit();
}

/** Polls `fn` until it returns a truthy value; throws with `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function shot(page: Page, name: string): Promise<string> {
  const path = resolve(ARTIFACTS, `ui-${name}.png`);
  await page.screenshot({ path });
  return path;
}
