// startControl(): one control service instance (HTTP + socket.io + workers).
import { answerClientErrors } from '../signaling/common.js';
import { MEDIA_LINK_NAMESPACE } from '../signaling/control-media.js';
import { MediaLink } from './media-link.js';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DEPLOYMENT_PATH, originsOf, securityHeaders, type DeploymentInfo } from '../signaling/headers.js';
import { WriteLimits } from './limits.js';
import { loadKeyring } from '../signaling/token.js';
import express from 'express';
import { Server } from 'socket.io';
import { CONTROL_NAMESPACE } from '../signaling/control.js';
import { BlobStore } from './blobstore.js';
import { Bus } from './bus.js';
import { newRedis, ReplicaWait } from './redis-connection.js';
import { TreeCache } from './store/cache.js';
import { resolveOptions, type ControlOptions } from './config.js';
import type { Ctx } from './context.js';
import { DeliveryService } from './delivery.js';
import { accountRouter } from './http/account-routes.js';
import { controlRouter } from './http/routes.js';
import { mediaNodeRouter } from './http/media-node-routes.js';
import { nodeRouter } from './http/node-routes.js';
import { shortLinkRouter } from './http/short-links.js';
import { makeKeys } from './keys.js';
import { makeLogger } from './log.js';
import { makeMetrics } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { deliverRollupPush, Pusher } from './push.js';
import { ReceiptWaiter } from './receipts.js';
import { ReminderService } from './reminder.js';
import { defineScripts } from './scripts.js';
import { bindControlNamespace } from './socket.js';
import { dropInstance, startHeartbeat } from './store/presence.js';

export type { ControlOptions } from './config.js';

export interface ControlHandle {
  url: string;
  port: number;
  instanceId: string;
  /** Stops accepting, sweeps this instance's presence, closes workers, sockets, Redis. Idempotent. */
  close(): Promise<void>;
}

