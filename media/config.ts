// Media node configuration: a JSON file, overridable by environment and flags.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const NodeConfig = z.object({
  /** Node id, unique in the cascade (e.g. 'centre', 'langson', 'd-trangdinh'). */
  nodeId: z.string().min(1),
  /**
   * Sites this node hosts; the first is its home site (its hub router lives there). An enrolled
   * node gets them from the control service (and may have none yet).
   */
  sites: z.array(z.string().min(1)).default([]),
  /** Parent media node URL (http://host:port); null/absent for a root node. */
  parent: z.string().url().nullable().optional(),
  /** HTTP + socket.io listen port; 0 = a free one. */
  listenPort: z.number().int().min(0).max(65535).default(0),
  /** Address HTTP and RTC sockets bind to. */
  listenIp: z.string().default('127.0.0.1'),
  /** Address announced in ICE candidates and pipe endpoints. */
  announcedIp: z.string().default('127.0.0.1'),
  /**
   * WebRtcServer port per worker (UDP, TCP fallback on the same port). A single number is the
   * first worker's port, the next workers take the following ports. 0 = free ports.
   */
  rtcPort: z.union([z.number().int().min(0).max(65535), z.array(z.number().int().min(1).max(65535))]).default(0),
  /** Port range for node-to-node PipeTransports and ingest PlainTransports. */
  pipePorts: z.object({ min: z.number().int().min(1024), max: z.number().int().max(65535) }).optional(),
  /** UDP ports for RTP ingests (encoders), apart from the pipes so a busy ingest can never starve the cascade. */
  ingestPorts: z.object({ min: z.number().int().min(1024), max: z.number().int().max(65535) }).optional(),
  /** Number of mediasoup workers; default one per core. */
  workers: z.number().int().min(1).optional(),
  /**
   * The control host's public keys (kid → PEM) verifying people's tokens: a node then holds no key
   * that can sign one (signaling/token.ts). Takes precedence over tokenSecret.
   */
  tokenPublicKeys: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), z.string()).optional(),
  /** Shared secret verifying people's tokens (HMAC; tests and single-host setups). */
  tokenSecret: z.string().min(16).optional(),
  /**
   * Secret shared by the nodes of the cascade (nodes started from a config). Without it, a node with
   * a controlUrl enrols itself (media/enrol.ts): its own credential, keys, parent and sites come
   * from the control service.
   */
  nodeSecret: z.string().min(8).optional(),
  /** One-time enrolment code from the operator (env ENROL_CODE, flag --enrol-code). */
  enrolCode: z.string().min(1).max(200).optional(),
  /** Where an enrolled node keeps its credential (env MEDIA_DATA_DIR, flag --data-dir); default .cache/media-node/<nodeId>. */
  dataDir: z.string().min(1).optional(),
  /** Directory served statically (relative to the repo root); default dist/client. */
  staticDir: z.string().optional(),
  /**
   * Backoff of node-to-node retries (parent connection, relay hops): they never give up, the
   * delay doubles from minMs up to maxMs (±30 % jitter) and starts over after a success.
   */
  retry: z.object({ minMs: z.number().int().min(50).default(500), maxMs: z.number().int().min(100).default(15_000) }).optional(),
  /**
   * After failing over to an ancestor, how long the planned parent must stay healthy before this
   * node goes back to it (ms); 0 = stay on the ancestor. Default 10 000.
   */
  returnAfterMs: z.number().int().min(0).max(3_600_000).optional(),
  /**
   * Serve HTTPS and wss (hall pages, child nodes) with this certificate and key (PEM files). The
   * nodes and the control service this node calls must then be trusted too (NODE_EXTRA_CA_CERTS
   * for a private CA). Env TLS_CERT_FILE, TLS_KEY_FILE.
   */
  tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  /**
   * Accept only short-lived media tokens from pages (exchanged at the control service, which checks
   * revocation then), never the invitations themselves. Env REQUIRE_MEDIA_TOKENS=1.
   */
  requireMediaTokens: z.boolean().default(false),
  /**
   * TURN relays for halls behind firewalls (coturn with use-auth-secret): handed to halls with
   * short-lived credentials. Env TURN_URLS (comma-separated), TURN_SECRET, TURN_TTL_S.
   */
  turn: z.object({ urls: z.array(z.string().min(1)).min(1).max(8), secret: z.string().min(16), ttlSeconds: z.number().int().min(60).max(86_400).default(3600) }).optional(),
  /** Control service URL (http://host:port): the node reports to it and takes the floor from it. */
  controlUrl: z.string().url().optional(),
  /**
   * Other origins pages served here may send their tokens to, besides this node and controlUrl
   * (e.g. the control service's public name when controlUrl is an internal address). Env PUBLIC_ORIGINS.
   */
  publicOrigins: z.array(z.string().url()).max(100).optional(),
  /** Worker log level. */
  logLevel: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  /**
   * Recording (conferences this node roots, when control says so): the folder of segments waiting
   * for upload (default .cache/recordings/<nodeId> under the working directory; env RECORD_DIR),
   * the free space below which recording stops with an alarm (env RECORD_MIN_FREE_MB), the target
   * segment length (env RECORD_SEGMENT_S) and whether uploaded segments stay here (env RECORD_KEEP=1).
   */
  recordDir: z.string().min(1).optional(),
  recordMinFreeMb: z.number().min(0).default(1024),
  recordSegmentSeconds: z.number().min(2).max(600).default(10),
  recordKeepUploaded: z.boolean().default(false),
}).refine((c) => isEnrolled(c) || !!c.tokenPublicKeys || !!c.tokenSecret, { message: 'tokenPublicKeys (or tokenSecret) is required to check people\'s tokens', path: ['tokenPublicKeys'] })
  .refine((c) => isEnrolled(c) || c.sites.length > 0, { message: 'sites: at least one (or enrol with the control service: CONTROL_URL and ENROL_CODE)', path: ['sites'] });
