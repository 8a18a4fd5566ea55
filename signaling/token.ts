// Signed access tokens shared by the control service and the media nodes.
// A token is `base64url(claims).base64url(hmac-sha256)`; node-only (uses
// node:crypto) — browsers just carry the string.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const Role = z.enum(['organizer', 'technician', 'participant', 'viewer', 'node']);
export type Role = z.infer<typeof Role>;

export const TokenClaims = z.object({
  /** Role of the bearer. */
  role: Role,
  /** Conference the token is scoped to. */
  conf: z.string().min(1),
  /** Site the token is scoped to (technician, participant, hall viewer). */
  site: z.string().min(1).optional(),
  /** Token id, so a single invitation can be revoked. */
  jti: z.string().min(1),
  /** Expiry, seconds since epoch. */
  exp: z.number().int().positive(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

export class TokenError extends Error {
  constructor(readonly code: 'TOKEN_MALFORMED' | 'TOKEN_BAD_SIGNATURE' | 'TOKEN_EXPIRED', message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function signToken(
  secret: string,
  claims: Omit<TokenClaims, 'jti' | 'exp'> & { jti?: string; exp?: number; ttlSeconds?: number },
): string {
  const { ttlSeconds = 7 * 24 * 3600, ...rest } = claims;
  const full: TokenClaims = TokenClaims.parse({
    ...rest,
    jti: rest.jti ?? randomBytes(9).toString('base64url'),
    exp: rest.exp ?? Math.floor(Date.now() / 1000) + ttlSeconds,
  });
  const body = b64(JSON.stringify(full));
  const sig = b64(createHmac('sha256', secret).update(body).digest());
  return `${body}.${sig}`;
}

/** Verifies signature and expiry; revocation is the caller's business (jti). */
export function verifyToken(secret: string, token: string, now = Date.now()): TokenClaims {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 2) throw new TokenError('TOKEN_MALFORMED', 'token is not body.signature');
  const [body, sig] = parts as [string, string];
  const want = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    throw new TokenError('TOKEN_BAD_SIGNATURE', 'token signature does not match');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('TOKEN_MALFORMED', 'token body is not JSON');
  }
  const claims = TokenClaims.safeParse(parsed);
  if (!claims.success) throw new TokenError('TOKEN_MALFORMED', 'token claims are invalid');
  if (claims.data.exp * 1000 < now) throw new TokenError('TOKEN_EXPIRED', 'token has expired');
  return claims.data;
}
