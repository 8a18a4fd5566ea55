// Shared by the web-app tests: a control service with the demo conference on a
// free port (own Redis prefix, own data dir, own copy of the built apps), the
// demo's signed links, and real Chromium pages at the sizes people use.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startControl, type ControlHandle, type ControlOptions } from '../../server/app.js';
import { REPO_ROOT } from '../../server/config.js';
import { demoLinks, type DemoLinks } from '../../server/demo/links.js';
import { launchChromium, type Chromium } from '../support/browser.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
export { waitFor } from '../support/wait.js';

export const ARTIFACTS = resolve(REPO_ROOT, 'test-artifacts');
export { REDIS_URL };
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
  /** This run's Redis key prefix (for `./diemcau admin` in a test). */
  redisPrefix: string;
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
  let chrome: Chromium;
  try {
    chrome = await launchChromium();
  } catch (err) {
    await control.close();
    throw err;
  }
  const links = demoLinks({ tokenSecret });
  let closed = false;
  return {
    get control() { return control; },
    url: control.url, redisPrefix: prefix, links, tokenSecret, browser: chrome.browser,
    async restartControl(downMs = 1500) {
      const port = control.port;
      await control.close();
      await new Promise((r) => setTimeout(r, downMs));
      control = await startControl({ ...options, port });
    },
    page: (viewport = DESKTOP) => chrome.page({
      viewport, permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'], echoErrors: true,
      echoConsole: (m) => !!process.env.UI_CONSOLE || m.type() === 'error',
    }),
    link(page, token, site, more = {}) {
      const q = new URLSearchParams({ token, ...(site ? { site } : {}), ...more });
      return `${control.url}/${page}.html?${q}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      await chrome.close();
      await control.close();
      await deletePrefix(prefix);
      await rm(resolve(REPO_ROOT, dataDir), { recursive: true, force: true });
      await rm(resolve(REPO_ROOT, staticDir), { recursive: true, force: true });
    },
  };
}

export async function shot(page: Page, name: string): Promise<string> {
  const path = resolve(ARTIFACTS, `ui-${name}.png`);
  await page.screenshot({ path });
  return path;
}