export type NodeConfig = z.infer<typeof NodeConfig>;

/** No node secret but a control service: the node enrols (or uses the credential it enrolled with). */
export function isEnrolled(c: { nodeSecret?: string | undefined; controlUrl?: string | undefined }): boolean {
  return !c.nodeSecret && !!c.controlUrl;
}
export type NodeConfigInput = z.input<typeof NodeConfig>;

/**
 * Reads `--config <file.json>`, then applies env (MEDIA_NODE_ID, MEDIA_SITES (comma list),
 * MEDIA_PARENT, CONTROL_URL, ENROL_CODE, MEDIA_DATA_DIR, MEDIA_PORT, MEDIA_RTC_PORT, ANNOUNCED_IP, TOKEN_SECRET, NODE_SECRET, MEDIA_WORKERS)
 * and flags (--node-id, --sites, --parent, --control, --port, --rtc-port, --announced-ip, --workers).
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): NodeConfig {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else flags.set(a.slice(2), argv[++i] ?? '');
    }
  }
  const file = flags.get('config') ?? env.MEDIA_CONFIG;
  const raw: Record<string, unknown> = file ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const pick = (flag: string, envName: string) => flags.get(flag) ?? env[envName];
  const str = (k: string, flag: string, envName: string) => {
    const v = pick(flag, envName);
    if (v !== undefined && v !== '') raw[k] = v;
  };
  const num = (k: string, flag: string, envName: string) => {
    const v = pick(flag, envName);
    if (v !== undefined && v !== '') raw[k] = Number(v);
  };
  str('nodeId', 'node-id', 'MEDIA_NODE_ID');
  const sites = pick('sites', 'MEDIA_SITES');
  if (sites) raw.sites = sites.split(',').map((s) => s.trim()).filter(Boolean);
  str('parent', 'parent', 'MEDIA_PARENT');
  str('controlUrl', 'control', 'CONTROL_URL');
  num('listenPort', 'port', 'MEDIA_PORT');
  num('rtcPort', 'rtc-port', 'MEDIA_RTC_PORT');
  str('announcedIp', 'announced-ip', 'ANNOUNCED_IP');
  num('workers', 'workers', 'MEDIA_WORKERS');
  const turnUrls = pick('turn-urls', 'TURN_URLS');
  const turnSecret = pick('turn-secret', 'TURN_SECRET');
  if (turnUrls && turnSecret) raw.turn = { urls: turnUrls.split(',').map((s) => s.trim()).filter(Boolean), secret: turnSecret, ...(pick('turn-ttl', 'TURN_TTL_S') ? { ttlSeconds: Number(pick('turn-ttl', 'TURN_TTL_S')) } : {}) };
  const media = pick('require-media-tokens', 'REQUIRE_MEDIA_TOKENS');
  if (media !== undefined && media !== '') raw.requireMediaTokens = media === '1' || media === 'true';
  const certFile = pick('tls-cert', 'TLS_CERT_FILE');
  const keyFile = pick('tls-key', 'TLS_KEY_FILE');
  if (certFile && keyFile) raw.tls = { certFile, keyFile };
  const origins = pick('public-origins', 'PUBLIC_ORIGINS');
  if (origins) raw.publicOrigins = origins.split(',').map((s) => s.trim()).filter(Boolean);
  if (raw.tokenSecret === undefined && env.TOKEN_SECRET) raw.tokenSecret = env.TOKEN_SECRET;
  // TOKEN_PUBLIC_KEYS_FILE: the control host's public keys (JSON: { publicKeys: { kid: PEM } })
  if (raw.tokenPublicKeys === undefined && env.TOKEN_PUBLIC_KEYS_FILE) raw.tokenPublicKeys = (JSON.parse(readFileSync(env.TOKEN_PUBLIC_KEYS_FILE, 'utf8')) as { publicKeys: unknown }).publicKeys;
  if (raw.nodeSecret === undefined && env.NODE_SECRET) raw.nodeSecret = env.NODE_SECRET;
  str('enrolCode', 'enrol-code', 'ENROL_CODE');
  str('dataDir', 'data-dir', 'MEDIA_DATA_DIR');
  str('recordDir', 'record-dir', 'RECORD_DIR');
  num('recordMinFreeMb', 'record-min-free-mb', 'RECORD_MIN_FREE_MB');
  num('recordSegmentSeconds', 'record-segment-s', 'RECORD_SEGMENT_S');
  const keep = pick('record-keep', 'RECORD_KEEP');
  if (keep !== undefined && keep !== '') raw.recordKeepUploaded = keep === '1' || keep === 'true';
  return NodeConfig.parse(raw);
}
