// What the fuzzer sends: malformed payloads for a schema (with keys no schema
// has), ids, bad tokens, junk mediasoup parameters, and the tables of every
// /hall and node-to-node event with its schema, so no event is left out.
import { createHmac } from 'node:crypto';
import fc, { type Arbitrary } from 'fast-check';
import { z } from 'zod';
import {
  CloseProducerReq,
  ConnectTransportReq,
  ConsumeProgrammeReq,
  CreateTransportReq,
  HallEvents,
  JoinReq,
  NodeEvents,
  NodeFloorSetReq, NodeCarriesReq, NodePing,
  NodeTokenReq,
  NodeIdentifyReq,
  NodeFloorState,
  NodeProducerAdded,
  NodeProducerPaused,
  NodeProducerRef,
  NodeRegisterReq,
  PipeOfferReq,
  PipeRequestReq,
  ProduceReq,
  RestartIceReq,
  ResumeConsumerReq,
  SetFloorReq,
  SetPreferredLayersReq,
  StatsReq,
} from '../../../signaling/media.js';
import { signToken } from '../../../signaling/token.js';
import { HallPlayback } from '../../../signaling/watching.js';
import { malformedArb, validArb } from '../../support/zod-arb.js';
import { CONF, NODE_SECRET, ORG, TOKEN_SECRET, type PersonRole } from './config.js';
import { wire } from './json.js';

/**
 * Keys no schema has. The media schemas are plain (non-strict) objects: unknown keys are
 * stripped, so a valid payload with extra keys is still valid (and accepted, see the last
 * test); here they ride on payloads that are malformed otherwise.
 */
export const extraKeys = fc.dictionary(
  fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'admin', 'conf', 'role', 'nodeId'), fc.string({ minLength: 1, maxLength: 12 })),
  fc.jsonValue({ maxDepth: 2 }),
  { minKeys: 1, maxKeys: 3 },
);

/** `o` plus `extra`'s keys as own properties (`__proto__` too, as JSON.parse makes them on the nodes). */
export function withKeys(o: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out = { ...o };
  for (const [k, x] of Object.entries(extra)) Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  return wire(out);
}

/** Malformed payloads for `schema`, as they look once serialised (and still refused then). */
export function malformed(schema: z.ZodType): Arbitrary<{ how: string; value: unknown }> {
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

const Id = z.string().min(1).max(200);
export const idArb = validArb(Id);
const ascii = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
/** encodeURIComponent, after replacing lone surrogates (as a UTF-8 encoder does). */
export const uriEncode = (s: string) => encodeURIComponent(Buffer.from(s).toString());
const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');
/** A token over any claims, signed with `secret` (verifies, then fails on its claims). */
const forge = (secret: string, claims: unknown) => {
  const body = b64u(JSON.stringify(claims) ?? 'null');
  return `${body}.${b64u(createHmac('sha256', secret).update(body).digest())}`;
};

/** Tokens every node must refuse with UNAUTHORIZED. */
export const badToken: Arbitrary<{ how: string; token: string }> = fc.oneof(
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
export const badHandshakeToken: Arbitrary<{ how: string; token: unknown }> = fc.oneof(
  badToken,
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }))
    .map((token) => ({ how: 'not-a-string', token })),
  fc.string({ unit: 'binary', maxLength: 2000 }).map((token) => ({ how: 'unicode', token })),
);

/** Shapes mediasoup validates itself (the schemas pass them through as loose objects). */
const looseJunk = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 4 });
export const junkRtpParameters = fc.oneof(
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
export const junkDtls = fc.oneof(
  fc.constant({}),
  looseJunk(['role', 'fingerprints']),
  fc.record({
    role: fc.constantFrom('client', 'server', 'auto', 'x', 1),
    fingerprints: fc.array(fc.record({ algorithm: fc.constantFrom('md5', 'sha-257', '', 'SHA-256', 7), value: fc.string() }), { maxLength: 3 }),
  }, { requiredKeys: [] }),
);
export const junkCaps = fc.oneof(
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

export type HallEventKey = Exclude<keyof typeof HallEvents, 'programme' | 'siteMoved' | 'videoState'>;
/** Every client→server event of `/hall` (typed: a new event does not compile until listed). */
export const HALL_SCHEMAS: Record<HallEventKey, z.ZodType> = {
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
  playback: HallPlayback,
};
/** Every node-to-node event, with the side that handles it. */
export const NODE_SCHEMAS: Record<keyof typeof NodeEvents, { schema: z.ZodType; parentHandles: boolean; childHandles: boolean }> = {
  register: { schema: NodeRegisterReq, parentHandles: true, childHandles: false },
  pipeOffer: { schema: PipeOfferReq, parentHandles: false, childHandles: true },
  pipeRequest: { schema: PipeRequestReq, parentHandles: true, childHandles: false },
  producerAdded: { schema: NodeProducerAdded, parentHandles: true, childHandles: true },
  producerClosed: { schema: NodeProducerRef, parentHandles: true, childHandles: true },
  producerPaused: { schema: NodeProducerPaused, parentHandles: true, childHandles: true },
  programme: { schema: NodeFloorState, parentHandles: false, childHandles: true },
  floorSet: { schema: NodeFloorSetReq, parentHandles: true, childHandles: false },
  carries: { schema: NodeCarriesReq, parentHandles: true, childHandles: false },
  ping: { schema: NodePing, parentHandles: true, childHandles: false },
  token: { schema: NodeTokenReq, parentHandles: true, childHandles: false },
  identify: { schema: NodeIdentifyReq, parentHandles: true, childHandles: false },
};
