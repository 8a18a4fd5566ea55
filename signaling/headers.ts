// Security headers for every page and answer of the control service and the
// media nodes (helmet): no sniffing, no framing, and a Content-Security-Policy
// under which the apps run without a violation.
//
// Scripts: own origin only, never inline. Styles allow inline: the hall and
// studio pages carry a small <style> and the hall overlay injects its own so it
// can be dropped on any page; no script can be injected through a style.
// connect-src lists the deployment's own origins: a page served by one service
// talks to the other (a hall page on a media node reads the control API), and
// nowhere else — a link whose `control=` or `node=` names another host cannot
// make the browser send its token there. The same list is served at
// DEPLOYMENT_PATH so pages refuse such a link with a sentence first.
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { z } from 'zod';

/** Same-origin JSON listing the origins a page may send its token to (besides its own). */
export const DEPLOYMENT_PATH = '/deployment.json';
export const DeploymentInfo = z.object({ origins: z.array(z.string()).max(10_000) });
export type DeploymentInfo = z.infer<typeof DeploymentInfo>;

/** The origins of `urls` (bad ones dropped), deduplicated. */
export function originsOf(urls: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const u of urls) {
    try {
      const url = new URL(u);
      if (url.protocol === 'http:' || url.protocol === 'https:') out.add(url.origin);
    } catch {
      // not a URL: not an origin anyone may connect to
    }
  }
  return [...out].sort();
}

/** connect-src entries: each origin for fetch and, as ws:/wss:, for its websockets. */
export function connectSources(origins: readonly string[]): string[] {
  return origins.flatMap((o) => [o, o.replace(/^http/, 'ws')]);
}

export interface HeaderOptions {
  /** Origins of the other service(s) pages may call (read on every response: the list may change). */
  connectOrigins?: () => readonly string[];
}

export function securityHeaders(o: HeaderOptions = {}): RequestHandler {
  const connect = (): string => ["'self'", ...connectSources(o.connectOrigins?.() ?? [])].join(' ');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'mediastream:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: [() => connect()],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // pages of one service read answers of the other (CORS with bearer tokens, no cookies)
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // the demo serves plain http on 127.0.0.1; a deployment's TLS terminator sets HSTS
    strictTransportSecurity: false,
  });
}
