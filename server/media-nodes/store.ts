// Enrolled media nodes in Redis: the operator's entry (id, name), its one-time
// enrolment code (kept only as SHA-256, expiring, used up atomically) and the
// node's credential (SHA-256 too). Each enrolment bumps the node's generation:
// node tokens carry it in their id (`node.<id>.<gen>`), so revoking or
// re-enrolling a node voids every token of the old credential at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../signaling/common.js';
import { ENROL_CODE_TTL_MS, NodeCredential, type EnrolCodeRes } from '../../signaling/media-nodes.js';
import type { Ctx } from '../context.js';

export type NodeStoreCtx = Pick<Ctx, 'redis' | 'keys'>;

export interface NodeRecord {
  id: string;
  name: string;
  createdAt: number;
  enrolledAt: number | null;
  revokedAt: number | null;
  /** Bumped at every enrolment and revocation: tokens of an older generation are void. */
  gen: number;
  credHash: string | null;
  codeHash: string | null;
  codeExpiresAt: number | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The id every node token of this generation carries (revoked as one). */
export const nodeJti = (id: string, gen: number) => `node.${id}.${gen}`;

export const CODE_REFUSED = 'Mã đăng ký này sai, đã được dùng hoặc đã hết hạn. Hãy xin người quản trị một mã mới (Quản trị → Máy chủ truyền hình → Mã mới) rồi khởi động lại máy chủ với mã đó. / This enrolment code is wrong, already used or expired. Ask the operator for a new code and start the node again with it.';
export const CREDENTIAL_REFUSED = 'Máy chủ truyền hình này đã bị thu hồi hoặc đăng ký lại ở nơi khác. Hãy xin người quản trị một mã đăng ký mới. / This media node was revoked or enrolled again elsewhere; ask the operator for a new enrolment code.';

export async function getNode(ctx: NodeStoreCtx, id: string): Promise<NodeRecord | null> {
  const s = await ctx.redis.get(ctx.keys.mediaNode(id));
  return s ? (JSON.parse(s) as NodeRecord) : null;
}

async function save(ctx: NodeStoreCtx, n: NodeRecord): Promise<void> {
  await ctx.redis.set(ctx.keys.mediaNode(n.id), JSON.stringify(n));
}

export async function listNodes(ctx: NodeStoreCtx): Promise<NodeRecord[]> {
  const ids = (await ctx.redis.smembers(ctx.keys.mediaNodeIds)).sort();
  const out: NodeRecord[] = [];
  for (const id of ids) {
    const n = await getNode(ctx, id);
    if (n) out.push(n);
  }
  return out;
}

/** A new node entry and its first enrolment code. CONFLICT if the id exists. */
export async function createNode(ctx: NodeStoreCtx, id: string, name: string): Promise<EnrolCodeRes> {
  const n: NodeRecord = { id, name, createdAt: Date.now(), enrolledAt: null, revokedAt: null, gen: 0, credHash: null, codeHash: null, codeExpiresAt: null };
  const ok = await ctx.redis.set(ctx.keys.mediaNode(id), JSON.stringify(n), 'NX');
  if (ok !== 'OK') throw new AppError('CONFLICT', `Đã có máy chủ truyền hình mã "${id}". Hãy chọn mã khác, hoặc cấp mã đăng ký mới cho máy chủ đó. / A media node "${id}" exists; choose another id or give that one a new code.`);
  await ctx.redis.sadd(ctx.keys.mediaNodeIds, id);
  return issueCode(ctx, id);
}

/** A new one-time code for `id` (an earlier unused one stops working). The credential stays valid until the code is used. */
export async function issueCode(ctx: NodeStoreCtx, id: string, ttlMs = ENROL_CODE_TTL_MS): Promise<EnrolCodeRes> {
  const n = await getNode(ctx, id);
  if (!n) throw new AppError('NOT_FOUND', `Chưa có máy chủ truyền hình "${id}"; hãy thêm nó trước. / No media node "${id}"; add it first.`);
  const code = randomBytes(24).toString('base64url');
  const hash = sha256(code);
  const expiresAt = Date.now() + ttlMs;
  const m = ctx.redis.multi();
  if (n.codeHash) m.del(ctx.keys.enrolCode(n.codeHash));
  await m.set(ctx.keys.enrolCode(hash), id, 'PX', ttlMs).set(ctx.keys.mediaNode(id), JSON.stringify({ ...n, codeHash: hash, codeExpiresAt: expiresAt })).exec();
  return { nodeId: id, code, expiresAt };
}

/**
 * Uses the code up (a second use fails) and gives the node a new credential; the older credential
 * and its tokens are void. A wrong code, or one for another node, changes nothing.
 * Returns the credential and the token id of the generation that ended (to revoke), if any.
 */
export async function enrol(ctx: NodeStoreCtx, id: string, code: string): Promise<{ credential: string; voided: string | null }> {
  const hash = sha256(code);
  const owner = await ctx.redis.get(ctx.keys.enrolCode(hash));
  if (owner !== id) throw new AppError('UNAUTHORIZED', CODE_REFUSED);
  // only one caller gets the code out
  if ((await ctx.redis.getdel(ctx.keys.enrolCode(hash))) !== id) throw new AppError('UNAUTHORIZED', CODE_REFUSED);
  const n = await getNode(ctx, id);
  if (!n || n.codeHash !== hash) throw new AppError('UNAUTHORIZED', CODE_REFUSED);
  const credential = `${id}.${randomBytes(32).toString('base64url')}`;
  const voided = n.credHash ? nodeJti(id, n.gen) : null;
  await save(ctx, { ...n, gen: n.gen + 1, credHash: sha256(credential), enrolledAt: Date.now(), revokedAt: null, codeHash: null, codeExpiresAt: null });
  return { credential, voided };
}

/** The live node a credential stands for; UNAUTHORIZED otherwise. */
export async function checkCredential(ctx: NodeStoreCtx, credential: string | undefined): Promise<NodeRecord> {
  const parsed = NodeCredential.safeParse(credential);
  if (!parsed.success) throw new AppError('UNAUTHORIZED', 'Cần chứng chỉ của máy chủ truyền hình (Authorization: Bearer <chứng chỉ>). / The node credential is required.');
  const id = parsed.data.slice(0, parsed.data.indexOf('.'));
  const n = await getNode(ctx, id);
  const want = n?.credHash ? Buffer.from(n.credHash, 'hex') : null;
  const got = Buffer.from(sha256(parsed.data), 'hex');
  if (!n || !want || n.revokedAt || !timingSafeEqual(want, got)) throw new AppError('UNAUTHORIZED', CREDENTIAL_REFUSED);
  return n;
}

/** Whether a node token of generation `gen` still stands (not revoked, not re-enrolled since). */
export async function generationLive(ctx: NodeStoreCtx, id: string, gen: number): Promise<boolean> {
  const n = await getNode(ctx, id);
  return !!n && !n.revokedAt && !!n.credHash && n.gen === gen;
}

/** Voids the credential, any unused code and every token; returns the token id to revoke. */
export async function revokeNode(ctx: NodeStoreCtx, id: string): Promise<string> {
  const n = await getNode(ctx, id);
  if (!n) throw new AppError('NOT_FOUND', `Chưa có máy chủ truyền hình "${id}". / No media node "${id}".`);
  const m = ctx.redis.multi();
  if (n.codeHash) m.del(ctx.keys.enrolCode(n.codeHash));
  await m.set(ctx.keys.mediaNode(id), JSON.stringify({ ...n, revokedAt: Date.now(), credHash: null, codeHash: null, codeExpiresAt: null, gen: n.gen + 1 })).exec();
  return nodeJti(id, n.gen);
}
