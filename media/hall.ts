// The `/hall` namespace: browsers (and Node peers) join a site's router,
// consume the programme, and — studio / contributor — produce.
import { createHash } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { AppError, parseOrThrow, toErrorBody, type Ack } from '../signaling/common.js';
import {
  CloseProducerReq,
  ConnectTransportReq,
  ConsumeProgrammeReq,
  CreateTransportReq,
  HallEvents,
  JoinReq,
  ProduceReq,
  RestartIceReq,
  ResumeConsumerReq,
  SetFloorReq,
  SetPreferredLayersReq,
  StatsReq,
  type ConsumeProgrammeRes,
  type HallVideoState,
  type HallRole,
  type JoinRes,
  type TransportInfo,
} from '../signaling/media.js';
import type { TokenClaims, TokenKey } from '../signaling/token.js';
import { assertHallRole, assertOrganizer, assertStatsAccess, linkOf, verifyLive } from './auth.js';
import { REFRESH_TOKEN_EVENT, RefreshTokenReq } from '../signaling/media-token.js';
import { turnCredentials, type TurnOptions } from './turn.js';
import type { Cascade } from './cascade.js';
import { keyframeCoalesceMs, type Session, type SiteRouter } from './session.js';
import type { StatsRegistry } from './stats.js';
import type { Watchers } from './watchers.js';
import type { Revocations } from './revocations.js';
import { closeAtExpiry } from '../signaling/expiry.js';
import { HallPlayback } from '../signaling/watching.js';
import { LayerPolicy } from './layer-policy.js';
import type { AudioOnlyOptions } from './audio-only.js';

export type HallOptions = {
  cascade: Cascade; stats: StatsRegistry; watchers: Watchers; revocations: Revocations; tokenSecret: TokenKey; nodeId: string; log: Logger;
  /** Only short-lived media tokens (exchanged at control), never invitations (signaling/media-token.ts). */
  requireMediaTokens?: boolean;
  /** TURN relays handed to halls with every transport (short-lived credentials). */
  turn?: TurnOptions;
  /** When a hall's link cannot carry the lowest picture (media/audio-only.ts); false = never audio only. */
  audioOnly?: AudioOnlyOptions | false;
};

const MAX_TRANSPORTS = 4;
/** Sockets one token may hold open on this node (a hall's screens, a console reconnecting). */
export const MAX_SOCKETS_PER_TOKEN = 8;


/** A contributor that names no contribution: one per invitation link (an id control accepts). */
const tokenContribution = (jti: string) => `tok-${createHash('sha256').update(jti).digest('hex').slice(0, 16)}`;

type Joined = { site: string; role: HallRole; session: Session; sr: SiteRouter; contribution: string | null };

/** mediasoup rejects bad parameters with TypeError / UnsupportedError: the caller's fault. */
function errorBody(err: unknown) {
  if (err instanceof AppError) return err.toBody();
  const name = (err as Error)?.name;
  if (name === 'TypeError' || name === 'UnsupportedError' || name === 'InvalidStateError') {
    return { code: 'BAD_REQUEST' as const, message: String((err as Error).message) };
  }
  return toErrorBody(err);
}

