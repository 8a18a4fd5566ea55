// Redis clean-up for tests that run under their own key prefix.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key under `prefix` (SCAN, so a large run does not block the server). */
export async function deletePrefix(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  const r = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    await r.quit();
  }
}

/**
 * A hash of every key under `prefix` and its contents (strings, hashes, sets,
 * sorted sets, lists, streams), skipping keys that match `skip`: a change to
 * any record shows as a different hash.
 */
export async function stateHash(r: Redis, prefix: string, skip: RegExp): Promise<string> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch.filter((k) => !skip.test(k.slice(prefix.length))));
  } while (cursor !== '0');
  keys.sort();
  const types = await Promise.all(keys.map((k) => r.type(k)));
  const values = await Promise.all(keys.map(async (k, i): Promise<unknown> => {
    switch (types[i]) {
      case 'string': return r.get(k);
      case 'hash': return Object.entries(await r.hgetall(k)).sort();
      case 'set': return (await r.smembers(k)).sort();
      case 'zset': return r.zrange(k, '0', '-1', 'WITHSCORES');
      case 'list': return r.lrange(k, 0, -1);
      case 'stream': return r.xrange(k, '-', '+');
      default: return types[i];
    }
  }));
  const h = createHash('sha256');
  keys.forEach((k, i) => h.update(JSON.stringify([k, types[i], values[i]])));
  return h.digest('hex');
}
