// Who may do what on a media node, from the people's tokens (TOKEN_SECRET).
import { AppError } from '../signaling/common.js';
import type { HallRole } from '../signaling/media.js';
import { TokenError, verifyToken, type TokenClaims, type TokenKey } from '../signaling/token.js';

/**
 * A person's token that is valid and not revoked (`revoked`: the ids control revoked; a media token
 * is revoked with its invitation). `requireMedia`: only short-lived media tokens, exchanged at the
 * control service (signaling/media-token.ts), never the long-lived invitation itself.
 */
export function verifyLive(secret: TokenKey, token: unknown, revoked?: { has(jti: string): boolean }, requireMedia = false): TokenClaims {
  const claims = verifyPerson(secret, token);
  if (revoked?.has(claims.jti) || (claims.inv && revoked?.has(claims.inv))) throw new AppError('UNAUTHORIZED', 'Liên kết này đã bị thu hồi; hãy xin Ban tổ chức liên kết mới. / This link was revoked; ask the organisers for a new one.');
  if (requireMedia && !claims.inv) {
    throw new AppError('UNAUTHORIZED', 'Trang cần lấy mã truy cập ngắn hạn từ dịch vụ điều hành trước; hãy mở lại đúng đường liên kết Ban tổ chức gửi. / The page must first get a short-lived media token from the control service; open the link the organisers sent again.');
  }
  return claims;
}

/** The invitation a token stands for: its own id, or the one a media token was exchanged for. */
export function linkOf(claims: TokenClaims): string {
  return claims.inv ?? claims.jti;
}

/** Verifies a person's token; node tokens are not accepted here. */
export function verifyPerson(secret: TokenKey, token: unknown): TokenClaims {
  if (typeof token !== 'string' || !token) throw new AppError('UNAUTHORIZED', 'missing token');
  let claims: TokenClaims;
  try {
    claims = verifyToken(secret, token);
  } catch (err) {
    throw new AppError('UNAUTHORIZED', err instanceof TokenError ? err.message : 'invalid token');
  }
  if (claims.role === 'node') throw new AppError('UNAUTHORIZED', 'node tokens are for the node channel');
  return claims;
}

const SITE_ROLES: Record<HallRole, TokenClaims['role'][]> = {
  hall: ['viewer', 'participant', 'technician'],
  studio: [],
  // a site's media for the floor comes from its technician (console, contributor page), never
  // from a participant's check-in link
  contributor: ['technician'],
  console: ['technician'],
};

/** Throws FORBIDDEN unless `claims` may join `site` as `role`. Organizers may do everything. */
export function assertHallRole(claims: TokenClaims, role: HallRole, site: string): void {
  if (claims.role === 'organizer') return;
  if (!SITE_ROLES[role].includes(claims.role)) throw new AppError('FORBIDDEN', `role ${claims.role} cannot join as ${role}`);
  if (claims.site !== site) throw new AppError('FORBIDDEN', `token is for site ${claims.site ?? '(none)'}, not ${site}`);
}

/** Stats are for organizers and technicians (of a site this node hosts). */
export function assertStatsAccess(claims: TokenClaims, hosts: (site: string) => boolean): void {
  if (claims.role === 'organizer') return;
  if (claims.role === 'technician' && claims.site && hosts(claims.site)) return;
  throw new AppError('FORBIDDEN', 'stats are for organizers and this node\'s technicians');
}

export function assertOrganizer(claims: TokenClaims): void {
  if (claims.role !== 'organizer') throw new AppError('FORBIDDEN', 'organizer only');
}
