// Lua scripts that keep a site's own counts and every ancestor's roll-up in
// one atomic step, so a roll-up always equals the sum of its children.
import type { Redis } from 'ioredis';

/**
 * Many count writes in one atomic step (one round trip, one script call):
 * each write is applied in order to its own hall hash and stream, while the
 * ancestors' increments are summed first and applied once per key and field,
 * so a root shared by thousands of writes is touched once, not thousands of times.
 * KEYS: stream, seq, then per write: att, ru... (its chain)
 * ARGV: now, then per write: kind(p|e), by, site, countsJson, nChain, nPairs, g1, v1, ...
 * Returns per write: seq, the site's own hash after the write (flat).
 */
const SET_COUNTS_BATCH = `
local now = ARGV[1]
local ki, ai = 3, 2
local delta, order = {}, {}
local function add(key, f, d)
  local t = delta[key]
  if not t then t = {}; delta[key] = t; order[#order + 1] = key end
  t[f] = (t[f] or 0) + d
end
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
local out = {}
while ai <= #ARGV do
  local kind, by, site, cj = ARGV[ai], ARGV[ai + 1], ARGV[ai + 2], ARGV[ai + 3]
  local nchain, npairs = tonumber(ARGV[ai + 4]), tonumber(ARGV[ai + 5])
  ai = ai + 6
  local att = KEYS[ki]
  local first, last = ki + 1, ki + nchain
  ki = last + 1
  for _ = 1, npairs do
    local f = kind .. ':' .. ARGV[ai]
    local v = tonumber(ARGV[ai + 1])
    ai = ai + 2
    local old = tonumber(redis.call('HGET', att, f) or '0')
    if v ~= old then
      redis.call('HSET', att, f, v)
      for k = first, last do add(KEYS[k], f, v - old) end
    end
  end
  if kind == 'p' and redis.call('HGET', att, '_rep') ~= '1' then
    redis.call('HSET', att, '_rep', '1')
    for k = first, last do add(KEYS[k], '_rep', 1) end
  end
  redis.call('HSET', att, '_upd', now)
  seq = seq + 1
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', 200000, '*', 'site', site, 'kind', kind, 'by', by, 'seq', seq, 'counts', cj, 'at', now)
  out[#out + 1] = seq
  out[#out + 1] = redis.call('HGETALL', att)
end
redis.call('SET', KEYS[2], seq)
for _, key in ipairs(order) do
  for f, d in pairs(delta[key]) do
    if d ~= 0 then redis.call('HINCRBY', key, f, d) end
  end
end
return out
`;

/** Every key's hash in one reply: one command instead of one per key for a push or snapshot. */
const HGETALL_MANY = `
local out = {}
for i = 1, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end
return out
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
  -- bounded: a site's last 1000 joins and leaves, the conference's last 200 000 presence changes
  redis.call('LTRIM', KEYS[4], -1000, -1)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', 200000, '*', 'site', ARGV[4], 'kind', kind, 'at', ARGV[1], 'client', ARGV[5], 'conns', conns)
end
local seq = redis.call('INCR', KEYS[6])
return { edge, conns, seq }
`;

export interface Scripts {
  /** Per write: its sequence and its own hash after the write, in order (see SET_COUNTS_BATCH). */
  setCountsBatch(keys: string[], args: (string | number)[]): Promise<(number | string[])[]>;
  hgetallMany(keys: string[]): Promise<string[][]>;
  presence(keys: string[], args: (string | number)[]): Promise<[number, number, number]>;
}

export function defineScripts(redis: Redis): Scripts {
  redis.defineCommand('dcSetCountsBatch', { lua: SET_COUNTS_BATCH });
  redis.defineCommand('dcHgetallMany', { lua: HGETALL_MANY });
  redis.defineCommand('dcPresence', { lua: PRESENCE });
  const r = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  return {
    setCountsBatch: (keys, args) => r.dcSetCountsBatch!(keys.length, ...keys, ...args) as Promise<(number | string[])[]>,
    hgetallMany: (keys) => r.dcHgetallMany!(keys.length, ...keys) as Promise<string[][]>,
    presence: (keys, args) => r.dcPresence!(keys.length, ...keys, ...args) as Promise<[number, number, number]>,
  };
}
