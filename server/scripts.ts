// Lua scripts that keep a site's own counts and every ancestor's roll-up in
// one atomic step, so a roll-up always equals the sum of its children.
import type { Redis } from 'ioredis';

/** KEYS: att, stream, seq, ru... ; ARGV: now, kind(p|e), by, site, countsJson, g1, v1, g2, v2... */
const SET_COUNTS = `
local kind = ARGV[2]
for i = 6, #ARGV, 2 do
  local f = kind .. ':' .. ARGV[i]
  local v = tonumber(ARGV[i + 1])
  local old = tonumber(redis.call('HGET', KEYS[1], f) or '0')
  if v ~= old then
    redis.call('HSET', KEYS[1], f, v)
    for k = 4, #KEYS do redis.call('HINCRBY', KEYS[k], f, v - old) end
  end
end
if kind == 'p' and redis.call('HGET', KEYS[1], '_rep') ~= '1' then
  redis.call('HSET', KEYS[1], '_rep', '1')
  for k = 4, #KEYS do redis.call('HINCRBY', KEYS[k], '_rep', 1) end
end
redis.call('HSET', KEYS[1], '_upd', ARGV[1])
local seq = redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[2], '*', 'site', ARGV[4], 'kind', kind, 'by', ARGV[3], 'seq', seq, 'counts', ARGV[5], 'at', ARGV[1])
return { seq, redis.call('HGETALL', KEYS[1]) }
`;

/** KEYS: pres, att, stream, events, instSites, seq, ru... ; ARGV: now, inst, delta, site, client, member */
const PRESENCE = `
local now = tonumber(ARGV[1])
local d = tonumber(ARGV[3])
local mine = redis.call('HINCRBY', KEYS[1], 'i:' .. ARGV[2], d)
if mine < 0 then d = d - mine; mine = 0 end
if mine == 0 then
  redis.call('HDEL', KEYS[1], 'i:' .. ARGV[2]); redis.call('SREM', KEYS[5], ARGV[6])
else
  redis.call('SADD', KEYS[5], ARGV[6])
end
local conns = redis.call('HINCRBY', KEYS[1], 'conns', d)
if conns < 0 then redis.call('HSET', KEYS[1], 'conns', 0); conns = 0 end
local edge = 0
if d > 0 and conns == d then
  redis.call('HSET', KEYS[1], 'since', now, 'lastJoin', now)
  redis.call('HINCRBY', KEYS[1], 'joins', 1)
  redis.call('HSET', KEYS[2], '_online', 1)
  for k = 7, #KEYS do redis.call('HINCRBY', KEYS[k], '_online', 1) end
  edge = 1
elseif d < 0 and conns == 0 and redis.call('HEXISTS', KEYS[1], 'since') == 1 then
  local since = tonumber(redis.call('HGET', KEYS[1], 'since'))
  redis.call('HINCRBY', KEYS[1], 'totalMs', now - since)
  redis.call('HDEL', KEYS[1], 'since')
  redis.call('HSET', KEYS[1], 'lastLeave', now)
  redis.call('HSET', KEYS[2], '_online', 0)
  for k = 7, #KEYS do redis.call('HINCRBY', KEYS[k], '_online', -1) end
  edge = -1
end
if d ~= 0 then
  local kind = 'join'
  if d < 0 then kind = 'leave' end
  redis.call('RPUSH', KEYS[4], cjson.encode({ site = ARGV[4], kind = kind, at = now, client = ARGV[5] }))
  redis.call('XADD', KEYS[3], '*', 'site', ARGV[4], 'kind', kind, 'at', ARGV[1], 'client', ARGV[5], 'conns', conns)
end
local seq = redis.call('INCR', KEYS[6])
return { edge, conns, seq }
`;

export interface Scripts {
  /** Returns the roll-up sequence and the site's own hash after the write. */
  setCounts(keys: string[], args: (string | number)[]): Promise<[number, string[]]>;
  presence(keys: string[], args: (string | number)[]): Promise<[number, number, number]>;
}

export function defineScripts(redis: Redis): Scripts {
  redis.defineCommand('dcSetCounts', { lua: SET_COUNTS });
  redis.defineCommand('dcPresence', { lua: PRESENCE });
  const r = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  return {
    setCounts: (keys, args) => r.dcSetCounts!(keys.length, ...keys, ...args) as Promise<[number, string[]]>,
    presence: (keys, args) => r.dcPresence!(keys.length, ...keys, ...args) as Promise<[number, number, number]>,
  };
}
