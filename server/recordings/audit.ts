// The log of acts on a conference's recordings (start, stop, switch, push,
// delete): in pino, and in a bounded per-conference list the panel shows.
import type { RecordingAuditEntry } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { recKeys } from './keys.js';

const KEEP = 1000;

export async function audit(ctx: Ctx, conf: string, e: Omit<RecordingAuditEntry, 'at'>): Promise<void> {
  const entry: RecordingAuditEntry = { at: Date.now(), ...e };
  ctx.log.info({ conf, ...entry }, `recording ${e.action}`);
  const k = recKeys(ctx).audit(conf);
  await ctx.redis.multi().lpush(k, JSON.stringify(entry)).ltrim(k, 0, KEEP - 1).exec();
}

export async function auditLog(ctx: Ctx, conf: string): Promise<RecordingAuditEntry[]> {
  return (await ctx.redis.lrange(recKeys(ctx).audit(conf), 0, KEEP - 1)).map((s) => JSON.parse(s) as RecordingAuditEntry);
}
