// Property-based fuzzing of the media nodes, against real node processes:
// every client→server event of the `/hall` namespace, every NodeEvents event
// (both directions: as a child connecting to a node, and as the parent of a
// node), the socket handshakes, and every HTTP route that takes a body, a
// query or a path parameter. Malformed payloads (wrong types, missing and
// extra fields, huge strings, deep nesting, unicode, broken bodies and
// tokens) and well-formed ones aimed at another conference, site, transport
// or producer must all be refused with a typed error — an `{ok:false}` ack
// whose code is an ErrorCode, or a 4xx with `{error}` — never a 5xx, never a
// crash, and they must change nothing: a hash of every node's health and
// tracked streams is the same before and after. Well-formed payloads where
// that is safe (join, stats, floor, register) are accepted.
//
// The seed is printed; `FC_SEED=<seed> npx vitest run test/media/fuzz.test.ts`
// replays the same payloads.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc, { type Arbitrary } from 'fast-check';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import * as parser from 'socket.io-parser';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { z } from 'zod';
import { ErrorBody, httpStatus, type ErrorCode } from '../../signaling/common.js';
import {
  CloseProducerReq,
  ConnectTransportReq,
  ConsumeProgrammeReq,
  CreateTransportReq,
  HALL_NAMESPACE,
  HallEvents,
  IngestReq,
  IngestRes,
  JoinReq,
  JoinRes,
  NODE_NAMESPACE,
  NodeEvents,
  NodeFloorSetReq,
  NodeFloorState,
  NodeProducerAdded,
  NodeProducerPaused,
  NodeProducerRef,
  NodeRegisterReq,
  PipeOfferReq,
  PipeRequestReq,
  ProduceReq,
  Programme,
  RestartIceReq,
  ResumeConsumerReq,
  SetFloorReq,
  SetPreferredLayersReq,
  StatsReq,
  StatsRes,
  type HallRole,
} from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { FUZZ_SEED, malformedArb, validArb } from '../support/zod-arb.js';
import { NodeProc, waitFor } from './procs.js';

// ---------------------------------------------------------------- the cascade under test

const CONF = 'ls-fuzz';
/** A conference the cascade also serves, for ids "of another conference". */
const OTHER = 'ls-khac';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1' };
const PARENT_ID = 'fuzz-parent';
const TREE_IDS = ['centre', 'langson', 'binhgia', PARENT_ID];
/** The nodes' socket.io maxHttpBufferSize: a bigger frame closes the connection before any handler sees it. */
const FRAME_LIMIT = 256 * 1024;

type PersonRole = 'organizer' | 'technician' | 'participant' | 'viewer';
const tok = (role: PersonRole, site?: string, conf = CONF) => signToken(TOKEN_SECRET, { role, conf, ...(site ? { site } : {}) });
const nodeTok = () => signToken(NODE_SECRET, { role: 'node', conf: '*', site: `fuzz-${randomBytes(3).toString('hex')}`, ttlSeconds: 3600 });
const ORG = tok('organizer');
/** Organizer of every conference: only ever used to read /stats for the state hash. */
const ALL_CONFS = tok('organizer', undefined, '*');

// Runs per property (the total is asserted to be at least MIN_MALFORMED).
const RUNS = { hallEvent: 70, hallScope: 150, hallMediasoup: 60, handshake: 40, nodeEvent: 45, parentEvent: 40, nodeScope: 80, httpBody: 150, httpAuth: 100, httpRaw: 100, httpPath: 60, httpScope: 120, valid: 25 };
const MIN_MALFORMED = 1000;

// ---------------------------------------------------------------- tallies and checks

type Area = 'hall' | 'node' | 'http';
const tally = {
  payloads: 0,
  refused: 0,
  byCode: {} as Record<string, number>,
  byArea: { hall: 0, node: 0, http: 0 } as Record<Area, number>,
  /** What was wrong with the payloads: the zod-arb mutations, wrong scope, bad tokens, broken bodies and paths. */
  byKind: {} as Record<string, number>,
  http5xx: 0,
  internal: 0,
  valid: 0,
};
/** A frame over FRAME_LIMIT is refused by closing the socket: counted under this key. */
const DROPPED = 'frame-too-large:disconnected';

function kind(how: string): void {
  tally.byKind[how] = (tally.byKind[how] ?? 0) + 1;
}

/** Counts a payload as sent (before its answer is checked). */
function sent(area: Area): void {
  tally.payloads++;
  tally.byArea[area]++;
}

/** Counts a payload as refused the way it must be. */
function refusedWith(code: string): void {
  tally.refused++;
  tally.byCode[code] = (tally.byCode[code] ?? 0) + 1;
}

/**
 * JSON.stringify without recursion: the payloads nest deeper than JSON.stringify's
 * stack allows, and JSON.parse on the other side takes any depth. Same output for
 * the values generated here (plain objects, arrays, strings, numbers, booleans, null).
 */
function toJson(root: unknown): string {
  const scalar = (v: unknown): string => {
    if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
    return 'null';
  };
  type Frame = { of: object; items: unknown[]; keys: string[] | null; i: number };
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = new Set<object>();
  const put = (v: unknown) => {
    if (v === null || typeof v !== 'object') return void out.push(scalar(v));
    if (open.has(v)) throw new TypeError('circular structure');
    open.add(v);
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ of: v, items: v, keys: null, i: 0 });
    } else {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
      out.push('{');
      stack.push({ of: v, items: entries.map(([, x]) => x), keys: entries.map(([k]) => k), i: 0 });
    }
  };
  put(root);
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.items.length) {
      out.push(f.keys ? '}' : ']');
      open.delete(f.of);
      stack.pop();
      continue;
    }
    if (f.i > 0) out.push(',');
    if (f.keys) out.push(JSON.stringify(f.keys[f.i]), ':');
    put(f.items[f.i++]);
  }
  return out.join('');
}

/** socket.io's packet encoding (text packets, which is all these tests send) over toJson. */
class DeepEncoder extends parser.Encoder {
  override encode(obj: parser.Packet): string[] {
    let str = `${obj.type}`;
    if (obj.nsp && obj.nsp !== '/') str += `${obj.nsp},`;
    if (obj.id != null) str += obj.id;
    if (obj.data != null) str += toJson(obj.data);
    return [str];
  }
}
const deepParser = { Encoder: DeepEncoder, Decoder: parser.Decoder };

function preview(v: unknown): string {
  let s: string | undefined;
  try {
    s = v === undefined ? 'undefined' : toJson(v);
  } catch {
    s = undefined;
  }
  s ??= String(v);
  return s.length > 240 ? `${s.slice(0, 240)}… (${s.length} chars)` : s;
}

/** What the peer receives: sockets and HTTP bodies both carry JSON. */
function wire<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(toJson(v)) as T);
}

/**
 * Keys no schema has. The media schemas are plain (non-strict) objects: unknown keys are
 * stripped, so a valid payload with extra keys is still valid (and accepted, see the last
 * test); here they ride on payloads that are malformed otherwise.
 */
const extraKeys = fc.dictionary(
  fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'admin', 'conf', 'role', 'nodeId'), fc.string({ minLength: 1, maxLength: 12 })),
  fc.jsonValue({ maxDepth: 2 }),
  { minKeys: 1, maxKeys: 3 },
);

/** `o` plus `extra`'s keys as own properties (`__proto__` too, as JSON.parse makes them on the nodes). */
function withKeys(o: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out = { ...o };
  for (const [k, x] of Object.entries(extra)) Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  return wire(out);
}

/** Malformed payloads for `schema`, as they look once serialised (and still refused then). */
function malformed(schema: z.ZodType): Arbitrary<{ how: string; value: unknown }> {
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const maybeExtra = fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, { arbitrary: extraKeys, weight: 1 });
  return fc.tuple(malformedArb(schema), maybeExtra)
    .map(([{ how, value }, extra]) => {
      const v = wire(value);
      if (!extra || !isObject(v)) return { how: how as string, value: v };
      return { how: `${how}+extra-keys`, value: withKeys(v, extra) };
    })
    .filter(({ value }) => !schema.safeParse(value).success);
}