export function attachHall(nsp: Namespace, o: HallOptions): void {
  /** open sockets per token id */
  const perToken = new Map<string, number>();
  nsp.use((socket, next) => {
    try {
      const claims = verifyLive(o.tokenSecret, socket.handshake.auth?.token, o.revocations, o.requireMediaTokens);
      // one invitation link opens a few screens, not a flood of sockets (however many media tokens it got)
      if ((perToken.get(linkOf(claims)) ?? 0) >= MAX_SOCKETS_PER_TOKEN) throw new AppError('RATE_LIMITED', 'Liên kết này đang mở ở quá nhiều màn hình; hãy đóng bớt rồi thử lại. / This link is open on too many screens; close some and try again.');
      socket.data.claims = claims;
      // counted here, not on 'connection': a burst of handshakes must not slip past the cap
      perToken.set(linkOf(claims), (perToken.get(linkOf(claims)) ?? 0) + 1);
      next();
    } catch (err) {
      o.log.info({ from: socket.handshake.address, reason: (err as Error).message }, 'hall connection refused');
      const e = new Error(`UNAUTHORIZED: ${(err as Error).message}`) as Error & { data?: unknown };
      e.data = errorBody(err);
      next(e);
    }
  });

  o.cascade.on('programme', (p) => nsp.to(`conf:${p.conf}`).emit(HallEvents.programme, p));
  // a revoked link is closed wherever it is open on this node
  o.revocations.on('revoked', (jtis) => {
    const gone = new Set(jtis);
    for (const s of nsp.sockets.values()) {
      const c = s.data.claims as TokenClaims | undefined;
      if (c && (gone.has(c.jti) || gone.has(linkOf(c)))) s.disconnect(true);
    }
  });
  nsp.on('connection', (socket) => {
    const link = linkOf(socket.data.claims as TokenClaims);
    socket.once('disconnect', () => {
      const n = (perToken.get(link) ?? 1) - 1;
      if (n > 0) perToken.set(link, n); else perToken.delete(link);
    });
    // a fresh media token for the same link keeps the socket open past the first one's expiry
    socket.on(REFRESH_TOKEN_EVENT, (payload: unknown, ack?: (r: Ack<{ exp: number }>) => void) => {
      try {
        const { token } = parseOrThrow(RefreshTokenReq, payload);
        const next = verifyLive(o.tokenSecret, token, o.revocations, o.requireMediaTokens);
        const cur = socket.data.claims as TokenClaims;
        if (next.role !== cur.role || next.conf !== cur.conf || next.site !== cur.site || linkOf(next) !== linkOf(cur)) {
          throw new AppError('FORBIDDEN', 'Mã mới phải cùng đường liên kết với mã đang dùng. / The fresh token must be for the same link.');
        }
        socket.data.claims = next;
        ack?.({ ok: true, data: { exp: next.exp } });
      } catch (err) {
        ack?.({ ok: false, error: errorBody(err) });
      }
    });
    closeAtExpiry(socket, () => (socket.data.claims as TokenClaims).exp);
  });

  nsp.on('connection', (socket) => handleSocket(socket, o));
}

