// Short-lived media tokens. A page never shows its invitation (a hall QR code,
// a printed link, valid for days) to a media node: it exchanges it at the
// control service, which checks revocation right then, for a token of minutes
// bound to the same role, conference and site, and exchanges again before that
// one expires (the node takes the fresh one on the open socket). A leaked media
// token is worth minutes; revoking the invitation ends them all (`inv`).
// Browser-safe: zod only.
import { z } from 'zod';
import { Id } from './control-model.js';
import type { RouteDef, RouteRole } from './control-routes.js';

/** Lifetime of a media token (s); pages exchange again MEDIA_TOKEN_REFRESH_S before it ends. */
export const MEDIA_TOKEN_TTL_S = 10 * 60;
export const MEDIA_TOKEN_REFRESH_S = 2 * 60;

export const MediaTokenRes = z.object({
  token: z.string().min(1),
  /** Expiry, seconds since epoch. */
  exp: z.number().int().positive(),
});
export type MediaTokenRes = z.infer<typeof MediaTokenRes>;

/** hall socket, c→s: a fresh media token for the same invitation; ack `{ exp }`. */
export const REFRESH_TOKEN_EVENT = 'media:token:refresh';
export const RefreshTokenReq = z.strictObject({ token: z.string().min(1).max(4000) });

const READ: RouteRole[] = ['organizer', 'technician', 'participant', 'viewer'];

export const MediaTokenRoutes = {
  mediaToken: {
    // no body: what the token is for comes from the invitation itself
    method: 'post', path: '/api/conferences/:conf/media-token', params: z.object({ conf: Id }), res: MediaTokenRes, roles: READ,
    summary: `A media token (${MEDIA_TOKEN_TTL_S / 60} minutes) for this invitation's role, conference and site; refused once the invitation is revoked`,
  },
} as const satisfies Record<string, RouteDef>;