/** Runs a property against the live nodes; a failure names the payload (shortened) and the seed. */
async function check<T>(name: string, arb: Arbitrary<T>, numRuns: number, fn: (v: T) => Promise<void>): Promise<void> {
  const out = await fc.check(fc.asyncProperty(arb, async (v) => { await fn(v); }), { seed: FUZZ_SEED, numRuns, endOnFailure: true });
  if (out.failed) {
    const err = out.errorInstance;
    throw new Error(
      `${name}: failed after ${out.numRuns} run(s): ${err instanceof Error ? err.message : String(err)}\n` +
        `  payload: ${preview(out.counterexample)}\n  reproduce: FC_SEED=${FUZZ_SEED} (path ${out.counterexamplePath})`,
    );
  }
}

function assertRefusedAck(ack: unknown, expect: readonly ErrorCode[], what: string): ErrorCode {
  assert.ok(ack && typeof ack === 'object', `${what}: ack is not an object: ${preview(ack)}`);
  const a = ack as { ok?: unknown; error?: unknown };
  assert.equal(a.ok, false, `${what}: accepted: ${preview(ack)}`);
  const body = ErrorBody.safeParse(a.error);
  assert.ok(body.success, `${what}: untyped error ${preview(a.error)}`);
  if (body.data.code === 'INTERNAL') tally.internal++;
  assert.notEqual(body.data.code, 'INTERNAL', `${what}: INTERNAL ${body.data.message}`);
  assert.ok(expect.includes(body.data.code), `${what}: ${body.data.code} (${body.data.message}), expected ${expect.join('|')}`);
  return body.data.code;
}

function assertOkAck<T = unknown>(ack: unknown, what: string): T {
  const a = ack as { ok?: unknown; data?: unknown; error?: unknown };
  assert.ok(a && a.ok === true, `${what}: refused: ${preview(ack)}`);
  return a.data as T;
}

// ---------------------------------------------------------------- socket clients

type Reply = { kind: 'ack'; ack: unknown } | { kind: 'dropped' } | { kind: 'timeout' };

/**
 * One socket.io client that reconnects (and runs `setup` again) on next use when
 * the node dropped it, e.g. after a frame over FRAME_LIMIT.
 */
class Client {
  socket: Socket | null = null;
  /** Ids this client made (its transports), refreshed by setup. */
  ids: { send?: string; recv?: string } = {};

  constructor(
    readonly name: string,
    readonly url: string,
    readonly nsp: string,
    readonly token: () => unknown,
    readonly setup: (c: Client) => Promise<void> = async () => undefined,
    readonly listen?: (s: Socket) => void,
  ) {}

  async open(): Promise<Socket> {
    if (this.socket?.connected) return this.socket;
    this.socket?.close();
    const s = io(new URL(this.nsp, this.url).toString(), { auth: { token: this.token() }, transports: ['websocket'], reconnection: false, forceNew: true, parser: deepParser });
    this.socket = s;
    this.listen?.(s);
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', (e) => rej(new Error(`${this.name}: connection refused: ${e.message}`)));
    });
    this.ids = {};
    await this.setup(this);
    return s;
  }

  async emit(event: string, payload: unknown, timeoutMs = 8000): Promise<Reply> {
    const s = await this.open();
    return new Promise<Reply>((res) => {
      let done = false;
      const finish = (r: Reply) => {
        if (done) return;
        done = true;
        s.off('disconnect', onDrop);
        res(r);
      };
      const onDrop = () => finish({ kind: 'dropped' });
      s.once('disconnect', onDrop);
      const onAck = (err: Error | null, ack: unknown) => {
        if (!err) finish({ kind: 'ack', ack });
        else finish(s.connected ? { kind: 'timeout' } : { kind: 'dropped' });
      };
      // no payload: (ack) alone, as clients call the events that take none (undefined would travel as null)
      if (payload === undefined) s.timeout(timeoutMs).emit(event, onAck);
      else s.timeout(timeoutMs).emit(event, payload, onAck);
    });
  }

  /** Emits and returns the ack (failing on a drop or a timeout). */
  async ack(event: string, payload: unknown): Promise<unknown> {
    const r = await this.emit(event, payload);
    assert.equal(r.kind, 'ack', `${this.name} ${event}: no ack (${r.kind})`);
    return (r as { ack: unknown }).ack;
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}

/** Sends a payload that must be refused, and counts it. */
async function refuse(area: Area, c: { emit(e: string, p: unknown): Promise<Reply>; name: string }, event: string, payload: unknown, expect: readonly ErrorCode[], label: string): Promise<void> {
  const bytes = Buffer.byteLength(toJson([event, payload ?? null]));
  sent(area);
  const r = await c.emit(event, payload);
  const what = `${label} → ${c.name}`;
  if (r.kind === 'dropped') {
    assert.ok(bytes > FRAME_LIMIT - 1024, `${what}: connection dropped on a ${bytes}-byte frame`);
    refusedWith(DROPPED);
    return;
  }
  assert.equal(r.kind, 'ack', `${what}: no answer (${r.kind}) to ${preview(payload)}`);
  refusedWith(assertRefusedAck((r as { ack: unknown }).ack, expect, what));
}

/** Plays the parent of a media node on its `/node` namespace, to send it parent→child events. */
class FakeParent {
  private readonly http = createServer();
  private readonly io = new Server(this.http, { maxHttpBufferSize: 4 * 1024 * 1024, parser: deepParser });
  child: ServerSocket | null = null;
  readonly name = 'binhgia (from its parent)';
  url = '';

  async start(): Promise<void> {
    this.io.of(NODE_NAMESPACE).on('connection', (s) => {
      s.on(NodeEvents.register, (_p: unknown, ack: unknown) => {
        this.child = s;
        if (typeof ack === 'function') ack({ ok: true, data: { nodeId: PARENT_ID } });
      });
      s.on('disconnect', () => {
        if (this.child === s) this.child = null;
      });
    });
    await new Promise<void>((res) => this.http.listen(0, '127.0.0.1', () => res()));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  emit(event: string, payload: unknown, timeoutMs = 8000): Promise<Reply> {
    const s = this.child;
    if (!s) return Promise.resolve({ kind: 'dropped' });
    return new Promise<Reply>((res) => {
      s.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: unknown) => res(err ? { kind: 'timeout' } : { kind: 'ack', ack }));
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((res) => this.io.close(() => res()));
  }
}

/** Connects with `token` in the handshake; resolves with the refusal's data, or throws when let in. */
async function handshakeRefusal(url: string, nsp: string, token: unknown): Promise<unknown> {
  const s = io(new URL(nsp, url).toString(), { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    return await new Promise<unknown>((res, rej) => {
      s.once('connect', () => rej(new Error(`let in with token ${preview(token)}`)));
      s.once('connect_error', (e: Error & { data?: unknown }) => res(e.data ?? { message: e.message }));
    });
  } finally {
    s.close();
  }
}

// ---------------------------------------------------------------- HTTP

type HttpReq = { method?: 'GET' | 'POST' | 'DELETE'; path: string; token?: string | undefined; body?: unknown; raw?: string; headers?: Record<string, string> };
type HttpRes = { status: number; text: string; json: unknown };

async function request(node: NodeProc, r: HttpReq): Promise<HttpRes> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.token !== undefined) headers.authorization = `Bearer ${r.token}`;
  let body: string | undefined;
  if (r.raw !== undefined) body = r.raw;
  else if (r.body !== undefined) {
    body = toJson(r.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${node.url}${r.path}`, { method: r.method ?? (body !== undefined ? 'POST' : 'GET'), headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const HttpError = z.object({ error: ErrorBody });

async function refuseHttp(node: NodeProc, r: HttpReq, expect: readonly ErrorCode[], label: string): Promise<void> {
  sent('http');
  const res = await request(node, r);
  const what = `${r.method ?? (r.body !== undefined || r.raw !== undefined ? 'POST' : 'GET')} ${r.path.slice(0, 120)} at ${node.nodeId} (${label})`;
  if (res.status >= 500) tally.http5xx++;
  assert.ok(res.status >= 400 && res.status < 500, `${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const body = HttpError.safeParse(res.json);
  assert.ok(body.success, `${what}: untyped ${res.status} answer ${res.text.slice(0, 300)}`);
  const code = body.data.error.code;
  assert.equal(res.status, httpStatus[code], `${what}: status ${res.status} for ${code}`);
  assert.ok(expect.includes(code), `${what}: ${code} (${body.data.error.message}), expected ${expect.join('|')}`);
  refusedWith(code);
}

// ---------------------------------------------------------------- generators

const Id = z.string().min(1).max(200);
const idArb = validArb(Id);
const ascii = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
/** encodeURIComponent, after replacing lone surrogates (as a UTF-8 encoder does). */
const uriEncode = (s: string) => encodeURIComponent(Buffer.from(s).toString());
const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');
/** A token over any claims, signed with `secret` (verifies, then fails on its claims). */
const forge = (secret: string, claims: unknown) => {
  const body = b64u(JSON.stringify(claims) ?? 'null');
  return `${body}.${b64u(createHmac('sha256', secret).update(body).digest())}`;
};

/** Tokens every node must refuse with UNAUTHORIZED. */
const badToken: Arbitrary<{ how: string; token: string }> = fc.oneof(
  fc.string({ unit: ascii, maxLength: 300 }).map((token) => ({ how: 'garbage', token })),
  fc.tuple(fc.string({ unit: ascii, maxLength: 80 }), fc.string({ unit: ascii, maxLength: 60 })).map(([a, b]) => ({ how: 'two-parts', token: `${a}.${b}` })),
  fc.constantFrom<PersonRole>('organizer', 'technician', 'viewer').map((role) => ({ how: 'wrong-secret', token: signToken('not-the-token-secret', { role, conf: CONF, site: 'ls' }) })),
  fc.constantFrom<PersonRole>('organizer', 'technician').map((role) => ({ how: 'node-secret', token: signToken(NODE_SECRET, { role, conf: CONF, site: 'tw' }) })),
  fc.constant(null).map(() => ({ how: 'node-role', token: signToken(TOKEN_SECRET, { role: 'node', conf: '*', site: 'langson' }) })),
  fc.integer({ min: 1, max: 1_600_000_000 }).map((exp) => ({ how: 'expired', token: signToken(TOKEN_SECRET, { role: 'organizer', conf: CONF, exp }) })),
  fc.jsonValue({ maxDepth: 2 })
    .map((claims) => ({ how: 'bad-claims', token: forge(TOKEN_SECRET, claims) })),
  fc.constantFrom('admin', 'root', '', 'ORGANIZER').map((role) => ({ how: 'unknown-role', token: forge(TOKEN_SECRET, { role, conf: CONF, jti: 'x', exp: 4_000_000_000 }) })),
  fc.string({ unit: ascii, minLength: 1, maxLength: 4 }).map((x) => ({ how: 'tampered', token: `${ORG.slice(0, -4)}${x}`.slice(0, ORG.length) })),
).filter(({ token }) => token !== ORG);

/** Anything a handshake `auth.token` may carry that is not a valid person token. */
const badHandshakeToken: Arbitrary<{ how: string; token: unknown }> = fc.oneof(
  badToken,
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }))
    .map((token) => ({ how: 'not-a-string', token })),
  fc.string({ unit: 'binary', maxLength: 2000 }).map((token) => ({ how: 'unicode', token })),
);

