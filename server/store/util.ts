// Small Redis helpers: JSON values, a cross-instance lock for read-modify-write
// documents (agenda, floor, conference), short random ids.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../signaling/common.js';
import type { Ctx } from '../context.js';

export async function getJson<T>(ctx: Ctx, key: string): Promise<T | null> {
  const s = await ctx.redis.get(key);
  return s === null ? null : (JSON.parse(s) as T);
}

export async function hgetJson<T>(ctx: Ctx, key: string, field: string): Promise<T | null> {
  const s = await ctx.redis.hget(key, field);
  return s === null ? null : (JSON.parse(s) as T);
}

export type Hash = Record<string, string>;

/** A flat HGETALL reply (field, value, ...) as an object. */
export function hashOf(flat: string[]): Hash {
  const h: Hash = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return h;
}

/** Many hashes in a few commands (a push after a burst reads thousands), not one command each. */
export async function readHashes(ctx: Ctx, keys: string[]): Promise<Hash[]> {
  const CHUNK = 5000; // keeps each call's argument list and Redis's time in one script small
  const parts: Promise<string[][]>[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) parts.push(ctx.scripts.hgetallMany(keys.slice(i, i + CHUNK)));
  return (await Promise.all(parts)).flat().map(hashOf);
}

export async function hvalsJson<T>(ctx: Ctx, key: string): Promise<T[]> {
  return (await ctx.redis.hvals(key)).map((s) => JSON.parse(s) as T);
}

const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Runs `fn` holding a Redis lock on `name` (every instance honours it). */
export async function withLock<T>(ctx: Ctx, name: string, fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const key = `${ctx.keys.prefix}lock:${name}`;
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ctx.redis.set(key, token, 'PX', 10_000, 'NX')) break;
    if (Date.now() > deadline) throw new AppError('UNAVAILABLE', `busy: ${name}`);
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 15));
  }
  try {
    return await fn();
  } finally {
    await ctx.redis.eval(UNLOCK, 1, key, token).catch(() => undefined);
  }
}

export const newId = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

export function notFound(what: string): never {
  throw new AppError('NOT_FOUND', `${what} not found`);
}
