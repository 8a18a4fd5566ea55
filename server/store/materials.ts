// Materials: metadata in Redis, bytes in the BlobStore; per-site delivery
// records; receipts verified against the sha256.
import { createHash, createHmac } from 'node:crypto';
import type { Readable } from 'node:stream';
import { proofRange } from '../../signaling/receipt-proof.js';
import { AppError } from '../../signaling/common.js';
import { ControlPushes, type Delivery, type DeliverySummary, type Material } from '../../signaling/control.js';
import { routePath } from '../../signaling/control-routes.js';
import type { BlobStore } from '../blobstore.js';
import type { Ctx } from '../context.js';
import { rooms } from '../context.js';
import { getConference, listSites, siteRecord } from './conference.js';
import { hgetJson, hvalsJson, newId, withLock } from './util.js';

/** Writes a delivery record unless it would overwrite a receipt of the same version (atomic). */
const DLV_SET = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[3] ~= '1' and cur then
  local c = cjson.decode(cur)
  local n = cjson.decode(ARGV[2])
  if c.state == 'delivered' and c.version == n.version then return cur end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
`;

export async function writeDelivery(ctx: Ctx, conf: string, d: Delivery, force = false): Promise<Delivery> {
  const out = (await ctx.redis.eval(DLV_SET, 1, ctx.keys.deliveries(conf, d.material), d.site, JSON.stringify(d), force ? '1' : '0')) as string;
  const stored = JSON.parse(out) as Delivery;
  ctx.pusher.delivery(conf, stored);
  return stored;
}

export async function getDelivery(ctx: Ctx, conf: string, material: string, site: string): Promise<Delivery | null> {
  return hgetJson<Delivery>(ctx, ctx.keys.deliveries(conf, material), site);
}

export async function listDeliveries(ctx: Ctx, conf: string, material: string): Promise<Delivery[]> {
  return (await hvalsJson<Delivery>(ctx, ctx.keys.deliveries(conf, material))).sort((a, b) => a.site.localeCompare(b.site));
}

export function summarize(m: Material, ds: Delivery[]): DeliverySummary {
  const s: DeliverySummary = { material: m.id, version: m.version, pending: 0, notified: 0, delivered: 0, failed: 0 };
  for (const d of ds) if (d.version === m.version) s[d.state] += 1;
  return s;
}

export async function getMaterial(ctx: Ctx, conf: string, id: string): Promise<Material> {
  const m = await hgetJson<Material>(ctx, ctx.keys.materials(conf), id);
  if (!m) throw new AppError('NOT_FOUND', `material ${id} not found`);
  return m;
}

export const targetsSite = (m: Material, site: string) => m.targets === 'all' || m.targets.includes(site);

export async function listMaterials(ctx: Ctx, conf: string, site?: string): Promise<Material[]> {
  const all = await hvalsJson<Material>(ctx, ctx.keys.materials(conf));
  const out = all.filter((m) => !site || targetsSite(m, site)).sort((a, b) => a.uploadedAt - b.uploadedAt || a.id.localeCompare(b.id));
  // a site's own list carries its receipt challenges
  return site ? out.map((m) => forSite(ctx, conf, m, site)) : out;
}

export async function targetSites(ctx: Ctx, conf: string, m: Material): Promise<string[]> {
  if (m.targets !== 'all') return m.targets;
  return (await listSites(ctx, conf)).map((s) => s.id);
}

export interface UploadMeta { id?: string; title: string; filename: string; targets: string; mime: string; /** default: the upload limit (a recording pushed by control may be larger) */ maxBytes?: number }

function baseMime(ct: string | undefined): string {
  return (ct ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
}

/** Stores the bytes, creates the material (or its next version) and starts delivery. */
export async function uploadMaterial(ctx: Ctx, blobs: BlobStore, conf: string, meta: UploadMeta, body: Readable): Promise<Material> {
  await getConference(ctx, conf);
  const mime = baseMime(meta.mime);
  if (!ctx.opts.allowedTypes.includes(mime)) throw new AppError('UNSUPPORTED', `type ${mime} is not accepted`);
  const targets: Material['targets'] = meta.targets.trim() === 'all' ? 'all' : meta.targets.split(',').map((s) => s.trim()).filter(Boolean);
  if (targets !== 'all') {
    if (targets.length === 0) throw new AppError('BAD_REQUEST', 'no target sites');
    for (const s of targets) await siteRecord(ctx, conf, s);
  }
  const { sha256, size } = await blobs.put(body, meta.maxBytes ?? ctx.opts.maxUploadBytes);
  const m = await withLock(ctx, `mat:${conf}`, async () => {
    const id = meta.id ?? newId('mat');
    const old = await hgetJson<Material>(ctx, ctx.keys.materials(conf), id);
    const m: Material = {
      id, title: meta.title, filename: meta.filename, mime, size, sha256, version: (old?.version ?? 0) + 1, targets,
      uploadedAt: Date.now(), url: routePath('downloadMaterial', { conf, material: id }),
    };
    await ctx.redis.hset(ctx.keys.materials(conf), id, JSON.stringify(m));
    return m;
  });
  ctx.nsp?.to(rooms.org(conf)).emit(ControlPushes.materials, await listMaterials(ctx, conf));
  await ctx.delivery?.start(conf, m, await targetSites(ctx, conf, m));
  return m;
}

/** The per-site challenge of a material version (derived, so nothing is stored for it). */
export function challengeFor(ctx: Ctx, conf: string, m: Material, site: string): string {
  return createHmac('sha256', ctx.opts.tokenSecret).update(`receipt|${conf}|${m.id}|${m.version}|${m.sha256}|${site}`).digest('hex').slice(0, 32);
}

/** A material as a site sees it: with its own challenge. */
export const forSite = (ctx: Ctx, conf: string, m: Material, site: string): Material => ({ ...m, challenge: challengeFor(ctx, conf, m, site) });

/** sha256(challenge ‖ the slice it selects), read from the store. */
async function expectedProof(ctx: Ctx, blobs: BlobStore, conf: string, m: Material, site: string): Promise<string> {
  const challenge = challengeFor(ctx, conf, m, site);
  const h = createHash('sha256').update(challenge);
  const range = proofRange(challenge, m.size);
  if (range) for await (const chunk of blobs.read(m.sha256, range)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** A site says it has the file: its sha256 matches, and its proof shows it holds the bytes. */
export async function acceptReceipt(ctx: Ctx, conf: string, material: string, site: string, version: number, sha256: string, proof: string): Promise<Delivery> {
  const m = await getMaterial(ctx, conf, material);
  await siteRecord(ctx, conf, site);
  if (!targetsSite(m, site)) throw new AppError('FORBIDDEN', `material ${material} is not for site ${site}`);
  if (version !== m.version) throw new AppError('CONFLICT', `version ${version} is not the current version ${m.version}`);
  const cur = await getDelivery(ctx, conf, material, site);
  if (sha256 !== m.sha256) {
    if (cur && cur.state !== 'delivered') await writeDelivery(ctx, conf, { ...cur, lastError: 'sha256 mismatch', updatedAt: Date.now() });
    throw new AppError('CONFLICT', 'sha256 does not match the material');
  }
  if (!ctx.blobs || proof !== (await expectedProof(ctx, ctx.blobs, conf, m, site))) {
    if (cur && cur.state !== 'delivered') await writeDelivery(ctx, conf, { ...cur, lastError: 'proof mismatch', updatedAt: Date.now() });
    throw new AppError('CONFLICT', 'Xác nhận không khớp với tệp; hãy tải lại tài liệu rồi xác nhận. / The receipt does not prove the file is here; download it again and confirm.');
  }
  if (cur?.state === 'delivered' && cur.version === version) return cur;
  const now = Date.now();
  const d: Delivery = { material, version, site, state: 'delivered', attempts: cur?.attempts ?? 0, updatedAt: now, receivedAt: now };
  const stored = await writeDelivery(ctx, conf, d, true);
  await ctx.receipts?.announce(`${conf}|${material}|${version}|${site}`);
  return stored;
}