/** Shapes mediasoup validates itself (the schemas pass them through as loose objects). */
const looseJunk = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 4 });
const junkRtpParameters = fc.oneof(
  fc.constant({}),
  looseJunk(['codecs', 'encodings', 'headerExtensions', 'rtcp', 'mid']),
  fc.record({
    codecs: fc.array(fc.record({
      mimeType: fc.constantFrom('video/VP9X', 'audio/none', 'text/plain', '', 'VP8', 'video/'),
      payloadType: fc.oneof(fc.integer({ min: -5, max: 300 }), fc.constant('101')),
      clockRate: fc.oneof(fc.integer(), fc.constant('90000')),
    }, { requiredKeys: [] }), { maxLength: 3 }),
    encodings: fc.array(fc.record({ ssrc: fc.oneof(fc.integer(), fc.string()), rid: fc.string() }, { requiredKeys: [] }), { maxLength: 3 }),
  }, { requiredKeys: [] }),
);
const junkDtls = fc.oneof(
  fc.constant({}),
  looseJunk(['role', 'fingerprints']),
  fc.record({
    role: fc.constantFrom('client', 'server', 'auto', 'x', 1),
    fingerprints: fc.array(fc.record({ algorithm: fc.constantFrom('md5', 'sha-257', '', 'SHA-256', 7), value: fc.string() }), { maxLength: 3 }),
  }, { requiredKeys: [] }),
);
const junkCaps = fc.oneof(
  fc.constant({}),
  looseJunk(['codecs', 'headerExtensions']),
  fc.record({
    codecs: fc.array(fc.record({
      kind: fc.constantFrom('video', 'audio', 'x'),
      mimeType: fc.constantFrom('video/VP9X', 'audio/none', 'video/'),
      clockRate: fc.integer(),
      preferredPayloadType: fc.integer(),
    }, { requiredKeys: [] }), { maxLength: 3 }),
  }),
);

// ---------------------------------------------------------------- every event, by who handles it

type HallEventKey = Exclude<keyof typeof HallEvents, 'programme'>;
/** Every client→server event of `/hall` (typed: a new event does not compile until listed). */
const HALL_SCHEMAS: Record<HallEventKey, z.ZodType> = {
  join: JoinReq,
  createTransport: CreateTransportReq,
  connectTransport: ConnectTransportReq,
  restartIce: RestartIceReq,
  produce: ProduceReq,
  closeProducer: CloseProducerReq,
  consumeProgramme: ConsumeProgrammeReq,
  resumeConsumer: ResumeConsumerReq,
  setPreferredLayers: SetPreferredLayersReq,
  setFloor: SetFloorReq,
  stats: StatsReq,
};
/** Every node-to-node event, with the side that handles it. */
const NODE_SCHEMAS: Record<keyof typeof NodeEvents, { schema: z.ZodType; parentHandles: boolean; childHandles: boolean }> = {
  register: { schema: NodeRegisterReq, parentHandles: true, childHandles: false },
  pipeOffer: { schema: PipeOfferReq, parentHandles: false, childHandles: true },
  pipeRequest: { schema: PipeRequestReq, parentHandles: true, childHandles: false },
  producerAdded: { schema: NodeProducerAdded, parentHandles: true, childHandles: true },
  producerClosed: { schema: NodeProducerRef, parentHandles: true, childHandles: true },
  producerPaused: { schema: NodeProducerPaused, parentHandles: true, childHandles: true },
  programme: { schema: NodeFloorState, parentHandles: false, childHandles: true },
  floorSet: { schema: NodeFloorSetReq, parentHandles: true, childHandles: false },
};

// ---------------------------------------------------------------- state hash

type Snapshot = { hash: string; state: Record<string, unknown> };

/** Health (parent link, children, conferences with floor and producer count) and every tracked stream of each node. */
async function snapshot(nodes: NodeProc[]): Promise<Snapshot> {
  const state: Record<string, unknown> = {};
  for (const n of nodes) {
    const h = await n.health();
    const s = await n.stats(ALL_CONFS);
    state[n.nodeId] = {
      health: {
        ...h,
        children: [...h.children].sort((a, b) => a.nodeId.localeCompare(b.nodeId)),
        conferences: [...h.conferences].sort((a, b) => a.conf.localeCompare(b.conf)),
      },
      // identity of every producer/consumer the node tracks; no counters
      streams: s.streams.map((x) => [x.hop, x.direction, x.conf, x.site, x.kind, x.producerId, x.peer ?? '', x.id].join(' ')).sort(),
    };
  }
  return { state, hash: createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 16) };
}

/** The nodes whose part of the state differs, before → after. */
function stateDiff(a: Snapshot, b: Snapshot): string {
  return Object.keys(a.state)
    .filter((k) => JSON.stringify(a.state[k]) !== JSON.stringify(b.state[k]))
    .map((k) => `\n  ${k} before ${JSON.stringify(a.state[k])}\n  ${k} after  ${JSON.stringify(b.state[k])}`)
    .join('');
}

// ---------------------------------------------------------------- the test

