// The media signaling protocol between browsers / Node peers and a media node
// (socket.io namespace `/hall`), between media nodes (namespace `/node`), and
// the media node's small HTTP API. Browser-safe: zod only.
// mediasoup's own parameter objects are passed through as loose objects: the
// worker validates them; here we check shape and presence.
import { z } from 'zod';

export const HALL_NAMESPACE = '/hall';
export const NODE_NAMESPACE = '/node';

const Id = z.string().min(1).max(200);
const Loose = z.looseObject({});
const Kind = z.enum(['audio', 'video']);

/**
 * Browser ⇄ media node. Every client→server event takes (payload, ack) and acks
 * with `Ack<T>` from signaling/common.ts. Auth token (signaling/token.ts, signed
 * with TOKEN_SECRET) goes in the socket.io handshake `auth.token`; the token's
 * `conf` is the conference.
 */
export const HallEvents = {
  /** c→s: join a site's router. Must come first (except setFloor / stats). */
  join: 'media:join',
  /**
   * s→c `{ site }`: this node no longer serves the site (the operator moved it); the socket closes
   * next. The page asks the control service for the site's node and joins there.
   */
  siteMoved: 'media:site-moved',
  createTransport: 'media:transport:create',
  connectTransport: 'media:transport:connect',
  restartIce: 'media:transport:restart-ice',
  /** c→s: studio / contributor only. */
  produce: 'media:produce',
  closeProducer: 'media:producer:close',
  /** c→s: consume the current programme (video + audio) on a recv transport; closes the previous ones. */
  consumeProgramme: 'media:consume-programme',
  resumeConsumer: 'media:consumer:resume',
  setPreferredLayers: 'media:consumer:layers',
  /** c→s: organizer only — give the floor to a site, or take it back (site null). No join needed. */
  setFloor: 'media:floor:set',
  /** c→s: organizer or technician — this node's per-hop and per-hall figures (StatsRes). */
  stats: 'media:stats',
  /** s→c push: the programme changed (floor given/taken, source restarted); re-consume. */
  programme: 'media:programme',
  /** c→s, hall role, about every second: what the page really plays (HallPlayback in signaling/watching.ts). */
  playback: 'media:hall:playback',
  /**
   * s→c push (HallVideoState): the hall's link cannot carry even the lowest picture, so its video
   * is paused and only the sound flows (audioOnly), or the picture is back. The node tries the
   * video again by itself; the hall shows its title card with a small badge meanwhile.
   */
  videoState: 'media:hall:video',
} as const;

/**
 * hall: a commune/district/province hall watching (token viewer / participant / technician of that site);
 * studio: the root site's camera (token organizer, root node only);
 * contributor: a site's own camera for the floor (participant / technician of that site, or organizer);
 * console: the technician's console (technician of that site, or organizer).
 */
export const HallRole = z.enum(['hall', 'studio', 'contributor', 'console']);
export type HallRole = z.infer<typeof HallRole>;
/**
 * A contribution is one console's (or encoder's) media for the floor: the floor grant in control
 * names the contribution it is bound to, and only that one goes on air — never simply the newest
 * producer of the granted site.
 */
export const Contribution = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'contribution: lower-case letters, digits, dashes (an id as control names it)');
export const JoinReq = z.object({
  site: Id,
  role: HallRole,
  /** contributor only: the contribution id its producers carry (the console's id). */
  contribution: Contribution.optional(),
});

/** What every hall should be showing right now. */
export const Programme = z.object({
  conf: z.string(),
  /** Site whose media is the programme: the root's studio/ingest, or the site holding the floor. */
  source: z.string().nullable(),
  /** Site holding the floor ("tham luận"), null when the root has it. */
  floor: z.string().nullable(),
  /** The contribution the floor is bound to (null: none bound yet, the source stays on air). */
  contribution: z.string().nullable().optional(),
  /** Bumped on every change (monotonic per node) so clients can drop stale pushes. */
  version: z.number().int().nonnegative(),
  /** Producers to consume: at most one per kind. */
  producers: z.array(z.object({ id: Id, kind: Kind })),
});
export type Programme = z.infer<typeof Programme>;

export const JoinRes = z.object({
  nodeId: z.string(),
  site: z.string(),
  conf: z.string(),
  routerRtpCapabilities: Loose,
  programme: Programme,
});
export type JoinRes = z.infer<typeof JoinRes>;