function handleSocket(socket: Socket, o: HallOptions): void {
  const claims = socket.data.claims as TokenClaims;
  const conf = claims.conf;
  let joined: Joined | undefined;
  const transports = new Map<string, ms.WebRtcTransport>();
  /** transports being created (counted against the cap before the await) */
  let creating = 0;
  const producers = new Map<string, ms.Producer>();
  const consumers = new Map<string, ms.Consumer>();
  /** The simulcast layer each video consumer may have (media/layer-policy.ts). */
  const policies = new Map<string, LayerPolicy>();

  const on = <S extends z.ZodType>(event: string, schema: S, fn: (d: z.infer<S>) => Promise<unknown> | unknown) => {
    socket.on(event, async (payload: unknown, ack?: unknown) => {
      // tolerate (ack) without payload for events that take none
      if (typeof payload === 'function' && ack === undefined) [payload, ack] = [undefined, payload];
      const reply = typeof ack === 'function' ? (ack as (a: Ack<unknown>) => void) : () => undefined;
      try {
        const data = parseOrThrow(schema, payload);
        reply({ ok: true, data: (await fn(data)) ?? {} });
      } catch (err) {
        const body = errorBody(err);
        if (body.code === 'INTERNAL') o.log.error({ event, err: String(err) }, 'hall event failed');
        reply({ ok: false, error: body });
      }
    });
  };
  const need = (): Joined => {
    if (!joined) throw new AppError('CONFLICT', 'join first');
    return joined;
  };
  const transport = (id: string, direction?: 'send' | 'recv') => {
    const t = transports.get(id);
    if (!t) throw new AppError('NOT_FOUND', 'no such transport');
    if (direction && t.appData.direction !== direction) throw new AppError('BAD_REQUEST', `transport is not a ${direction} transport`);
    return t;
  };

  on(HallEvents.join, JoinReq, async (req): Promise<JoinRes> => {
    if (joined) throw new AppError('CONFLICT', 'already joined');
    if (!o.cascade.hosts(req.site)) throw new AppError('NOT_FOUND', `site ${req.site} is not served by node ${o.nodeId}`);
    assertHallRole(claims, req.role, req.site);
    const session = await o.cascade.session(conf);
    const sr = await session.router(req.site);
    joined = { site: req.site, role: req.role, session, sr, contribution: req.role === 'contributor' ? req.contribution ?? tokenContribution(linkOf(claims)) : null };
    await socket.join(`conf:${conf}`);
    if (req.role === 'hall') {
      o.watchers.add(socket.id, conf, req.site, () => {
        for (const c of consumers.values()) if (c.kind === 'video' && !c.closed) return c.currentLayers?.spatialLayer ?? (c.type === 'simulcast' ? undefined : 0);
        return undefined;
      }, () => [...policies.values()].some((p) => p.fallback?.audioOnly === true));
    }
    o.log.info({ conf, site: req.site, role: req.role, socket: socket.id }, 'joined');
    return { nodeId: o.nodeId, site: req.site, conf, routerRtpCapabilities: sr.router.rtpCapabilities as never, programme: session.programme() };
  });

  on(HallEvents.createTransport, CreateTransportReq, async (req): Promise<TransportInfo> => {
    const j = need();
    if (req.direction === 'send' && j.role !== 'studio' && j.role !== 'contributor') throw new AppError('FORBIDDEN', 'only studio and contributors send');
    // the slot is taken before the await, so a burst of requests cannot pass the cap together
    if (transports.size + creating >= MAX_TRANSPORTS) throw new AppError('CONFLICT', 'too many transports');
    creating++;
    let t: ms.WebRtcTransport;
    try {
      t = await j.sr.router.createWebRtcTransport({
        webRtcServer: j.sr.pooled.webRtcServer,
        enableUdp: !req.forceTcp,
        enableTcp: true,
        preferUdp: !req.forceTcp,
        initialAvailableOutgoingBitrate: 1_500_000,
        appData: { direction: req.direction, socket: socket.id },
      });
    } finally {
      creating--;
    }
    // made while the socket went away: nobody will ever close it otherwise
    if (socket.disconnected) {
      t.close();
      throw new AppError('CONFLICT', 'socket closed');
    }
    transports.set(t.id, t);
    t.observer.once('close', () => transports.delete(t.id));
    if (req.direction === 'send') await t.setMaxIncomingBitrate(4_000_000).catch(() => undefined);
    return {
      id: t.id, iceParameters: t.iceParameters as never, iceCandidates: t.iceCandidates as never, dtlsParameters: t.dtlsParameters as never,
      ...(o.turn ? { iceServers: [turnCredentials(o.turn, j.site)] } : {}),
    };
  });

  on(HallEvents.connectTransport, ConnectTransportReq, async (req) => {
    need();
    await transport(req.transportId).connect({ dtlsParameters: req.dtlsParameters as unknown as ms.DtlsParameters });
    return {};
  });

  on(HallEvents.restartIce, RestartIceReq, async (req) => {
    need();
    return { iceParameters: await transport(req.transportId).restartIce() };
  });

  on(HallEvents.produce, ProduceReq, async (req) => {
    const j = need();
    if (j.role !== 'studio' && j.role !== 'contributor') throw new AppError('FORBIDDEN', 'only studio and contributors produce');
    const t = transport(req.transportId, 'send');
    // the camera's keyframe requests, coalesced when the node is set to (session.ts)
    const p = await t.produce({ kind: req.kind, rtpParameters: req.rtpParameters as unknown as ms.RtpParameters, keyFrameRequestDelay: keyframeCoalesceMs(), appData: { ...req.appData, site: j.site } });
    // one producer per kind: a new camera replaces the old
    for (const old of producers.values()) if (old.kind === p.kind) old.close();
    producers.set(p.id, p);
    p.observer.once('close', () => producers.delete(p.id));
    try {
      const hub = await j.session.addLocal(j.site, p, j.role === 'studio' ? 'source' : 'contributor', j.contribution);
      // stats name the programme-wide id, the one relayed and consumed everywhere
      o.stats.track({ conf, site: j.site, hop: 'source', direction: 'in', peer: socket.id, producerId: hub.producer.id, target: { kind: 'producer', producer: p } });
    } catch (err) {
      p.close();
      throw err;
    }
    o.log.info({ conf, site: j.site, kind: p.kind, role: j.role, producer: p.id }, 'producing');
    return { id: p.id };
  });

  on(HallEvents.closeProducer, CloseProducerReq, (req) => {
    need();
    const p = producers.get(req.producerId);
    if (!p) throw new AppError('NOT_FOUND', 'no such producer');
    p.close();
    return {};
  });

  on(HallEvents.consumeProgramme, ConsumeProgrammeReq, async (req): Promise<ConsumeProgrammeRes> => {
    const j = need();
    const t = transport(req.transportId, 'recv');
    const rtpCapabilities = req.rtpCapabilities as unknown as ms.RtpCapabilities;
    const programme = j.session.programme();
    const made: ms.Consumer[] = [];
    try {
      for (const want of programme.producers) {
        const producerId = await j.session.producerIdIn(j.site, want.id);
        if (!j.sr.router.canConsume({ producerId, rtpCapabilities })) throw new AppError('UNSUPPORTED', `cannot consume ${want.kind} with these capabilities`);
        const c = await t.consume({
          producerId,
          rtpCapabilities,
          paused: true,
          ...(want.kind === 'video' ? { preferredLayers: { spatialLayer: 2, temporalLayer: 2 } } : {}),
          appData: { programmeId: want.id },
        });
        made.push(c);
      }
    } catch (err) {
      for (const c of made) c.close();
      throw err;
    }
    for (const old of consumers.values()) old.close();
    for (const c of made) {
      consumers.set(c.id, c);
      if (c.type === 'simulcast') {
        const policy = new LayerPolicy(c, { transport: t, ...(o.audioOnly !== undefined ? { audioOnly: o.audioOnly } : {}) });
        policies.set(c.id, policy);
        // the hall shows its title card with a badge while only the sound flows
        policy.fallback?.on('change', (audioOnly, retryInMs) => {
          const state: HallVideoState = { consumerId: c.id, audioOnly, reason: 'weak-link', ...(retryInMs !== null ? { retryInMs } : {}) };
          o.log.info({ conf, site: j.site, socket: socket.id, consumer: c.id, audioOnly, figures: policy.fallback?.last }, audioOnly ? 'hall link too thin: audio only' : 'hall video back');
          socket.emit(HallEvents.videoState, state);
        });
      }
      c.observer.once('close', () => { consumers.delete(c.id); policies.delete(c.id); });
      o.stats.track({ conf, site: j.site, hop: 'hall', direction: 'out', peer: socket.id, producerId: String(c.appData.programmeId), target: { kind: 'consumer', consumer: c } });
    }
    return {
      programme,
      consumers: made.map((c) => ({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters as never, type: c.type })),
    };
  });

  const consumer = (id: string) => {
    const c = consumers.get(id);
    if (!c) throw new AppError('NOT_FOUND', 'no such consumer');
    return c;
  };
  on(HallEvents.resumeConsumer, ResumeConsumerReq, async (req) => {
    need();
    const c = consumer(req.consumerId);
    // resuming asks for a keyframe (mediasoup does, as it does when the transport connects): a
    // second request here would count, where the camera's requests are coalesced, as a new one
    await c.resume();
    return {};
  });
  on(HallEvents.setPreferredLayers, SetPreferredLayersReq, async (req) => {
    need();
    const c = consumer(req.consumerId);
    if (c.type !== 'simulcast' && c.type !== 'svc') throw new AppError('UNSUPPORTED', 'consumer has a single layer');
    const policy = policies.get(c.id);
    if (policy) { await policy.setCeiling(req.spatialLayer); return {}; }
    await c.setPreferredLayers({ spatialLayer: req.spatialLayer, ...(req.temporalLayer !== undefined ? { temporalLayer: req.temporalLayer } : {}) });
    return {};
  });

  on(HallEvents.setFloor, SetFloorReq, async (req) => {
    assertOrganizer(claims);
    await o.cascade.setFloor(conf, req.site, req.contribution ?? null, String(socket.handshake.auth?.token ?? ''));
    return (await o.cascade.session(conf)).programme();
  });

  on(HallEvents.stats, StatsReq, async () => {
    assertStatsAccess(claims, (s) => o.cascade.hosts(s));
    return o.stats.collect((t) => t.conf === conf);
  });

  on(HallEvents.playback, HallPlayback, (req) => {
    const j = need();
    if (j.role !== 'hall') throw new AppError('FORBIDDEN', 'only a hall reports what it plays');
    o.watchers.playback(socket.id, req);
    return {};
  });

  socket.on('disconnect', () => {
    o.watchers.remove(socket.id);
    for (const t of transports.values()) t.close();
    transports.clear();
  });
}
