// Security headers for every page and answer of the control service and the
// media nodes (helmet): no sniffing, no framing, and a Content-Security-Policy
// under which the apps run without a violation.
//
// Scripts: own origin only, never inline. Styles allow inline: the hall and
// studio pages carry a small <style> and the hall overlay injects its own so it
// can be dropped on any page; no script can be injected through a style.
// connect-src is open to http(s)/ws(s) because a page served by one service
// talks to the other (a hall page on a media node reads the control API) and
// their origins are deployment data.
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(): RequestHandler {
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
        connectSrc: ["'self'", 'http:', 'https:', 'ws:', 'wss:'],
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