export const CreateTransportReq = z.object({
  direction: z.enum(['send', 'recv']),
  /** Enables TCP-only (fallback when UDP is blocked); same port as UDP. */
  forceTcp: z.boolean().optional(),
});
/** A TURN server with short-lived credentials (media/turn.ts), for halls that cannot reach the node directly. */
export const IceServer = z.object({ urls: z.array(z.string().max(300)).min(1).max(8), username: z.string().max(200), credential: z.string().max(200) });
export type IceServer = z.infer<typeof IceServer>;

export const TransportInfo = z.object({
  id: Id,
  iceParameters: Loose,
  iceCandidates: z.array(Loose),
  dtlsParameters: Loose,
  /** TURN relays to try besides the node's own candidates (only 443 open, UDP blocked). */
  iceServers: z.array(IceServer).max(4).optional(),
});
export type TransportInfo = z.infer<typeof TransportInfo>;
export const ConnectTransportReq = z.object({ transportId: Id, dtlsParameters: Loose });
export const RestartIceReq = z.object({ transportId: Id });
export const RestartIceRes = z.object({ iceParameters: Loose });
export const ProduceReq = z.object({
  transportId: Id,
  kind: Kind,
  rtpParameters: Loose,
  appData: z.record(z.string(), z.unknown()).optional(),
});
export const ProduceRes = z.object({ id: Id });
export const CloseProducerReq = z.object({ producerId: Id });
export const ConsumeProgrammeReq = z.object({ transportId: Id, rtpCapabilities: Loose });
export const ConsumerInfo = z.object({
  id: Id,
  producerId: Id,
  kind: Kind,
  rtpParameters: Loose,
  /** 'simulcast' when the layer can be chosen with setPreferredLayers. */
  type: z.string(),
});
export type ConsumerInfo = z.infer<typeof ConsumerInfo>;
/** Consumers start paused: create them locally, then resumeConsumer each. */
export const ConsumeProgrammeRes = z.object({ programme: Programme, consumers: z.array(ConsumerInfo) });
export type ConsumeProgrammeRes = z.infer<typeof ConsumeProgrammeRes>;
export const ResumeConsumerReq = z.object({ consumerId: Id });
/** HallEvents.videoState: about one video consumer of this hall (media/audio-only.ts decides). */
export const HallVideoState = z.object({
  consumerId: Id,
  audioOnly: z.boolean(),
  /** Why: the hall's link is too thin for the lowest picture (the only reason for now). */
  reason: z.literal('weak-link'),
  /** When the node tries the video again (ms from now), while audioOnly. */
  retryInMs: z.number().int().nonnegative().max(3_600_000).optional(),
});
export type HallVideoState = z.infer<typeof HallVideoState>;
export const SetPreferredLayersReq = z.object({
  consumerId: Id,
  spatialLayer: z.number().int().min(0).max(2),
  temporalLayer: z.number().int().min(0).max(2).optional(),
});
/** Conference comes from the organizer's token. Ack data: the Programme after the change. */
export const SetFloorReq = z.object({ site: Id.nullable(), contribution: Contribution.nullable().optional() });
export const StatsReq = z.object({}).optional();

/** Per-hop and per-hall figures for the technician console. */
export const StreamStats = z.object({
  id: z.string(),
  conf: z.string(),
  /** Site of the router this stream lives in. */
  site: z.string(),
  kind: Kind,
  direction: z.enum(['in', 'out']),
  /** 'hall' = a browser consumer, 'pipe' = a node-to-node hop, 'source' = studio/ingest/contributor producer */
  hop: z.enum(['hall', 'pipe', 'source']),
  /** Peer node id (pipe) or socket id (hall). */
  peer: z.string().optional(),
  producerId: z.string(),
  /** bits per second */
  bitrate: z.number(),
  packets: z.number(),
  packetsLost: z.number(),
  /** 0..1 */
  lossRate: z.number(),
  /** milliseconds */
  rtt: z.number().optional(),
  spatialLayer: z.number().optional(),
  temporalLayer: z.number().optional(),
  fps: z.number().optional(),
  /** Hall streams: the hall reaches the node through a TURN relay (true) or directly (false), as the hall reports it. */
  relayed: z.boolean().optional(),
});
export type StreamStats = z.infer<typeof StreamStats>;
export const StatsRes = z.object({ nodeId: z.string(), at: z.number(), streams: z.array(StreamStats) });
export type StatsRes = z.infer<typeof StatsRes>;

/**
 * Media node HTTP API. Auth: `Authorization: Bearer <token>` (TOKEN_SECRET).
 * Errors answer `{ error: ErrorBody }` with `httpStatus[code]`.
 */