describe('media nodes refuse malformed and out-of-scope payloads, typed, and change nothing', { timeout: 240_000 }, () => {
  const centre = new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'] }, 'fuzz-centre');
  let langson: NodeProc;
  let binhgia: NodeProc;
  const parent = new FakeParent();
  const nodes = () => [centre, langson, binhgia];
  type NodeName = 'centre' | 'langson' | 'binhgia';
  const N = (name: NodeName): NodeProc => ({ centre, langson, binhgia })[name];
  let before: Snapshot;
  let ingestId = '';
  let sourceIds: string[] = [];
  let pipeConsumerIds: string[] = [];
  const outputAt = new Map<string, number>();
  const clients: Client[] = [];
  const fuzzNodeIds = new Set<string>();

  const client = (...args: ConstructorParameters<typeof Client>) => {
    const c = new Client(...args);
    clients.push(c);
    return c;
  };
  const joined = (site: string, role: HallRole, transports: ('send' | 'recv')[]) => async (c: Client) => {
    assertOkAck(await c.ack(HallEvents.join, { site, role }), `${c.name} join`);
    for (const direction of transports) {
      c.ids[direction] = assertOkAck<{ id: string }>(await c.ack(HallEvents.createTransport, { direction }), `${c.name} transport`).id;
    }
  };
  /** A child-node client: answers what a parent sends it with refusals, so nothing is set up towards it. */
  const nodeListen = (s: Socket) => {
    const no = (_p: unknown, ack: unknown) => typeof ack === 'function' && ack({ ok: false, error: { code: 'UNAVAILABLE', message: 'no media on this link' } });
    s.on(NodeEvents.pipeOffer, no);
    s.on(NodeEvents.producerAdded, no);
    s.on(NodeEvents.producerClosed, (_p: unknown, ack: unknown) => typeof ack === 'function' && ack({ ok: true, data: {} }));
    s.on(NodeEvents.programme, (_p: unknown, ack: unknown) => typeof ack === 'function' && ack({ ok: true, data: {} }));
  };
  const register = async (c: Client) => {
    const nodeId = `fuzz-${randomBytes(4).toString('hex')}`;
    fuzzNodeIds.add(nodeId);
    assertOkAck(await c.ack(NodeEvents.register, { nodeId, sites: ['fz-01'] }), `${c.name} register`);
  };

  let hall: Record<'lsHall' | 'lsConsole' | 'lsFresh' | 'lsOtherConf' | 'lsTechTw' | 'lsPart' | 'twStudio' | 'twTech', Client>;
  let nodeWire: Record<'centreAnon' | 'langsonAnon' | 'centreReg', Client>;

  beforeAll(async () => {
    console.log(`[fuzz media] seed=${FUZZ_SEED} (FC_SEED=${FUZZ_SEED} reproduces)`);
    await Promise.all([centre.start(), parent.start()]);
    langson = new NodeProc({ ...base, nodeId: 'langson', sites: ['ls', 'ls-01'], parent: centre.url }, 'fuzz-langson');
    binhgia = new NodeProc({ ...base, nodeId: 'binhgia', sites: ['ls-bg'], parent: parent.url }, 'fuzz-binhgia');
    await Promise.all([langson.start(), binhgia.start()]);
    await waitFor('langson registered at the centre', async () => (await langson.health()).parent?.state === 'connected');
    await waitFor('binhgia registered at its parent', async () => (await binhgia.health()).parent?.state === 'connected' && parent.child);

    // a source at the centre, relayed to langson: producers, pipe consumers and pipe producers to break
    const ingest = await centre.ingest(ORG, { site: 'tw' });
    ingestId = ingest.id;
    sourceIds = ingest.streams.map((s) => s.producerId).sort();
    await waitFor('the source relayed to langson', async () => {
      const [c, l] = await Promise.all([centre.stats(ORG), langson.stats(ORG)]);
      pipeConsumerIds = c.streams.filter((x) => x.hop === 'pipe' && x.direction === 'out').map((x) => x.id);
      return pipeConsumerIds.length === 2 && l.streams.filter((x) => x.hop === 'pipe' && x.direction === 'in').length === 2;
    });
    // a second conference with its own source, so "another conference" has real ids
    await request(centre, { path: '/ingest', token: tok('organizer', undefined, OTHER), body: { site: 'tw', streams: [{ kind: 'audio' }] } }).then((r) => assert.equal(r.status, 201, r.text));
    await waitFor('the other conference relayed to langson', async () => (await langson.health()).conferences.some((c) => c.conf === OTHER && c.producers === 1));

    before = await snapshot(nodes());
    for (const n of nodes()) outputAt.set(n.nodeId, n.output.length);

    const H = HALL_NAMESPACE;
    hall = {
      lsHall: client('langson hall ls-01', langson.url, H, () => tok('viewer', 'ls-01'), joined('ls-01', 'hall', ['recv'])),
      lsConsole: client('langson console ls', langson.url, H, () => tok('technician', 'ls'), joined('ls', 'console', ['recv'])),
      lsFresh: client('langson viewer ls-01 (not joined)', langson.url, H, () => tok('viewer', 'ls-01')),
      lsOtherConf: client(`langson viewer ls-01 of ${OTHER} (not joined)`, langson.url, H, () => tok('viewer', 'ls-01', OTHER)),
      lsTechTw: client('langson technician of tw (not joined)', langson.url, H, () => tok('technician', 'tw')),
      lsPart: client('langson participant ls (not joined)', langson.url, H, () => tok('participant', 'ls')),
      twStudio: client('centre studio', centre.url, H, () => ORG, joined('tw', 'studio', ['send', 'recv'])),
      twTech: client('centre technician tw (not joined)', centre.url, H, () => tok('technician', 'tw')),
    };
    nodeWire = {
      centreAnon: client('centre /node (not registered)', centre.url, NODE_NAMESPACE, nodeTok, undefined, nodeListen),
      langsonAnon: client('langson /node (not registered)', langson.url, NODE_NAMESPACE, nodeTok, undefined, nodeListen),
      centreReg: client('centre /node (registered, fresh id)', centre.url, NODE_NAMESPACE, nodeTok, register, nodeListen),
    };
  });

  afterAll(async () => {
    const codes = Object.entries(tally.byCode).sort(([a], [b]) => a.localeCompare(b));
    console.log(
      `[fuzz media] seed=${FUZZ_SEED} (FC_SEED=${FUZZ_SEED} reproduces) payloads=${tally.payloads} refused=${tally.refused} ` +
        `byCode=${JSON.stringify(Object.fromEntries(codes))} 5xx=${tally.http5xx} valid accepted=${tally.valid}`,
    );
    console.log(`[fuzz media] by area: hall=${tally.byArea.hall} node=${tally.byArea.node} http=${tally.byArea.http}; by kind: ${JSON.stringify(tally.byKind)}; INTERNAL acks=${tally.internal}`);
    for (const c of clients) c.close();
    await parent.close();
    for (const n of [binhgia, langson, centre]) await n?.stop();
  });

  // ------------------------------------------------------------ /hall

  test('every /hall event refuses malformed payloads with BAD_REQUEST', async () => {
    const names = ['lsHall', 'lsConsole', 'lsFresh', 'twStudio', 'twTech'] as const;
    for (const [key, schema] of Object.entries(HALL_SCHEMAS)) {
      const event = HallEvents[key as HallEventKey];
      await check(`${event} malformed`, fc.tuple(fc.constantFrom(...names), malformed(schema)), RUNS.hallEvent, async ([w, m]) => {
        kind(m.how);
        await refuse('hall', hall[w], event, m.value, ['BAD_REQUEST'], `${event} ${m.how}`);
      });
    }
  });

  test('/hall refuses well-formed payloads for other sites, roles, transports, producers and consumers', async () => {
    await Promise.all([hall.lsHall.open(), hall.lsConsole.open(), hall.twStudio.open()]);
    const lsSites = ['ls', 'ls-01'];
    const notLangson = fc.oneof(fc.constantFrom('tw', 'ls-bg', 'ls-02'), idArb).filter((s) => !lsSites.includes(s));
    const foreignTransport = fc.oneof(
      fc.constantFrom(() => hall.twStudio.ids.send!, () => hall.twStudio.ids.recv!, () => hall.lsConsole.ids.recv!).map((f) => ({ of: 'another socket', id: f })),
      idArb.map((id) => ({ of: 'nobody', id: () => id })),
    );
    const foreignMedia = fc.oneof(fc.constantFrom(...sourceIds, ...pipeConsumerIds), idArb);
    type Case = { label: string; w: keyof typeof hall; event: string; payload: () => unknown; expect: ErrorCode[] };
    const cases: Arbitrary<Case>[] = [
      // join a site the token is not for, or as a role it does not have
      fc.constantFrom<HallRole>('hall', 'studio', 'contributor', 'console').map((role) => ({ label: 'join ls as viewer of ls-01', w: 'lsFresh', event: HallEvents.join, payload: () => ({ site: 'ls', role }), expect: ['FORBIDDEN'] })),
      fc.constantFrom<HallRole>('studio', 'contributor', 'console').map((role) => ({ label: `viewer joins as ${role}`, w: 'lsFresh', event: HallEvents.join, payload: () => ({ site: 'ls-01', role }), expect: ['FORBIDDEN'] })),
      fc.tuple(notLangson, fc.constantFrom<HallRole>('hall', 'console')).map(([site, role]) => ({ label: 'join a site langson does not serve', w: 'lsFresh', event: HallEvents.join, payload: () => ({ site, role }), expect: ['NOT_FOUND'] })),
      fc.constantFrom('ls', 'tw').map((site) => ({ label: `${OTHER} viewer joins another site`, w: 'lsOtherConf', event: HallEvents.join, payload: () => ({ site, role: 'hall' }), expect: site === 'tw' ? ['NOT_FOUND'] : ['FORBIDDEN'] })),
      fc.constantFrom<HallRole>('hall', 'contributor', 'console').map((role) => ({ label: 'participant joins ls-01', w: 'lsPart', event: HallEvents.join, payload: () => ({ site: 'ls-01', role }), expect: ['FORBIDDEN'] })),
      fc.constant({ label: 'second join', w: 'lsHall', event: HallEvents.join, payload: () => ({ site: 'ls-01', role: 'hall' }), expect: ['CONFLICT'] }),
      // before join, and beyond the role
      fc.constantFrom<'send' | 'recv'>('send', 'recv').map((direction) => ({ label: 'transport before join', w: 'lsFresh', event: HallEvents.createTransport, payload: () => ({ direction }), expect: ['CONFLICT'] })),
      fc.constantFrom('lsHall', 'lsConsole').map((w) => ({ label: 'send transport for a hall', w: w as keyof typeof hall, event: HallEvents.createTransport, payload: () => ({ direction: 'send' }), expect: ['FORBIDDEN'] })),
      fc.tuple(fc.constantFrom('lsHall', 'lsConsole'), foreignTransport).map(([w, t]) => ({ label: `produce as a hall on a transport of ${t.of}`, w: w as keyof typeof hall, event: HallEvents.produce, payload: () => ({ transportId: t.id(), kind: 'video', rtpParameters: {} }), expect: ['FORBIDDEN'] })),
      // ids of other sockets, or of nobody
      fc.tuple(fc.constantFrom('lsHall', 'twStudio'), foreignTransport, junkDtls).map(([w, t, dtlsParameters]) => ({ label: `connect a transport of ${t.of}`, w: w as keyof typeof hall, event: HallEvents.connectTransport, payload: () => ({ transportId: own(w, t.id()), dtlsParameters }), expect: ['NOT_FOUND'] })),
      fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignTransport).map(([w, t]) => ({ label: `restart ICE of ${t.of}`, w: w as keyof typeof hall, event: HallEvents.restartIce, payload: () => ({ transportId: own(w, t.id()) }), expect: ['NOT_FOUND'] })),
      foreignTransport.map((t) => ({ label: `studio produces on a transport of ${t.of}`, w: 'twStudio' as const, event: HallEvents.produce, payload: () => ({ transportId: own('twStudio', t.id()), kind: 'audio', rtpParameters: {} }), expect: ['NOT_FOUND'] })),
      fc.constant({ label: 'studio produces on its recv transport', w: 'twStudio', event: HallEvents.produce, payload: () => ({ transportId: hall.twStudio.ids.recv, kind: 'video', rtpParameters: {} }), expect: ['BAD_REQUEST'] }),
      fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignTransport, junkCaps).map(([w, t, rtpCapabilities]) => ({ label: `consume on a transport of ${t.of}`, w: w as keyof typeof hall, event: HallEvents.consumeProgramme, payload: () => ({ transportId: own(w, t.id()), rtpCapabilities }), expect: ['NOT_FOUND'] })),
      fc.constant({ label: 'studio consumes on its send transport', w: 'twStudio', event: HallEvents.consumeProgramme, payload: () => ({ transportId: hall.twStudio.ids.send, rtpCapabilities: {} }), expect: ['BAD_REQUEST'] }),
      fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignMedia).map(([w, id]) => ({ label: 'close a producer of someone else', w: w as keyof typeof hall, event: HallEvents.closeProducer, payload: () => ({ producerId: id }), expect: ['NOT_FOUND'] })),
      fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignMedia).map(([w, id]) => ({ label: 'resume a consumer of someone else', w: w as keyof typeof hall, event: HallEvents.resumeConsumer, payload: () => ({ consumerId: id }), expect: ['NOT_FOUND'] })),
      fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignMedia, fc.integer({ min: 0, max: 2 })).map(([w, id, spatialLayer]) => ({ label: 'layers of a consumer of someone else', w: w as keyof typeof hall, event: HallEvents.setPreferredLayers, payload: () => ({ consumerId: id, spatialLayer }), expect: ['NOT_FOUND'] })),
      fc.tuple(fc.constantFrom('lsFresh', 'lsOtherConf', 'lsPart'), fc.constantFrom(HallEvents.connectTransport, HallEvents.restartIce, HallEvents.closeProducer, HallEvents.resumeConsumer), foreignTransport).map(([w, event, t]) => ({
        label: `${event} before join`, w: w as keyof typeof hall, event,
        payload: () => ({ transportId: t.id(), producerId: t.id(), consumerId: t.id(), dtlsParameters: {} }),
        expect: ['CONFLICT'],
      })),
      // the floor is the organizer's, stats are the organizer's and this node's technicians'
      fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'lsFresh', 'lsOtherConf', 'lsPart', 'lsTechTw', 'twTech'), fc.constantFrom('tw', 'ls', 'ls-01', null)).map(([w, site]) => ({ label: 'floor by a non-organizer', w: w as keyof typeof hall, event: HallEvents.setFloor, payload: () => ({ site }), expect: ['FORBIDDEN'] })),
      fc.constantFrom('lsHall', 'lsFresh', 'lsOtherConf', 'lsPart', 'lsTechTw').map((w) => ({ label: 'stats by a viewer, participant or foreign technician', w: w as keyof typeof hall, event: HallEvents.stats, payload: () => ({}), expect: ['FORBIDDEN'] })),
    ];
    // the studio's own ids must not leak into "of another socket" for the studio itself
    function own(w: string, id: string): string {
      const c = hall[w as keyof typeof hall];
      return id === c.ids.send || id === c.ids.recv ? `not-${id}` : id;
    }
    await check('/hall wrong scope', fc.oneof(...cases), RUNS.hallScope, async (k) => {
      kind('wrong scope');
      await refuse('hall', hall[k.w], k.event, wire(k.payload()), k.expect, k.label);
    });
  });

  test('/hall refuses what mediasoup itself rejects (rtp parameters, dtls parameters, capabilities) as BAD_REQUEST / UNSUPPORTED', async () => {
    const c = hall.twStudio;
    await c.open();
    const arb = fc.oneof(
      fc.tuple(fc.constantFrom('video', 'audio'), junkRtpParameters).map(([kind, rtpParameters]) => ({ event: HallEvents.produce, payload: () => ({ transportId: c.ids.send, kind, rtpParameters }) })),
      junkDtls.map((dtlsParameters) => ({ event: HallEvents.connectTransport, payload: () => ({ transportId: c.ids.recv, dtlsParameters }) })),
      junkCaps.map((rtpCapabilities) => ({ event: HallEvents.consumeProgramme, payload: () => ({ transportId: c.ids.recv, rtpCapabilities }) })),
      junkCaps.map((rtpCapabilities) => ({ event: HallEvents.consumeProgramme, payload: () => ({ transportId: hall.lsHall.ids.recv, rtpCapabilities }), w: 'lsHall' as const })),
    );
    await hall.lsHall.open();
    await check('/hall mediasoup-validated fields', arb, RUNS.hallMediasoup, async (k) => {
      const w = 'w' in k ? hall[k.w] : c;
      kind('bad media parameters');
      await refuse('hall', w, k.event, wire(k.payload()), ['BAD_REQUEST', 'UNSUPPORTED'], `${k.event} with junk`);
    });
  });

  test('/hall and /node handshakes refuse bad tokens with UNAUTHORIZED', async () => {
    await check('/hall handshake', fc.tuple(fc.constantFrom<NodeName>('centre', 'langson', 'binhgia'), badHandshakeToken), RUNS.handshake, async ([n, t]) => {
      kind('bad handshake token');
      sent('hall');
      const data = await handshakeRefusal(N(n).url, HALL_NAMESPACE, t.token);
      refusedWith(assertRefusedAck({ ok: false, error: data }, ['UNAUTHORIZED'], `/hall handshake at ${n} (${t.how})`));
    });
    // person tokens, foreign secrets, garbage: only NODE_SECRET node tokens get in
    const nodeBad = fc.oneof(
      badHandshakeToken,
      fc.constantFrom<PersonRole>('organizer', 'technician').map((role) => ({ how: 'person token', token: tok(role, 'tw') })),
      fc.constant(null).map(() => ({ how: 'node token, other secret', token: signToken(TOKEN_SECRET, { role: 'node', conf: '*', site: 'x' }) })),
      fc.constant(null).map(() => ({ how: 'expired node token', token: signToken(NODE_SECRET, { role: 'node', conf: '*', site: 'x', exp: 1000 }) })),
    );
    await check('/node handshake', fc.tuple(fc.constantFrom<NodeName>('centre', 'langson', 'binhgia'), nodeBad), RUNS.handshake, async ([n, t]) => {
      kind('bad handshake token');
      sent('node');
      const data = await handshakeRefusal(N(n).url, NODE_NAMESPACE, t.token);
      refusedWith(assertRefusedAck({ ok: false, error: data }, ['UNAUTHORIZED'], `/node handshake at ${n} (${t.how})`));
    });
  });

  // ------------------------------------------------------------ /node

  test('every node event refuses malformed payloads with BAD_REQUEST, from a child and from a parent', async () => {
    const sides = ['centreAnon', 'langsonAnon', 'centreReg'] as const;
    for (const [key, { schema, parentHandles, childHandles }] of Object.entries(NODE_SCHEMAS)) {
      const event = NodeEvents[key as keyof typeof NodeEvents];
      if (parentHandles) {
        await check(`${event} malformed (to a parent)`, fc.tuple(fc.constantFrom(...sides), malformed(schema)), RUNS.nodeEvent, async ([w, m]) => {
          kind(m.how);
          await refuse('node', nodeWire[w], event, m.value, ['BAD_REQUEST'], `${event} ${m.how}`);
        });
      }
      if (childHandles) {
        await check(`${event} malformed (to a child)`, malformed(schema), RUNS.parentEvent, async (m) => {
          kind(m.how);
          await refuse('node', parent, event, m.value, ['BAD_REQUEST'], `${event} ${m.how}`);
        });
      }
    }
  });

  test('node events refuse well-formed payloads out of turn: before register, again, without a pipe, for unknown producers', async () => {
    await nodeWire.centreReg.open();
    const conf = fc.oneof(fc.constantFrom(CONF, OTHER), idArb);
    const producerId = fc.oneof(fc.constantFrom(...sourceIds, ...pipeConsumerIds), idArb);
    const added = fc.record({
      conf, producerId, kind: fc.constantFrom('audio', 'video'), rtpParameters: junkRtpParameters, paused: fc.boolean(),
      site: fc.constantFrom('tw', 'ls', 'ls-bg', 'x'), tag: fc.constantFrom('source', 'contributor'),
    });
    type To = keyof typeof nodeWire | 'parent';
    type Case = { label: string; to: To; event: string; payload: unknown; expect: ErrorCode[] };
    const anon = fc.constantFrom<To>('centreAnon', 'langsonAnon');
    const cases: Arbitrary<Case>[] = [
      fc.tuple(anon, conf).map(([to, c]) => ({ label: 'pipe request before register', to, event: NodeEvents.pipeRequest, payload: { conf: c }, expect: ['FORBIDDEN'] })),
      fc.tuple(anon, conf, fc.constantFrom('tw', 'ls', null)).map(([to, c, site]) => ({ label: 'floor before register', to, event: NodeEvents.floorSet, payload: { conf: c, site }, expect: ['FORBIDDEN'] })),
      fc.tuple(anon, added).map(([to, p]) => ({ label: 'producer added before register', to, event: NodeEvents.producerAdded, payload: p, expect: ['FORBIDDEN'] })),
      fc.tuple(anon, conf, producerId, fc.boolean()).map(([to, c, id, paused]) => ({ label: 'producer paused before register', to, event: NodeEvents.producerPaused, payload: { conf: c, producerId: id, paused }, expect: ['FORBIDDEN'] })),
      fc.tuple(anon, conf, producerId).map(([to, c, id]) => ({ label: 'producer closed before register', to, event: NodeEvents.producerClosed, payload: { conf: c, producerId: id }, expect: ['FORBIDDEN'] })),
      validArb(NodeRegisterReq).filter((r) => !TREE_IDS.includes(r.nodeId)).map((p) => ({ label: 'second register', to: 'centreReg', event: NodeEvents.register, payload: p, expect: ['CONFLICT'] })),
      // a registered link has no pipe for these: nothing may be produced (nor a session made) for them
      added.filter((p) => p.conf !== CONF && p.conf !== OTHER).map((p) => ({ label: 'producer added without a pipe', to: 'centreReg', event: NodeEvents.producerAdded, payload: p, expect: ['UNAVAILABLE'] })),
      fc.tuple(conf, producerId, fc.boolean()).map(([c, id, paused]) => ({ label: 'unknown producer paused', to: 'centreReg', event: NodeEvents.producerPaused, payload: { conf: c, producerId: id, paused }, expect: ['NOT_FOUND'] })),
      // the same from a parent: binhgia has no pipe and no producer from it
      added.map((p) => ({ label: 'producer added by the parent without a pipe', to: 'parent', event: NodeEvents.producerAdded, payload: p, expect: ['UNAVAILABLE'] })),
      fc.tuple(conf, producerId, fc.boolean()).map(([c, id, paused]) => ({ label: 'unknown producer paused by the parent', to: 'parent', event: NodeEvents.producerPaused, payload: { conf: c, producerId: id, paused }, expect: ['NOT_FOUND'] })),
    ];
    await check('/node out of turn', fc.oneof(...cases), RUNS.nodeScope, async (k) => {
      kind('wrong scope');
      await refuse('node', k.to === 'parent' ? parent : nodeWire[k.to], k.event, wire(k.payload), k.expect, k.label);
    });
  });

  // ------------------------------------------------------------ HTTP

  test('HTTP routes refuse malformed bodies with a typed 4xx', async () => {
    const node = fc.constantFrom<NodeName>('centre', 'langson', 'binhgia');
    await check('POST /ingest malformed', fc.tuple(node, malformed(IngestReq)), RUNS.httpBody, async ([n, m]) => {
      kind(m.how);
      await refuseHttp(N(n), { path: '/ingest', token: ORG, body: m.value }, ['BAD_REQUEST', 'TOO_LARGE'], m.how);
    });
    await check('POST /floor malformed', fc.tuple(node, malformed(SetFloorReq)), RUNS.httpBody, async ([n, m]) => {
      kind(m.how);
      await refuseHttp(N(n), { path: '/floor', token: ORG, body: m.value }, ['BAD_REQUEST', 'TOO_LARGE'], m.how);
    });
  });

  test('HTTP routes refuse bad tokens (header and query) with 401', async () => {
    const route = fc.constantFrom<HttpReq>(
      { path: '/stats' },
      { path: '/floor', body: { site: null } },
      { path: '/ingest', body: { site: 'tw' } },
      { method: 'DELETE', path: '/ingest/0123456789abcdef' },
    );
    const node = fc.constantFrom<NodeName>('centre', 'langson', 'binhgia');
    await check('auth header', fc.tuple(node, route, badToken, fc.constantFrom('Bearer ', 'bearer ', 'Basic ', '', 'Bearer  ')), RUNS.httpAuth, async ([n, r, t, scheme]) => {
      kind('bad token');
      await refuseHttp(N(n), { ...r, headers: { authorization: `${scheme}${t.token}` } }, ['UNAUTHORIZED'], `${t.how} token, scheme "${scheme.trim()}"`);
    });
    const query = fc.oneof(
      badHandshakeToken.filter((t) => typeof t.token === 'string').map((t) => ({ how: t.how, q: `token=${uriEncode(t.token as string)}` })),
      fc.constantFrom('token', 'token=', 'token[]=a&token[]=b', `token=${ORG}x`, 'token=%zz', 'token=%', `token=a&token=${encodeURIComponent(ORG)}`, 'token[a]=b', '%00=%00').map((q) => ({ how: 'odd query', q })),
    );
    await check('auth query', fc.tuple(node, route, query), RUNS.httpAuth, async ([n, r, q]) => {
      kind('bad token');
      await refuseHttp(N(n), { ...r, path: `${r.path}?${q.q}` }, ['UNAUTHORIZED'], q.how);
    });
  });

  test('HTTP routes refuse broken bodies, content types, charsets and encodings with a typed 4xx', async () => {
    const notJson = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('{', '{"site":', '[1,2', '"tw"', '42', 'true', 'null', '{"site":"tw"}}', '\u0000', '{"site":"tw"', '[]', '{}', '{"__proto__":{"site":"tw"}}', ''),
    );
    const body = fc.oneof(
      notJson.map((raw) => ({ how: 'not JSON', raw, type: 'application/json' })),
      fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json-patch', ''))
        .map(([v, type]) => ({ how: `as ${type || 'no type'}`, raw: JSON.stringify(v), type })),
      // bodies the schemas refuse however they are decoded
      fc.tuple(fc.constantFrom('utf-16', 'utf-32', 'latin1', 'koi8-r', 'bogus', 'utf-7', ''), fc.constantFrom('{"site":42}', '{"site":["tw"]}', 'Đ'))
        .map(([cs, raw]) => ({ how: `charset ${cs}`, raw, type: `application/json; charset=${cs}` })),
      fc.tuple(fc.constantFrom('gzip', 'deflate', 'br', 'bogus', 'gzip, gzip', 'identity, x'), fc.string({ maxLength: 100 }))
        .map(([enc, raw]) => ({ how: `content-encoding ${enc}`, raw, type: 'application/json', encoding: enc })),
      fc.integer({ min: 70_000, max: 400_000 }).map((n) => ({ how: 'huge body', raw: JSON.stringify({ site: 'Đ'.repeat(n) }), type: 'application/json' })),
    );
    const target = fc.tuple(fc.constantFrom<NodeName>('centre', 'langson'), fc.constantFrom('/floor', '/ingest'));
    await check('raw bodies', fc.tuple(target, body), RUNS.httpRaw, async ([[name, path], b]) => {
      const n = N(name);
      // a well-formed, acceptable body is not what this property is about
      if (b.type === 'application/json' && !('encoding' in b)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(b.raw);
        } catch {
          parsed = undefined;
        }
        if ((path === '/floor' ? SetFloorReq : IngestReq).safeParse(parsed).success) return;
      }
      const headers: Record<string, string> = { 'content-type': b.type };
      if ('encoding' in b) headers['content-encoding'] = b.encoding as string;
      kind('broken body');
      await refuseHttp(n, { path, token: ORG, raw: b.raw, headers }, ['BAD_REQUEST', 'TOO_LARGE', 'UNSUPPORTED'], b.how);
    });
  });

  test('DELETE /ingest/:id refuses ids that are not an ingest of the caller', async () => {
    const id = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).map((s) => ({ how: 'unicode', seg: uriEncode(s) })),
      idArb.map((s) => ({ how: 'id', seg: encodeURIComponent(s) })),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%80', '..%2F..%2Fhealth', '%00', '%FF%FE', 'a%2Fb', '%25', '%u0041').map((seg) => ({ how: 'odd escape', seg })),
      fc.integer({ min: 2_000, max: 6_000 }).map((n) => ({ how: 'long id', seg: 'x'.repeat(n) })),
    ).filter((x) => x.seg !== ingestId);
    await check('DELETE /ingest/:id', fc.tuple(fc.constantFrom<NodeName>('centre', 'langson'), id), RUNS.httpPath, async ([n, x]) => {
      kind('bad path id');
      await refuseHttp(N(n), { method: 'DELETE', path: `/ingest/${x.seg}`, token: ORG }, ['NOT_FOUND', 'BAD_REQUEST'], x.how);
    });
  });

  test('HTTP routes refuse well-formed requests for another site, role or conference', async () => {
    type Case = { label: string; n: NodeName; r: () => HttpReq; expect: ErrorCode[] };
    const floorSite = fc.constantFrom('tw', 'ls', 'ls-01', 'ls-bg', null);
    const cases: Arbitrary<Case>[] = [
      fc.tuple(fc.constantFrom<[PersonRole, string | undefined]>(['viewer', 'ls-01'], ['technician', 'ls'], ['participant', 'tw'], ['technician', 'tw'], ['viewer', 'tw']), floorSite, fc.constantFrom(CONF, OTHER), fc.constantFrom<NodeName>('centre', 'langson'))
        .map(([[role, site], s, conf, n]) => ({ label: `floor by a ${role}`, n, r: () => ({ path: '/floor', token: tok(role, site, conf), body: { site: s } }), expect: ['FORBIDDEN'] })),
      fc.constantFrom('ls-01').map((site) => ({ label: 'ingest at ls-01 by the technician of ls', n: 'langson' as const, r: () => ({ path: '/ingest', token: tok('technician', 'ls'), body: { site } }), expect: ['FORBIDDEN'] })),
      fc.tuple(fc.constantFrom<PersonRole>('viewer', 'participant'), fc.constantFrom('ls', 'ls-01')).map(([role, site]) => ({ label: `ingest by a ${role}`, n: 'langson' as const, r: () => ({ path: '/ingest', token: tok(role, site), body: { site } }), expect: ['FORBIDDEN'] })),
      fc.tuple(fc.oneof(fc.constantFrom('ls', 'ls-01', 'ls-bg', 'tw-01'), idArb).filter((s) => s !== 'tw'), fc.constantFrom(CONF, OTHER)).map(([site, conf]) => ({ label: 'ingest for a site the centre does not serve', n: 'centre' as const, r: () => ({ path: '/ingest', token: tok('organizer', undefined, conf), body: { site } }), expect: ['NOT_FOUND'] })),
      fc.constantFrom(CONF, OTHER, 'ls-thu-ba').map((conf) => ({ label: `session source by a technician of ${conf}`, n: 'centre' as const, r: () => ({ path: '/ingest', token: tok('technician', 'tw', conf), body: { site: 'tw', tag: 'source' } }), expect: ['FORBIDDEN'] })),
      fc.constantFrom(CONF, OTHER, 'ls-thu-ba').map((conf) => ({ label: `root source by a technician of ${conf}, by default`, n: 'centre' as const, r: () => ({ path: '/ingest', token: tok('technician', 'tw', conf), body: { site: 'tw' } }), expect: ['FORBIDDEN'] })),
      fc.constantFrom<[PersonRole, string | undefined, string]>(['organizer', undefined, OTHER], ['organizer', undefined, 'ls-thu-ba'], ['technician', 'ls', CONF], ['viewer', 'tw', CONF], ['participant', 'tw', CONF])
        .map(([role, site, conf]) => ({ label: `delete the source ingest as ${role} of ${conf}`, n: 'centre' as const, r: () => ({ method: 'DELETE' as const, path: `/ingest/${ingestId}`, token: tok(role, site, conf) }), expect: role === 'organizer' ? ['NOT_FOUND'] : ['FORBIDDEN'] })),
      fc.constant({ label: 'delete the centre ingest at langson', n: 'langson' as const, r: () => ({ method: 'DELETE' as const, path: `/ingest/${ingestId}`, token: ORG }), expect: ['NOT_FOUND'] }),
      fc.tuple(fc.constantFrom<[PersonRole, string | undefined]>(['viewer', 'ls-01'], ['participant', 'ls'], ['technician', 'tw'], ['technician', 'ls-bg']), fc.constantFrom(CONF, OTHER))
        .map(([[role, site], conf]) => ({ label: `stats at langson by a ${role} of ${site}`, n: 'langson' as const, r: () => ({ path: '/stats', token: tok(role, site, conf) }), expect: ['FORBIDDEN'] })),
    ];
    await check('HTTP wrong scope', fc.oneof(...cases), RUNS.httpScope, async (k) => {
      kind('wrong scope');
      await refuseHttp(N(k.n), k.r(), k.expect, k.label);
    });
  });

  // ------------------------------------------------------------ nothing changed

  test(`at least ${MIN_MALFORMED} refusals, no 5xx, no untyped error logged, nodes alive, state hash unchanged`, async () => {
    for (const c of clients) c.close();
    await waitFor('fuzz links gone from the centre', async () => !(await centre.health()).children.some((c) => fuzzNodeIds.has(c.nodeId)));
    const problems: string[] = [];
    for (const n of nodes()) {
      if (!n.running) problems.push(`${n.nodeId} is not running`);
      const r = await fetch(`${n.url}/health`).catch((err: Error) => ({ status: err.message }));
      if (r.status !== 200) problems.push(`${n.nodeId} /health: ${r.status}`);
      const out = n.output.slice(outputAt.get(n.nodeId) ?? 0);
      for (const l of out.split('\n')) if (/"level":(50|60)|hall event failed|http route failed|node event failed/.test(l)) problems.push(`${n.nodeId} logged: ${l.slice(0, 300)}`);
    }
    const after = await snapshot(nodes());
    if (after.hash !== before.hash) problems.push(`state hash ${before.hash} → ${after.hash}: ${stateDiff(before, after)}`);
    if (tally.http5xx) problems.push(`${tally.http5xx} HTTP 5xx answers`);
    if (tally.internal) problems.push(`${tally.internal} INTERNAL acks`);
    if (tally.refused !== tally.payloads) problems.push(`${tally.payloads - tally.refused} payloads not refused`);
    if (tally.payloads < MIN_MALFORMED) problems.push(`only ${tally.payloads} payloads (want ${MIN_MALFORMED})`);
    assert.deepEqual(problems, []);
    console.log(`[fuzz media] state hash ${before.hash} before and after ${tally.payloads} refused payloads`);
  });

  // ------------------------------------------------------------ valid payloads

  test('well-formed payloads are accepted: join, stats, floor (socket and HTTP), register', async () => {
    // join on a fresh socket as a (site, role) the token allows; then the hall stats where the role may read them
    type Joiner = { n: NodeName; who: string; token: () => string; may: [string, HallRole][]; stats: boolean };
    const joiners: Joiner[] = [
      { n: 'langson', who: 'viewer ls-01', token: () => tok('viewer', 'ls-01'), may: [['ls-01', 'hall']], stats: false },
      { n: 'langson', who: 'technician ls', token: () => tok('technician', 'ls'), may: [['ls', 'hall'], ['ls', 'console'], ['ls', 'contributor']], stats: true },
      { n: 'langson', who: 'participant ls-01', token: () => tok('participant', 'ls-01'), may: [['ls-01', 'hall'], ['ls-01', 'contributor']], stats: false },
      { n: 'langson', who: 'organizer', token: () => ORG, may: [['ls', 'hall'], ['ls-01', 'console'], ['ls-01', 'contributor']], stats: true },
      { n: 'centre', who: 'organizer', token: () => ORG, may: [['tw', 'studio'], ['tw', 'hall']], stats: true },
      { n: 'centre', who: 'technician tw', token: () => tok('technician', 'tw'), may: [['tw', 'hall'], ['tw', 'console']], stats: true },
    ];
    // with, sometimes, keys no schema has: stripped, not refused
    const join = fc.constantFrom(...joiners).chain((j) => fc.tuple(fc.constant(j), fc.constantFrom(...j.may), validArb(StatsReq), fc.option(extraKeys)));
    await check('join', join, RUNS.valid, async ([j, [site, role], statsReq, extra]) => {
      const plain = { site, role };
      const req = extra ? withKeys(plain, Object.fromEntries(Object.entries(extra).filter(([k]) => !Object.hasOwn(plain, k)))) : plain;
      assert.ok(JoinReq.safeParse(req).success);
      const c = new Client(`${j.who} joins ${site} as ${role}`, N(j.n).url, HALL_NAMESPACE, j.token);
      try {
        const res = JoinRes.parse(assertOkAck(await c.ack(HallEvents.join, req), c.name));
        assert.equal(res.site, site);
        assert.equal(res.conf, CONF);
        assert.ok(Array.isArray(res.routerRtpCapabilities.codecs) && res.routerRtpCapabilities.codecs.length > 0, 'router capabilities');
        tally.valid++;
        if (j.stats) {
          StatsRes.parse(assertOkAck(await c.ack(HallEvents.stats, wire(statsReq)), `${c.name}: stats`));
          tally.valid++;
        }
      } finally {
        c.close();
      }
    });

    // GET /stats for organizers and the node's own technicians
    const statsBy = fc.constantFrom<[NodeName, string, () => string]>(
      ['centre', 'organizer', () => ORG], ['langson', 'organizer', () => ORG], ['binhgia', 'organizer', () => ORG],
      ['langson', 'technician ls-01', () => tok('technician', 'ls-01')], ['centre', 'technician tw', () => tok('technician', 'tw')], ['binhgia', 'technician ls-bg', () => tok('technician', 'ls-bg')],
    );
    await check('GET /stats', statsBy, RUNS.valid, async ([n, who, t]) => {
      const r = await request(N(n), { path: '/stats', token: t() });
      assert.equal(r.status, 200, `${n} stats for ${who}: ${r.text}`);
      assert.equal(StatsRes.parse(r.json).nodeId, n);
      tally.valid++;
    });

    // the floor, asked at either node (langson forwards it to the root) by socket or HTTP; taken back after
    const org = { centre: new Client('organizer at centre', centre.url, HALL_NAMESPACE, () => ORG), langson: new Client('organizer at langson', langson.url, HALL_NAMESPACE, () => ORG) };
    const floor = fc.tuple(fc.constantFrom('tw', 'ls', 'ls-01', null), fc.constantFrom('http', 'socket'), fc.constantFrom<'centre' | 'langson'>('centre', 'langson'));
    try {
      await check('floor', floor, RUNS.valid, async ([site, how, n]) => {
        const req = { site };
        assert.ok(SetFloorReq.safeParse(req).success);
        let programme: unknown;
        if (how === 'http') {
          const r = await request(N(n), { path: '/floor', token: ORG, body: req });
          assert.equal(r.status, 200, `floor ${site} at ${n}: ${r.text}`);
          programme = r.json;
        } else {
          programme = assertOkAck(await org[n].ack(HallEvents.setFloor, req), `floor ${site} at ${n}`);
        }
        const p = Programme.parse(programme);
        // the root answers with the floor applied; a lower node with its copy, which follows shortly
        if (n === 'centre') assert.equal(p.floor, site);
        tally.valid++;
      });
      assertOkAck(await org.centre.ack(HallEvents.setFloor, { site: null }), 'floor back to the centre');
    } finally {
      org.centre.close();
      org.langson.close();
    }

    // a contribution at langson (valid ingest) goes up to the root while ls holds the floor,
    // comes down when it is taken back, and is deleted (valid DELETE)
    const producersAt = async (n: NodeProc) => (await n.health()).conferences.find((c) => c.conf === CONF)?.producers ?? 0;
    const tech = tok('technician', 'ls');
    const opened = await request(langson, { path: '/ingest', token: tech, body: { site: 'ls', streams: [{ kind: 'video' }, { kind: 'audio' }] } });
    assert.equal(opened.status, 201, opened.text);
    const contribution = IngestRes.parse(opened.json);
    assert.equal(await producersAt(centre), 2);
    const given = await request(langson, { path: '/floor', token: ORG, body: { site: 'ls' } });
    assert.equal(given.status, 200, given.text);
    await waitFor('the contribution relayed up to the root', async () => (await producersAt(centre)) === 4);
    const back = await request(centre, { path: '/floor', token: ORG, body: { site: null } });
    assert.equal(back.status, 200, back.text);
    await waitFor('the contribution relay torn down', async () => (await producersAt(centre)) === 2);
    const closed = await request(langson, { method: 'DELETE', path: `/ingest/${contribution.id}`, token: tech });
    assert.equal(closed.status, 200, closed.text);
    await waitFor('the contribution gone at langson', async () => (await producersAt(langson)) === 2);
    tally.valid += 4;

    // register: a fresh child node id at the centre, gone again when its socket closes
    const fresh = validArb(NodeRegisterReq).filter((r) => !TREE_IDS.includes(r.nodeId));
    await check('register', fresh, RUNS.valid, async (req) => {
      const c = new Client('register', centre.url, NODE_NAMESPACE, nodeTok, undefined, nodeListen);
      try {
        fuzzNodeIds.add(req.nodeId);
        const res = assertOkAck<{ nodeId: string }>(await c.ack(NodeEvents.register, wire(req)), `register ${req.nodeId}`);
        assert.equal(res.nodeId, 'centre');
        tally.valid++;
      } finally {
        c.close();
      }
    });
    assert.ok(tally.valid >= 4 * RUNS.valid, `valid accepted ${tally.valid}`);

    // and the cascade is back where it was: floor down the tree, the fresh children gone
    let last: Snapshot | undefined;
    try {
      await waitFor('the cascade back to its state', async () => {
        last = await snapshot(nodes());
        return last.hash === before.hash;
      }, 15_000);
    } catch (err) {
      assert.fail(`${String(err)}: ${last ? stateDiff(before, last) : ''}`);
    }
  });
});
