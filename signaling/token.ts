// Signed access tokens shared by the control service and the media nodes;
// node-only (node:crypto) — browsers just carry the string. Two kinds of key:
//
// - a Keyring (deployments, the demo): Ed25519. Only the control host holds the
//   private key; media nodes hold public keys only, so reading a district
//   server's files gives no power to sign. A token is
//   `base64url({alg:'EdDSA',kid}).base64url(claims).base64url(signature)`; the key
//   id lets keys rotate: add the new key to every verifier, sign with it, and
//   retire the old one once its tokens have expired.
// - a shared secret string (HMAC-SHA256, `base64url(claims).base64url(mac)`),
//   for tests and single-host setups.
//
// node:crypto rather than jose: Ed25519 signing and checking stay synchronous
// here, as the socket middlewares and the many callers expect, with no new
// dependency for two calls.
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as edSign, timingSafeEqual, verify as edVerify, type KeyObject } from 'node:crypto';
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
  /**
   * Media tokens only: the invitation (its jti) this short-lived token was exchanged for at the
   * control service. Revoking the invitation revokes every media token made from it.
   */
  inv: z.string().min(1).max(200).optional(),
  /** Node tokens of enrolled nodes only: the sites of the node's subtree (a parent accepts media of these only). */
  sites: z.array(z.string().min(1).max(100)).max(50_000).optional(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

export class TokenError extends Error {
  constructor(readonly code: 'TOKEN_MALFORMED' | 'TOKEN_BAD_SIGNATURE' | 'TOKEN_EXPIRED', message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/** Ed25519 keys by id: `signer` only where tokens are made (the control host). */
export interface Keyring {
  signer?: { kid: string; key: KeyObject };
  verifiers: Map<string, KeyObject>;
}
/** A shared secret (HMAC) or a keyring (Ed25519). */
export type TokenKey = string | Keyring;

/** Key files as JSON: `{ kid, privateKey? (PEM), publicKeys: { kid: PEM } }`. */
export const KeyringFile = z.object({
  kid: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).optional(),
  privateKey: z.string().optional(),
  publicKeys: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), z.string()),
});
export type KeyringFile = z.infer<typeof KeyringFile>;

export function loadKeyring(f: KeyringFile): Keyring {
  const verifiers = new Map(Object.entries(f.publicKeys).map(([kid, pem]) => [kid, createPublicKey(pem)]));
  if (!f.privateKey) return { verifiers };
  if (!f.kid) throw new Error('a signing key needs its kid');
  const key = createPrivateKey(f.privateKey);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key must be Ed25519');
  verifiers.set(f.kid, createPublicKey(key));
  return { signer: { kid: f.kid, key }, verifiers };
}

/** A fresh Ed25519 key: the signing file for the control host, the public part for the nodes. */
export function generateKeyring(kid: string): { signing: KeyringFile; public: KeyringFile } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    signing: { kid, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeys: { [kid]: pub } },
    public: { publicKeys: { [kid]: pub } },
  };
}

/** Secrets shorter than this are refused: a guessable secret is no secret. */
export const MIN_SECRET_LENGTH = 16;

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
/** Strict base64url: exactly what encoding the decoded bytes gives back (no padding, no stray characters). */
function unb64(part: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return null;
  const buf = Buffer.from(part, 'base64url');
  return b64(buf) === part ? buf : null;
}

export function signToken(
  key: TokenKey,
  claims: Omit<TokenClaims, 'jti' | 'exp'> & { jti?: string; exp?: number; ttlSeconds?: number },
): string {
  const { ttlSeconds = 7 * 24 * 3600, ...rest } = claims;
  const full: TokenClaims = TokenClaims.parse({
    ...rest,
    jti: rest.jti ?? randomBytes(9).toString('base64url'),
    exp: rest.exp ?? Math.floor(Date.now() / 1000) + ttlSeconds,
  });
  const body = b64(JSON.stringify(full));
  if (typeof key === 'string') {
    if (key.length < MIN_SECRET_LENGTH) throw new Error(`the token secret must be at least ${MIN_SECRET_LENGTH} characters`);
    return `${body}.${b64(createHmac('sha256', key).update(body).digest())}`;
  }
  if (!key.signer) throw new Error('this keyring cannot sign (public keys only)');
  const header = b64(JSON.stringify({ alg: 'EdDSA', kid: key.signer.kid }));
  return `${header}.${body}.${b64(edSign(null, Buffer.from(`${header}.${body}`), key.signer.key))}`;
}

/** Verifies signature and expiry; revocation is the caller's business (jti). */
export function verifyToken(key: TokenKey, token: string, now = Date.now()): TokenClaims {
  const parts = typeof token === 'string' ? token.split('.') : [];
  let body: string;
  if (typeof key === 'string') {
    if (parts.length !== 2) throw new TokenError('TOKEN_MALFORMED', 'token is not body.signature');
    body = parts[0]!;
    const got = unb64(parts[1]!);
    const want = createHmac('sha256', key).update(body).digest();
    if (!got || got.length !== want.length || !timingSafeEqual(got, want)) throw new TokenError('TOKEN_BAD_SIGNATURE', 'token signature does not match');
  } else {
    if (parts.length !== 3) throw new TokenError('TOKEN_MALFORMED', 'token is not header.body.signature');
    const [h, b, sig] = parts as [string, string, string];
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = JSON.parse(unb64(h)?.toString('utf8') ?? '');
    } catch {
      throw new TokenError('TOKEN_MALFORMED', 'token header is not JSON');
    }
    const pub = header.alg === 'EdDSA' && typeof header.kid === 'string' ? key.verifiers.get(header.kid) : undefined;
    if (!pub) throw new TokenError('TOKEN_BAD_SIGNATURE', 'token is signed with a key this service does not know');
    const got = unb64(sig);
    if (!got || !edVerify(null, Buffer.from(`${h}.${b}`), pub, got)) throw new TokenError('TOKEN_BAD_SIGNATURE', 'token signature does not match');
    body = b;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(unb64(body)?.toString('utf8') ?? '');
  } catch {
    throw new TokenError('TOKEN_MALFORMED', 'token body is not JSON');
  }
  const claims = TokenClaims.safeParse(parsed);
  if (!claims.success) throw new TokenError('TOKEN_MALFORMED', 'token claims are invalid');
  if (claims.data.exp * 1000 < now) throw new TokenError('TOKEN_EXPIRED', 'token has expired');
  return claims.data;
}
