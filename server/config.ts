// Options of one control service instance. Everything a test needs to make
// fast (retries, timeouts, intervals) is here.
import type { KeyringFile } from '../signaling/token.js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ControlOptions {
  /** TCP port; 0 = any free port. Default 7100. */
  port?: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  redisUrl?: string;
  /**
   * Redis behind Sentinel (a primary, its replicas, three or more sentinels): every connection asks
   * the sentinels for the current primary and follows a failover. Set, it replaces redisUrl's host
   * and port (its password and db still apply). Env REDIS_SENTINELS (host:port,…), REDIS_SENTINEL_NAME.
   */
  redisSentinel?: { sentinels: { host: string; port: number }[]; name: string };
  /**
   * Replicas a site's write must reach (Redis WAIT) before it is acknowledged; 0 = the primary only.
   * With Sentinel set 1, so a failover loses no acknowledged write. Env REDIS_WAIT_REPLICAS. Default 0.
   */
  redisWaitReplicas?: number;
  /** Longest wait for those replicas (ms); past it the write is refused as unavailable. Default 1000. */
  redisWaitTimeoutMs?: number;
  /** Prefix of every Redis key, queue and adapter channel. Default `dc:`. */
  redisPrefix?: string;
  tokenSecret: string;
  /**
   * Ed25519 keys for people's tokens (signaling/token.ts): the private key signs here, and only
   * here; media nodes get the public keys. Without it, `tokenSecret` signs (HMAC, tests).
   */
  tokenKeys?: KeyringFile;
  /** The media nodes' shared secret: their tokens on the control ↔ media channel. Default: the token key. */
  nodeSecret?: string;
  /** Bearer credential for /metrics; unset = /metrics answers the host itself (loopback) only. */
  metricsToken?: string;
  /** Serve HTTPS (and wss) with this certificate and key (PEM); unset = plain HTTP (behind a TLS proxy, or tests). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Material store directory. Default `.cache/data` under the repo root. */
  dataDir?: string;
  /** Static web apps. Default `dist/client` under the repo root (served only if it exists). */
  staticDir?: string;
  /** Load the built-in demo conference if it is absent. */
  demo?: boolean;
  logLevel?: string;
  /** media node id → public URL, shown in site info. */
  mediaNodes?: Record<string, string>;
  /**
   * Other origins the apps may send their tokens to (besides this service and the media nodes
   * above), e.g. a media node's public name behind a proxy. Env PUBLIC_ORIGINS, comma-separated.
   */
  publicOrigins?: string[];
  /** Roll-up push coalescing interval (ms). Default 50 (≤ 20 pushes a second per subscriber). */
  pushIntervalMs?: number;
  /**
   * Material delivery: tries, base backoff, how long to wait for a receipt per try, concurrency.
   * A job of a killed instance is taken over once its lock (lockMs, renewed every lockMs/2
   * while the instance lives) has expired and the stalled check (every stalledIntervalMs)
   * has seen it twice: within lockMs + 2 × stalledIntervalMs. Defaults 10 s and 5 s (bullmq's: 30 s and 30 s).
   */
  delivery?: { attempts?: number; backoffMs?: number; receiptTimeoutMs?: number; concurrency?: number; lockMs?: number; stalledIntervalMs?: number };
  /** Report reminder fires this long before the deadline. Default 24 h. */
  reminderLeadMs?: number;
  /** Upload limits. */
  maxUploadBytes?: number;
  /** Recording segments are refused (and the recording's alarm raised) below this free space on the data dir's disk. Default 2 GiB. */
  recordingMinFreeBytes?: number;
  allowedTypes?: string[];
  /** Presence: instance heartbeat TTL (ms); dead instances' connections are swept after it. */
  heartbeatTtlMs?: number;
  /**
   * How long a socket's answer to the service's ping may take (ms) before the service drops it. A link
   * that dies without closing is noticed within 10 s plus this. It must outlast the longest backlog an
   * overloaded instance builds: a pong waits behind the writes read before it, and dropping a busy
   * instance's sockets only brings their reconnects on top of the load. Default 20 s.
   */
  pingTimeoutMs?: number;
  /** Operator and organizer accounts (store/accounts.ts, http/account-routes.ts). */
  accounts?: AccountOptions;
}

