// What every part of one service instance shares. Built by app.ts; the socket
// namespace and queues are attached once they exist.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import type { ResolvedOptions } from './config.js';
import type { TokenKey } from '../signaling/token.js';
import type { Keys } from './keys.js';
import type { Scripts } from './scripts.js';
import type { Metrics } from './metrics.js';
import type { Pusher } from './push.js';
import type { DeliveryService } from './delivery.js';
import type { ReminderService } from './reminder.js';
import type { ReceiptWaiter } from './receipts.js';
import type { Bus } from './bus.js';
import type { TreeCache } from './store/cache.js';
import type { MediaLink } from './media-link.js';
import type { WriteLimits } from './limits.js';
import type { ReplicaWait } from './redis-connection.js';
import type { BlobStore } from './blobstore.js';

export interface Ctx {
  opts: ResolvedOptions;
  /** Signs and checks people's tokens: the Ed25519 keyring when configured, else the shared secret. */
  tokenKey: TokenKey;
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  log: Logger;
  metrics: Metrics;
  instanceId: string;
  pusher: Pusher;
  bus: Bus;
  /** Sites and groups per conference, dropped on every change (all instances). */
  cache: TreeCache;
  /** Set once socket.io is up. */
  nsp?: Namespace;
  delivery?: DeliveryService;
  reminder?: ReminderService;
  receipts?: ReceiptWaiter;
  /** The channel to the media nodes (floor and conference life). */
  mediaLink?: MediaLink;
  /** Material files (set by app.ts): receipts read a slice to check their proof. */
  blobs?: BlobStore;
  /** Media node id → the URL it reported (enrolled nodes are in no config), refreshed by app.ts. */
  nodeUrls?: Map<string, string>;
  /** Write rate limits per link (server/limits.ts). */
  limits?: WriteLimits;
  /** Waits for replicas before a site's write is acknowledged (server/redis-connection.ts). */
  replicas?: ReplicaWait;
}

/** Rooms of the control namespace. */
export const rooms = {
  conf: (c: string) => `conf:${c}`,
  /** organizers and conference-wide viewers */
  org: (c: string) => `org:${c}`,
  site: (c: string, s: string) => `site:${c}:${s}`,
  /** the site's pages that show its figures (console, check-in): a hall screen shows none */
  siteCounts: (c: string, s: string) => `counts:${c}:${s}`,
  jti: (j: string) => `jti:${j}`,
};
