// Short links of site invitations: an 8-character code (`/l/<code>`) that
// redirects to the full link, so a person can type it from the printed sheet.
// Redis (server/keys.ts): `short:<code>` → the record (expires with the
// token), and per conference `shortof:<conf>` jti → code. The link keeps its
// token: the code is as secret as the link it stands for.
import { randomBytes } from 'node:crypto';
import { SHORT_ALPHABET, SHORT_LENGTH, type Invitation, type Site } from '../../signaling/control.js';
import type { Ctx } from '../context.js';

export interface ShortRecord {
  conf: string;
  jti: string;
  role: Invitation['role'];
  site: string;
  /** Path and query on the control service, e.g. /technician.html?token=…&site=… */
  path: string;
  /** Expiry of the token, seconds since epoch. */
  exp: number;
}

const shortKey = (ctx: Ctx, code: string) => ctx.keys.short(code);
const shortOfKey = (ctx: Ctx, conf: string) => ctx.keys.shortOf(conf);

/** The page a role's link opens (as the organizer app builds it: client/ui/organizer/invitations-panel.ts). */
export function invitePath(role: Invitation['role'], token: string, site: Site): string {
  const page = role === 'technician' ? 'technician' : role === 'participant' ? 'checkin' : role === 'viewer' ? 'hall' : 'organizer';
  const q = new URLSearchParams({ token, site: site.id });
  if (page === 'hall' && site.mediaUrl) q.set('node', site.mediaUrl);
  return `/${page}.html?${q}`;
}

function newCode(): string {
  // rejection sampling keeps every character equally likely
  const out: string[] = [];
  const limit = 256 - (256 % SHORT_ALPHABET.length);
  while (out.length < SHORT_LENGTH) {
    for (const b of randomBytes(SHORT_LENGTH * 2)) {
      if (b < limit && out.length < SHORT_LENGTH) out.push(SHORT_ALPHABET[b % SHORT_ALPHABET.length]!);
    }
  }
  return out.join('');
}

/** Gives a freshly issued site invitation (with its token) a short code. */
export async function createShort(ctx: Ctx, conf: string, inv: Invitation, site: Site): Promise<string> {
  if (!inv.token) throw new Error('createShort needs the token of a fresh invitation');
  const rec: ShortRecord = { conf, jti: inv.jti, role: inv.role, site: site.id, path: invitePath(inv.role, inv.token, site), exp: inv.exp };
  const ttlMs = Math.max(1000, inv.exp * 1000 - Date.now());
  for (;;) {
    const code = newCode();
    if (await ctx.redis.set(shortKey(ctx, code), JSON.stringify(rec), 'PX', ttlMs, 'NX')) {
      await ctx.redis.hset(shortOfKey(ctx, conf), inv.jti, code);
      return code;
    }
  }
}

export async function resolveShort(ctx: Ctx, code: string): Promise<ShortRecord | null> {
  const s = await ctx.redis.get(shortKey(ctx, code));
  return s === null ? null : (JSON.parse(s) as ShortRecord);
}

/** jti → short code of a conference's invitations. */
export async function shortCodes(ctx: Ctx, conf: string): Promise<Map<string, string>> {
  return new Map(Object.entries(await ctx.redis.hgetall(shortOfKey(ctx, conf))));
}

export async function isRevoked(ctx: Ctx, jti: string): Promise<boolean> {
  return (await ctx.redis.sismember(ctx.keys.revoked, jti)) === 1;
}