export const MediaRoutes = {
  /** GET, no auth: NodeHealth. */
  health: '/health',
  /** GET, organizer or technician: StatsRes. */
  stats: '/stats',
  /** POST IngestReq → IngestRes (organizer, or technician of the site). DELETE /ingest/:id stops it. */
  ingest: '/ingest',
  /** POST SetFloorReq → Programme (organizer). Same as the socket event. */
  floor: '/floor',
} as const;

export const IngestStreamReq = z.object({
  kind: Kind,
  /** Video only: the encoder's codec, forwarded as it is (no transcode). Default VP8; H.264 constrained baseline, packetization-mode 1. */
  codec: z.enum(['VP8', 'H264']).optional(),
  /** RTP payload type the sender will use. Default 101 (VP8) / 100 (Opus). */
  payloadType: z.number().int().min(96).max(127).optional(),
  /** SSRC the sender will use. Default: chosen by the node. */
  ssrc: z.number().int().min(1).max(0xffffffff).optional(),
  /** Explicit sender address instead of comedia (learn it from the first packet). */
  remote: z.object({ ip: z.string(), port: z.number().int().min(1).max(65535), rtcpPort: z.number().int().min(1).max(65535).optional() }).optional(),
});
export const IngestReq = z.object({
  site: Id,
  /** 'source' = the session itself (root site); 'contributor' = a site's media for the floor. Default by site. */
  tag: z.enum(['source', 'contributor']).optional(),
  /** contributor only: the contribution id a floor grant names to put this encoder on air. */
  contribution: Contribution.optional(),
  streams: z.array(IngestStreamReq).min(1).max(2).default([{ kind: 'video' }, { kind: 'audio' }])
    .refine((ss) => ss.every((s) => s.kind === 'video' || s.codec === undefined), { message: 'codec is for the video stream (audio is always Opus)' }),
});
export type IngestReq = z.input<typeof IngestReq>;
export const IngestStream = z.object({
  kind: Kind,
  producerId: z.string(),
  /** Where to send RTP and RTCP (rtcp-mux off: ffmpeg `rtp://ip:port?rtcpport=rtcpPort`). */
  ip: z.string(),
  port: z.number().int(),
  rtcpPort: z.number().int(),
  payloadType: z.number().int(),
  ssrc: z.number().int(),
  mimeType: z.string(),
  clockRate: z.number().int(),
  channels: z.number().int().optional(),
  /** Codec parameters the encoder must honour, e.g. Opus `useinbandfec: 1` (in-band FEC on). */
  parameters: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export const IngestRes = z.object({
  id: z.string(),
  site: z.string(),
  conf: z.string(),
  streams: z.array(IngestStream),
  /** contributor feeds: the contribution id a floor grant names to put this feed on air. */
  contribution: z.string().optional(),
});
export type IngestRes = z.infer<typeof IngestRes>;

/** Live mediasoup objects on a node (ports: pipe and plain transports; WebRTC shares the server port). */
export const NodeObjects = z.object({
  routers: z.number().int(),
  transports: z.number().int(),
  producers: z.number().int(),
  consumers: z.number().int(),
  portsInUse: z.number().int(),
});
export type NodeObjects = z.infer<typeof NodeObjects>;

export const NodeHealth = z.object({
  nodeId: z.string(),
  sites: z.array(z.string()),
  parent: z.object({
    url: z.string(),
    state: z.enum(['connecting', 'connected', 'refused', 'disconnected']),
    nodeId: z.string().optional(),
    /** Failed connection attempts since the link was last up (0 while connected). */
    failedAttempts: z.number().int().nonnegative(),
    /** The configured parent; differs from `url` while this node is attached to an ancestor instead (failover). */
    planned: z.string().optional(),
    /** Ancestors learned from the parent, nearest first: where this node goes if its parent dies. */
    fallbacks: z.array(z.string()).optional(),
    /**
     * The hop from the parent per relayed simulcast video: the share of its packets lost (0–1), its
     * bitrate, and the one layer it is capped at while too weak for all of them (null: every layer).
     */
    hops: z.array(z.object({ conf: z.string(), producerId: z.string(), layer: z.number().int().nullable(), loss: z.number(), kbps: z.number() })).optional(),
  }).nullable(),
  children: z.array(z.object({ nodeId: z.string(), sites: z.array(z.string()) })),
  conferences: z.array(z.object({ conf: z.string(), floor: z.string().nullable(), contribution: z.string().nullable(), producers: z.number() })),
  objects: NodeObjects,
  /** Conferences this node roots by the control service's word although it has a parent. */
  rootOf: z.array(z.string()),
  /** Conferences this node's subtree needs, as the control service said (null: never told, carries all). */
  carries: z.array(z.string()).nullable(),
  /** The link to the control service, when the node has one. */
  control: z.object({ url: z.string(), state: z.enum(['connecting', 'connected']) }).nullable(),
});
export type NodeHealth = z.infer<typeof NodeHealth>;

/**
 * Media node ⇄ media node (child connects to parent). Auth: handshake `auth.token`
 * signed with NODE_SECRET (role 'node'). Every event acks with `Ack<T>`.
 */
export const NodeEvents = {
  /** child→parent: I am node X serving these sites. Ack: NodeRegisterRes. */
  register: 'node:register',
  /** parent→child: the parent's PipeTransport for a conference; child connects and acks its own endpoint. */
  pipeOffer: 'node:pipe:offer',
  /** child→parent: please offer a pipe for this conference (floor media going up). */
  pipeRequest: 'node:pipe:request',
  /** either way: a producer is on the pipe (produce it with the same id). */
  producerAdded: 'node:producer:added',
  producerClosed: 'node:producer:closed',
  producerPaused: 'node:producer:paused',
  /** parent→child: floor state of a conference, flows down the tree. */
  programme: 'node:programme',
  /** child→parent: an organizer asked for the floor at a lower node; forwarded to the root. */
  floorSet: 'node:floor:set',
  /**
   * child→parent: the conferences this node's subtree needs (told by the control service). The
   * parent relays only those down this link; before the first one it relays every conference.
   */
  carries: 'node:carries',
  /** child→parent, every HEARTBEAT_MS: ack `{}`. Plain RTP pipes have no keepalive; this tells a dead parent from a quiet one. */
  ping: 'node:ping',
  /** child→parent, ack `{}`: a fresh node token (enrolled nodes: its subtree changed or the old one nears expiry). */
  token: 'node:token',
  /**
   * child→parent after register, ack `NodeIdentity`: the parent's own control-signed node token, so
   * an enrolled child knows its parent is an enrolled node of this deployment and the one it says.
   */
  identify: 'node:identify',
} as const;
export const NodeTokenReq = z.strictObject({ token: z.string().min(1).max(2_000_000) });
export const NodeIdentifyReq = z.strictObject({});
export const NodeIdentity = z.object({ nodeId: Id, token: z.string().min(1).max(2_000_000) });

/** The node channel heartbeat: a ping every HEARTBEAT_MS; no answer within HEARTBEAT_TIMEOUT_MS = the parent is dead. */
export const HEARTBEAT_MS = 500;
export const HEARTBEAT_TIMEOUT_MS = 1500;

export const PipeEndpoint = z.object({
  ip: z.string(),
  port: z.number().int().min(1).max(65535),
  srtpParameters: z.looseObject({ cryptoSuite: z.string(), keyBase64: z.string() }).optional(),
});
export const NodeRegisterReq = z.object({ nodeId: Id, sites: z.array(Id) });
export const NodePing = z.strictObject({});
/** A node of the tree above: where a child goes when the nodes between are dead. */
export const NodeRef = z.object({ nodeId: Id, url: z.string().url() });
export type NodeRef = z.infer<typeof NodeRef>;
export const NodeRegisterRes = z.object({
  nodeId: z.string(),
  /** The parent's own ancestors, nearest first (empty at the root; absent from older nodes). */
  ancestors: z.array(NodeRef).max(16).optional(),
});
export const NodeFloorState = z.object({ conf: Id, floor: Id.nullable(), contribution: Contribution.nullable().default(null) });
export const PipeOfferReq = z.object({ conf: Id, endpoint: PipeEndpoint, floor: Id.nullable(), contribution: Contribution.nullable().default(null) });
export const PipeOfferRes = z.object({ endpoint: PipeEndpoint });
export const PipeRequestReq = z.object({ conf: Id });
export const NodeProducerAdded = z.object({
  conf: Id,
  producerId: Id,
  kind: Kind,
  rtpParameters: Loose,
  paused: z.boolean(),
  site: Id,
  tag: z.enum(['source', 'contributor']),
  contribution: Contribution.nullable().default(null),
});
export const NodeProducerRef = z.object({ conf: Id, producerId: Id });
export const NodeProducerPaused = z.object({ conf: Id, producerId: Id, paused: z.boolean() });
/**
 * A floor set at a node that does not root the conference travels up with the organizer's own token:
 * the root checks it itself, so a node (any holder of the node secret) cannot switch the floor.
 */
export const NodeFloorSetReq = z.object({ conf: Id, site: Id.nullable(), contribution: Contribution.nullable().default(null), token: z.string().min(1).max(4000) });
export const NodeCarriesReq = z.object({ confs: z.array(Id).max(10_000) });