export interface AccountOptions {
  /** Lifetime of a sign-in session. Default 12 h. */
  sessionTtlMs?: number;
  /** Lifetime of a one-time sign-in link. Default 72 h. */
  setupTtlMs?: number;
  /** Lifetime of the organizer token an account opens a conference with. Default 12 h. */
  organizerTokenTtlMs?: number;
  /** Wrong passwords allowed per username within userWindowMs (default 5 per 15 min), then refused until the window ends. */
  failsPerUser?: number;
  userWindowMs?: number;
  /** Failed sign-ins allowed per client address within ipWindowMs (default 50 per hour). */
  failsPerIp?: number;
  ipWindowMs?: number;
}

export const DEFAULT_TYPES = [
  'application/pdf', 'text/plain', 'text/markdown', 'text/csv', 'application/json',
  'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'image/png', 'image/jpeg', 'video/mp4', 'video/webm', 'audio/mpeg', 'application/zip', 'application/octet-stream',
];

export type ResolvedOptions = Required<Omit<ControlOptions, 'delivery' | 'accounts' | 'metricsToken' | 'tokenKeys' | 'nodeSecret' | 'tls' | 'redisSentinel'>> & {
  redisSentinel?: ControlOptions['redisSentinel'];
  metricsToken?: string;
  tls?: ControlOptions['tls'];
  tokenKeys?: KeyringFile;
  nodeSecret?: string;
  delivery: Required<NonNullable<ControlOptions['delivery']>>;
  accounts: Required<AccountOptions>;
};

export function resolveOptions(o: ControlOptions): ResolvedOptions {
  return {
    port: o.port ?? 7100,
    host: o.host ?? '127.0.0.1',
    redisUrl: o.redisUrl ?? 'redis://127.0.0.1:6379',
    redisPrefix: o.redisPrefix ?? 'dc:',
    ...(o.redisSentinel ? { redisSentinel: o.redisSentinel } : {}),
    redisWaitReplicas: o.redisWaitReplicas ?? 0,
    redisWaitTimeoutMs: o.redisWaitTimeoutMs ?? 1000,
    tokenSecret: o.tokenSecret,
    ...(o.metricsToken ? { metricsToken: o.metricsToken } : {}),
    ...(o.tls ? { tls: o.tls } : {}),
    ...(o.tokenKeys ? { tokenKeys: o.tokenKeys } : {}),
    ...(o.nodeSecret ? { nodeSecret: o.nodeSecret } : {}),
    dataDir: resolve(REPO_ROOT, o.dataDir ?? '.cache/data'),
    staticDir: resolve(REPO_ROOT, o.staticDir ?? 'dist/client'),
    demo: o.demo ?? false,
    logLevel: o.logLevel ?? 'info',
    mediaNodes: o.mediaNodes ?? {},
    publicOrigins: o.publicOrigins ?? [],
    pushIntervalMs: o.pushIntervalMs ?? 50,
    delivery: {
      attempts: o.delivery?.attempts ?? 5,
      backoffMs: o.delivery?.backoffMs ?? 5_000,
      receiptTimeoutMs: o.delivery?.receiptTimeoutMs ?? 120_000,
      concurrency: o.delivery?.concurrency ?? 1000,
      lockMs: o.delivery?.lockMs ?? 10_000,
      stalledIntervalMs: o.delivery?.stalledIntervalMs ?? 5_000,
    },
    reminderLeadMs: o.reminderLeadMs ?? 24 * 3600_000,
    maxUploadBytes: o.maxUploadBytes ?? 200 * 1024 * 1024,
    recordingMinFreeBytes: o.recordingMinFreeBytes ?? 2 * 1024 ** 3,
    allowedTypes: o.allowedTypes ?? DEFAULT_TYPES,
    heartbeatTtlMs: o.heartbeatTtlMs ?? 15_000,
    pingTimeoutMs: o.pingTimeoutMs ?? 20_000,
    accounts: {
      sessionTtlMs: o.accounts?.sessionTtlMs ?? 12 * 3600_000,
      setupTtlMs: o.accounts?.setupTtlMs ?? 72 * 3600_000,
      organizerTokenTtlMs: o.accounts?.organizerTokenTtlMs ?? 12 * 3600_000,
      failsPerUser: o.accounts?.failsPerUser ?? 5,
      userWindowMs: o.accounts?.userWindowMs ?? 15 * 60_000,
      failsPerIp: o.accounts?.failsPerIp ?? 50,
      ipWindowMs: o.accounts?.ipWindowMs ?? 3600_000,
    },
  };
}
