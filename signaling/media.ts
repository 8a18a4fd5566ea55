// The media signaling protocol between browsers / Node peers and a media node
// (socket.io namespace `/hall`), and between media nodes (namespace `/node`).
// mediasoup's own parameter objects are passed through as loose objects: the
// worker validates them; here we check shape and presence.
import { z } from 'zod';

export const HALL_NAMESPACE = '/hall';
export const NODE_NAMESPACE = '/node';

const Id = z.string().min(1).max(200);
const Loose = z.looseObject({});

/** Browser ⇄ media node. Every client→server event takes (payload, ack). */
export const HallEvents = {
  /** c→s: join a site's router. Auth token goes in the socket.io handshake `auth.token`. */
  join: 'media:join',
  createTransport: 'media:transport:create',
  connectTransport: 'media:transport:connect',
  restartIce: 'media:transport:restart-ice',
  produce: 'media:produce',
  closeProducer: 'media:producer:close',
  /** c→s: consume the current programme (video + audio) on a recv transport. */
  consumeProgramme: 'media:consume-programme',
  resumeConsumer: 'media:consumer:resume',
  setPreferredLayers: 'media:consumer:layers',
  /** c→s: organizer only — give the floor to a site, or take it back (site null). */
  setFloor: 'media:floor:set',
  stats: 'media:stats',
  /** s→c push: the programme changed (floor given/taken, source restarted); re-consume. */
  programme: 'media:programme',
} as const;

export const HallRole = z.enum(['hall', 'studio', 'contributor', 'console']);
export const JoinReq = z.object({ site: Id, role: HallRole });
export const JoinRes = z.object({
  nodeId: z.string(),
  site: z.string(),
  routerRtpCapabilities: Loose,
  programme: z.lazy(() => Programme),
});

export const CreateTransportReq = z.object({
  direction: z.enum(['send', 'recv']),
  /** Enables TCP-only (fallback when UDP is blocked). */
  forceTcp: z.boolean().optional(),
});
export const TransportInfo = z.object({
  id: Id,
  iceParameters: Loose,
  iceCandidates: z.array(Loose),
  dtlsParameters: Loose,
});
export const ConnectTransportReq = z.object({ transportId: Id, dtlsParameters: Loose });
export const RestartIceReq = z.object({ transportId: Id });
export const ProduceReq = z.object({
  transportId: Id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: Loose,
  appData: z.record(z.string(), z.unknown()).optional(),
});
export const ProduceRes = z.object({ id: Id });
export const CloseProducerReq = z.object({ producerId: Id });
export const ConsumeProgrammeReq = z.object({ transportId: Id, rtpCapabilities: Loose });
export const ConsumerInfo = z.object({
  id: Id,
  producerId: Id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: Loose,
});
export const ConsumeProgrammeRes = z.object({ consumers: z.array(ConsumerInfo) });
export const ResumeConsumerReq = z.object({ consumerId: Id });
export const SetPreferredLayersReq = z.object({
  consumerId: Id,
  spatialLayer: z.number().int().min(0).max(2),
  temporalLayer: z.number().int().min(0).max(2).optional(),
});
export const SetFloorReq = z.object({ site: Id.nullable() });

/** What every hall should be showing right now. */
export const Programme = z.object({
  /** Site whose media is the programme: the root's studio/ingest, or the site holding the floor. */
  source: z.string().nullable(),
  floor: z.string().nullable(),
  /** Bumped on every change so clients can drop stale pushes. */
  version: z.number().int().nonnegative(),
  producers: z.array(z.object({ id: Id, kind: z.enum(['audio', 'video']) })),
});
export type Programme = z.infer<typeof Programme>;

/** Per-hop and per-hall figures for the technician console. */
export const StreamStats = z.object({
  id: z.string(),
  kind: z.enum(['audio', 'video']),
  direction: z.enum(['in', 'out']),
  /** 'hall' = a browser consumer, 'pipe' = a node-to-node hop, 'source' = studio/ingest producer */
  hop: z.enum(['hall', 'pipe', 'source']),
  peer: z.string().optional(),
  bitrate: z.number(),
  packets: z.number(),
  packetsLost: z.number(),
  lossRate: z.number(),
  rtt: z.number().optional(),
  spatialLayer: z.number().optional(),
  temporalLayer: z.number().optional(),
  fps: z.number().optional(),
});
export const StatsRes = z.object({ nodeId: z.string(), at: z.number(), streams: z.array(StreamStats) });
export type StatsRes = z.infer<typeof StatsRes>;

/** Media node ⇄ media node (child connects to parent). Auth: handshake `auth.token` signed with NODE_SECRET. */
export const NodeEvents = {
  /** child→parent: I am node X serving these sites. Ack carries the parent's relay info. */
  register: 'node:register',
  /** parent→child / child→parent: a PipeTransport endpoint to connect to (ip, port, srtp). */
  pipeOffer: 'node:pipe:offer',
  /** parent→child: a producer is available on the pipe (consume it); child→parent for the floor. */
  producerAdded: 'node:producer:added',
  producerClosed: 'node:producer:closed',
  programme: 'node:programme',
  /** child→parent: floor producer going up; parent→child: take it back. */
  floorUp: 'node:floor:up',
  floorDown: 'node:floor:down',
} as const;

export const PipeEndpoint = z.object({
  ip: z.string(),
  port: z.number().int().min(1).max(65535),
  srtpParameters: z.looseObject({ cryptoSuite: z.string(), keyBase64: z.string() }).optional(),
});
export const NodeRegisterReq = z.object({
  nodeId: Id,
  sites: z.array(Id),
  /** The child's pipe transport endpoint for the parent to connect to. */
  pipe: PipeEndpoint,
});