export async function startControl(options: ControlOptions): Promise<ControlHandle> {
  if (!options.tokenSecret) throw new Error('tokenSecret is required');
  const opts = resolveOptions(options);
  const instanceId = `ctl-${randomBytes(5).toString('hex')}`;
  const log = makeLogger(opts.logLevel, { inst: instanceId });
  // a command fails after two reconnection attempts instead of ~70 s of silence: while Redis is down
  // writes are refused with UNAVAILABLE (never acknowledged and lost) and everything resumes by itself
  // auto-pipelining: the commands of one loop turn leave in one write (a burst of site writes is
  // thousands of rate-limit checks and reads; one syscall each was the cost). Duplicates for
  // pub/sub and bullmq turn it off: they keep their own ordering rules.
  const redis = newRedis(opts, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  redis.on('error', (e) => log.warn({ err: e }, 'redis error'));
  await redis.connect();
  const keys = makeKeys(opts.redisPrefix);
  const metrics = makeMetrics();
  const tokenKey = opts.tokenKeys ? loadKeyring(opts.tokenKeys) : opts.tokenSecret;
  const ctx = { opts, tokenKey, redis, keys, scripts: defineScripts(redis), log, metrics, instanceId } as Ctx;
  ctx.limits = new WriteLimits(ctx);
  ctx.replicas = new ReplicaWait(redis, opts.redisWaitReplicas, opts.redisWaitTimeoutMs);
  ctx.pusher = new Pusher(ctx, opts.pushIntervalMs);
  ctx.cache = new TreeCache();
  ctx.bus = new Bus(ctx);
  await ctx.bus.on(keys.treeChannel, (conf) => {
    ctx.cache.drop(conf);
    ctx.mediaLink?.treeChanged(conf);
  });
  await ctx.bus.on(keys.rollupPushChannel, (msg) => deliverRollupPush(ctx, msg));
  ctx.receipts = new ReceiptWaiter(ctx, ctx.bus);
  await ctx.receipts.init();
  ctx.delivery = new DeliveryService(ctx);
  ctx.reminder = new ReminderService(ctx);
  const blobs = new BlobStore(opts.dataDir);
  await blobs.init();
  ctx.blobs = blobs;

  metrics.hooks.queues = async (g) => {
    for (const [name, q] of [['delivery', ctx.delivery!.queue], ['reminder', ctx.reminder!.queue]] as const) {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => ({} as Record<string, number>));
      for (const [state, n] of Object.entries(c)) g.set({ queue: name, state }, n);
    }
  };

  metrics.hooks.sites = async (g) => {
    for (const conf of await redis.smembers(keys.confs)) {
      const c = JSON.parse((await redis.get(keys.conf(conf))) ?? 'null') as { rootSite: string } | null;
      if (!c) continue;
      const h = await redis.hgetall(keys.ru(conf, c.rootSite));
      g.set({ conf, state: 'total' }, Number(h._sites ?? 0));
      g.set({ conf, state: 'online' }, Number(h._online ?? 0));
      g.set({ conf, state: 'reported' }, Number(h._rep ?? 0));
    }
  };

  if (opts.demo) {
    const { loadDemo } = await import('./demo/load.js');
    await loadDemo(ctx, blobs);
  }

  const app = express();
  app.disable('x-powered-by');
  // pages may talk to this service, the media nodes and the configured public origins, nowhere else
  const deployment: DeploymentInfo = { origins: originsOf([...Object.values(opts.mediaNodes), ...opts.publicOrigins]) };
  app.use(securityHeaders({ connectOrigins: () => deployment.origins }));
  // enrolled media nodes are in no config: where they listen comes from their reports
  const refreshNodeUrls = async () => {
    const reported = await redis.hgetall(keys.mediaUrls).catch(() => null);
    if (!reported) return;
    ctx.nodeUrls = new Map(Object.entries(reported));
    deployment.origins = originsOf([...Object.values(opts.mediaNodes), ...Object.values(reported), ...opts.publicOrigins]);
  };
  await refreshNodeUrls();
  const nodeUrlTimer = setInterval(() => void refreshNodeUrls(), 3000);
  nodeUrlTimer.unref();
  app.get(DEPLOYMENT_PATH, (_req, res) => { res.json(deployment); });
  app.get('/healthz', async (_req, res) => {
    try {
      await redis.ping();
      res.json({ ok: true, data: { instance: instanceId, redis: 'up' } });
    } catch {
      res.status(503).json({ ok: false, error: { code: 'UNAVAILABLE', message: 'redis down' } });
    }
  });
  // Hall pages served by a media node call the API from another origin. Auth
  // is a bearer token, never a cookie, so letting any origin ask is safe.
  app.use('/api', (req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-None-Match, If-Range, Range');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Content-Range, Content-Length, Content-Disposition');
    if (req.method === 'OPTIONS') { res.sendStatus(204); return; }
    next();
  });
  const openapi = buildOpenApi();
  app.get('/openapi.json', (_req, res) => { res.json(openapi); });
  app.get('/metrics', async (req, res) => {
    // the figures name conferences and load: a bearer credential (METRICS_TOKEN), or the host itself
    const want = opts.metricsToken;
    const given = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : '';
    const local = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');
    if (want ? !safeEqual(given, want) : !local) {
      res.status(401).json({ ok: false, error: { code: 'UNAUTHORIZED', message: 'Cần mã truy cập số liệu (METRICS_TOKEN). / A metrics credential is required.' } });
      return;
    }
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.use(accountRouter(ctx)); // before controlRouter, whose /api fallback answers NOT_FOUND
  app.use(mediaNodeRouter(ctx)); // operators add and revoke media nodes; nodes enrol

  app.use(nodeRouter(ctx)); // the media nodes' routes (segment upload), node tokens only
  app.use(controlRouter(ctx, blobs));
  app.use(shortLinkRouter(ctx)); // /l/<code>: the invitation sheet's short links
  if (existsSync(opts.staticDir)) app.use(express.static(opts.staticDir, { index: 'index.html' }));
  app.get('/', (_req, res) => {
    res.type('text/plain; charset=utf-8').send('Điểm Cầu — dịch vụ điều hành / control service\n/openapi.json  /metrics  /healthz\n');
  });

  const http = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, app) : createServer(app);
  answerClientErrors(http);
  const io = new Server(http, { cors: { origin: true }, serveClient: false, pingInterval: 10_000, pingTimeout: opts.pingTimeoutMs });
  // the adapter publishes without waiting for an answer: its commands wait for Redis to come back
  // rather than reject into nobody's hands (an unhandled rejection would stop the service)
  const pub = redis.duplicate({ maxRetriesPerRequest: null, enableAutoPipelining: false });
  const sub = redis.duplicate({ enableAutoPipelining: false });
  io.adapter(createAdapter(pub, sub, { key: `${opts.redisPrefix}io` }));
  const nsp = io.of(CONTROL_NAMESPACE);
  ctx.nsp = nsp;
  bindControlNamespace(ctx, nsp);
  ctx.mediaLink = new MediaLink(ctx, io.of(MEDIA_LINK_NAMESPACE));
  const stopHeartbeat = startHeartbeat(ctx);

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      ctx.delivery!.beginClose();
      clearInterval(nodeUrlTimer);
      stopHeartbeat();
      ctx.mediaLink?.close();
      for (const s of await nsp.local.fetchSockets()) s.data.closing = true;
      await new Promise<void>((r) => io.close(() => r())).catch(() => undefined);
      await dropInstance(ctx, instanceId).catch(() => undefined);
      await redis.multi().del(keys.heartbeat(instanceId)).srem(keys.insts, instanceId).exec().catch(() => undefined);
      await ctx.receipts!.close();
      await ctx.delivery!.close();
      await ctx.pusher.close();
      await ctx.reminder!.close();
      await ctx.bus.close();
      for (const c of [pub, sub, redis]) await c.quit().catch(() => c.disconnect());
      log.info('control closed');
      log.flush?.();
    })());

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port, opts.host, () => resolve());
    });
  } catch (err) {
    await close();
    throw err;
  }
  const port = (http.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${opts.host}:${port}`;
  log.info({ url }, 'control listening');
  return { url, port, instanceId, close };
}

/** Constant-time comparison of two secrets of any length. */
function safeEqual(a: string, b: string): boolean {
  const h = (x: string) => createHash('sha256').update(x).digest();
  return timingSafeEqual(h(a), h(b));
}
