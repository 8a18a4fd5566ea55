// Token verification, revocation and the role × scope rules.
import { AppError } from '../signaling/common.js';
import { TokenError, verifyToken, type TokenClaims } from '../signaling/token.js';
import type { RouteRole } from '../signaling/control-routes.js';
import type { Ctx } from './context.js';

export type Auth = TokenClaims;

export async function authenticate(ctx: Ctx, token: unknown): Promise<Auth> {
  if (typeof token !== 'string' || token.length === 0) throw new AppError('UNAUTHORIZED', 'missing token');
  let claims: Auth;
  try {
    claims = verifyToken(ctx.tokenKey, token);
  } catch (e) {
    if (e instanceof TokenError) throw new AppError('UNAUTHORIZED', e.message);
    throw e;
  }
  if (claims.role === 'node') throw new AppError('FORBIDDEN', 'node tokens are not accepted here');
  if (await ctx.redis.sismember(ctx.keys.revoked, claims.jti)) throw new AppError('UNAUTHORIZED', 'token revoked');
  if (claims.inv && await ctx.redis.sismember(ctx.keys.revoked, claims.inv)) throw new AppError('UNAUTHORIZED', 'token revoked');
  return claims;
}

export function assertConf(a: Auth, conf: string): void {
  if (a.conf !== conf) throw new AppError('FORBIDDEN', 'token is for another conference');
}

export function assertRole(a: Auth, roles: readonly RouteRole[]): void {
  if (roles.includes('any') || roles.includes(a.role as RouteRole)) return;
  throw new AppError('FORBIDDEN', `role ${a.role} may not do this`);
}

export const isOrganizer = (a: Auth) => a.role === 'organizer';
/** Conference-wide reader: organizer, or a viewer not bound to a site. */
export const isWide = (a: Auth) => a.role === 'organizer' || (a.role === 'viewer' && !a.site);

/**
 * A write or read about `site`: organizers of the conference always; site-bound
 * roles only for their own site (and only if listed in `roles`).
 */
export function assertSite(a: Auth, conf: string, site: string, roles: readonly RouteRole[] = ['technician']): void {
  assertConf(a, conf);
  if (a.role === 'organizer') return;
  if (!roles.includes(a.role as RouteRole)) throw new AppError('FORBIDDEN', `role ${a.role} may not do this`);
  if (a.site !== site) throw new AppError('FORBIDDEN', 'token is for another site');
}

/** Reading a site's data: wide readers for any site, site-bound tokens for their own. */
export function assertSiteRead(a: Auth, conf: string, site: string): void {
  assertConf(a, conf);
  if (isWide(a)) return;
  if (a.site !== site) throw new AppError('FORBIDDEN', 'token is for another site');
}

/** Conference-wide data (all roll-ups, presence, reports): organizers and conference-wide viewers. */
export function assertWide(a: Auth, conf: string): void {
  assertConf(a, conf);
  if (!isWide(a)) throw new AppError('FORBIDDEN', 'a site-bound token cannot read the whole conference');
}
