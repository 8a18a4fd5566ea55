// A media node: worker pool, cascade, `/hall` and `/node` namespaces, HTTP API.
import { AppError, answerClientErrors } from '../signaling/common.js';
import { assertOrganizer, verifyLive } from './auth.js';
import { loadKeyring, verifyToken, type TokenKey } from '../signaling/token.js';
import { connectControl, type ControlLink } from './control-link.js';
import { census, watchMediasoup } from './census.js';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { Server } from 'socket.io';
import { HALL_NAMESPACE, HallEvents, NODE_NAMESPACE, type NodeHealth } from '../signaling/media.js';
import type { SitesCommand } from '../signaling/control-media.js';
import type { Enrolment } from './enrol.js';
import { LoadMeter } from './load.js';
import { Cascade } from './cascade.js';
import { Recorders } from './recorders.js';
import { NodeConfig, type NodeConfigInput } from './config.js';
import { attachHall } from './hall.js';
import { Watchers } from './watchers.js';
import { Revocations } from './revocations.js';
import { createHttp } from './http.js';
import { originsOf } from '../signaling/headers.js';
import { attachNodeNamespace } from './node-channel.js';
import { connectParent, type ParentConnection } from './parent-link.js';
import { StatsRegistry } from './stats.js';
import { WorkerPool } from './workers.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export type StartMediaNodeOptions = NodeConfigInput & {
  /** Logger; default pino on stderr at info. */
  log?: Logger;
  /** Called if a mediasoup worker dies (default: log; main.ts exits). */
  onFatal?: (err: Error) => void;
  /** An enrolled node (media/enrol.ts): its keys and node tokens come from the control service. */
  enrolment?: Enrolment;
};

export type MediaNode = {
  nodeId: string;
  /** http(s)://announcedIp:port */
  url: string;
  port: number;
  /** WebRtcServer port of each worker. */
  rtcPorts: number[];
  health(): NodeHealth;
  cascade: Cascade;
  /** Idempotent: parent link, children, halls, workers. */
  close(): Promise<void>;
};

/** A parent's token: signed by control for a node, naming `parentId`, not revoked. Throws otherwise. */
function verifyParentToken(e: Enrolment, revocations: Revocations, parentId: string, token: string): void {
  const claims = verifyToken(e.keyring, token);
  if (claims.role !== 'node' || claims.site !== parentId || !/^node\./.test(claims.jti)) throw new Error(`the token is not node ${parentId}'s`);
  if (revocations.has(claims.jti)) throw new Error(`node ${parentId} was revoked`);
}

export async function startMediaNode(options: StartMediaNodeOptions): Promise<MediaNode> {
  const { log: givenLog, onFatal, enrolment, ...rest } = options;
  const cfg = NodeConfig.parse(rest);
  if (!cfg.nodeSecret && !enrolment) throw new Error('nodeSecret is required for a node started from a config (or enrol with the control service: CONTROL_URL and ENROL_CODE)');
  // the token this node shows its parent and control: control-signed when enrolled, else signed with NODE_SECRET
  const nodeToken: string | (() => string) = enrolment ? () => enrolment.token() : cfg.nodeSecret!;
  const log = (givenLog ?? pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2))).child({ node: cfg.nodeId });
  let closeFn: () => Promise<void> = async () => undefined;
  watchMediasoup();
  const pool = await WorkerPool.create({
    ...(cfg.workers ? { count: cfg.workers } : {}),
    rtcPort: cfg.rtcPort,
    listenIp: cfg.listenIp,
    announcedIp: cfg.announcedIp,
    logLevel: cfg.logLevel,
    log,
    onDied: (err) => (onFatal ? onFatal(err) : void closeFn()),
  });
  const stats = new StatsRegistry(cfg.nodeId);
  const watchers = new Watchers();
  const revocations = new Revocations();
  // people's tokens: checked with the control host's public keys where given (this node cannot sign them)
  const personKey: TokenKey = enrolment ? enrolment.keyring : cfg.tokenPublicKeys ? loadKeyring({ publicKeys: cfg.tokenPublicKeys }) : cfg.tokenSecret!;
  stats.hallFps = (id) => watchers.fps(id);
  stats.hallRelayed = (id) => watchers.relayed(id);
  const cascade = new Cascade({
    nodeId: cfg.nodeId,
    sites: cfg.sites,
    hasParent: !!cfg.parent,
    listenIp: cfg.listenIp,
    announcedIp: cfg.announcedIp,
    ...(cfg.pipePorts ? { pipePorts: cfg.pipePorts } : {}),
    ...(cfg.retry ? { retry: cfg.retry } : {}),
    pool,
    stats,
    log,
    verifyOrganizer: (token, conf) => {
      const claims = verifyLive(personKey, token, revocations);
      assertOrganizer(claims);
      if (claims.conf !== conf) throw new AppError('FORBIDDEN', 'token is for another conference');
    },
    // a child whose parent (this node) dies goes to the nearest of these that lives
    ancestors: () => parent?.ancestors() ?? [],
  });

  let parent: ParentConnection | null = null;
  let control: ControlLink | null = null;
  const health = (): NodeHealth => ({
    nodeId: cfg.nodeId,
    sites: cfg.sites,
    parent: parent ? { ...parent.state(), hops: cascade.hopStates.map((h) => ({ ...h })) } : null,
    children: [...cascade.links].filter((l) => l.role === 'child' && l.peerId !== '?').map((l) => ({ nodeId: l.peerId, sites: l.sites })),
    conferences: [...cascade.ready.values()].map((s) => ({ conf: s.conf, floor: s.floor, contribution: s.contribution, producers: s.producers.size })),
    objects: census(),
    rootOf: cascade.rootedConferences,
    carries: cascade.carries,
    control: control ? { url: cfg.controlUrl!, state: control.state() } : null,
  });

  const http = createHttp({
    cascade,
    stats,
    tokenSecret: personKey,
    listenIp: cfg.listenIp,
    announcedIp: cfg.announcedIp,
    ...(cfg.ingestPorts ? { ingestPorts: cfg.ingestPorts } : {}),
    revocations,
    staticDir: resolve(REPO_ROOT, cfg.staticDir ?? 'dist/client'),
    requireMediaTokens: cfg.requireMediaTokens,
    connectOrigins: originsOf([...(cfg.controlUrl ? [cfg.controlUrl] : []), ...(cfg.publicOrigins ?? [])]),
    health,
    log,
  });
  const server = cfg.tls
    ? createTlsServer({ cert: readFileSync(cfg.tls.certFile), key: readFileSync(cfg.tls.keyFile) }, http.app)
    : createServer(http.app);
  answerClientErrors(server);
  const io = new Server(server, {
    cors: { origin: true, credentials: true },
    pingInterval: 5000,
    pingTimeout: 5000,
    maxHttpBufferSize: 256 * 1024,
  });
  const hallNsp = io.of(HALL_NAMESPACE);
  const load = new LoadMeter(pool);
  attachHall(hallNsp, { cascade, stats, watchers, revocations, tokenSecret: personKey, nodeId: cfg.nodeId, log, requireMediaTokens: cfg.requireMediaTokens, ...(cfg.turn ? { turn: cfg.turn } : {}) });
  attachNodeNamespace(io.of(NODE_NAMESPACE), cascade, { key: enrolment ? enrolment.keyring : cfg.nodeSecret!, revocations, ...(enrolment ? { self: { nodeId: cfg.nodeId, token: () => enrolment.token() } } : {}) }, log);

  try {
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(cfg.listenPort, cfg.listenIp, () => res());
    });
  } catch (err) {
    pool.close();
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  const url = `${cfg.tls ? 'https' : 'http'}://${cfg.announcedIp}:${port}`;

  if (cfg.parent) {
    parent = connectParent(cfg.parent, {
      nodeId: cfg.nodeId, sites: [...cfg.sites], nodeSecret: nodeToken, cascade, log,
      ...(enrolment ? { verifyParent: (id: string, token: string) => verifyParentToken(enrolment, revocations, id, token) } : {}),
      ...(cfg.retry ? { retry: cfg.retry } : {}),
      ...(cfg.returnAfterMs !== undefined ? { returnAfterMs: cfg.returnAfterMs } : {}),
    });
  }

  enrolment?.onToken((token) => parent?.tokenChanged(token, [...cascade.o.sites]));

  // recording needs control: it says what to record and takes the segments
  const recorders = cfg.controlUrl
    ? new Recorders({
      cascade,
      nodeId: cfg.nodeId,
      root: resolve(cfg.recordDir ?? join('.cache', 'recordings', cfg.nodeId)),
      minFreeBytes: cfg.recordMinFreeMb * 1024 * 1024,
      segmentMs: cfg.recordSegmentSeconds * 1000,
      keepUploaded: cfg.recordKeepUploaded,
      controlUrl: cfg.controlUrl,
      tokenSecret: enrolment ? nodeToken : cfg.tokenSecret ?? cfg.nodeSecret!,
      log,
    })
    : null;
  control = cfg.controlUrl
    ? connectControl({
      url: cfg.controlUrl, nodeId: cfg.nodeId, tokenSecret: enrolment ? nodeToken : cfg.tokenSecret ?? cfg.nodeSecret!, root: !cfg.parent, cascade, watchers, revocations, log,
      load: () => load.sample(),
      ...(enrolment ? { onSites: (cmd: SitesCommand) => applySites(cmd) } : {}),
      selfUrl: url,
      onAncestors: (ancestors) => parent?.setPlanned(ancestors),
      ...(recorders ? { recorders } : {}),
    })
    : null;

  /**
   * Control's word on what this enrolled node serves: applied at once. Halls of a site no longer
   * served here are told it moved (their page asks control where it went) and let go.
   */
  function applySites(cmd: SitesCommand): string[] {
    const removed = cascade.setSites(cmd.sites);
    // the parent hears the new token (its subtree) through onToken below
    enrolment!.setToken(cmd.token);
    if (removed.length) log.info({ removed, sites: cmd.sites.length }, 'sites moved away from this node');
    for (const h of removed.length ? watchers.list() : []) {
      const s = removed.includes(h.site) ? hallNsp.sockets.get(h.id) : undefined;
      if (!s) continue;
      s.emit(HallEvents.siteMoved, { site: h.site });
      setTimeout(() => s.disconnect(true), 100).unref();
    }
    return [...cascade.o.sites];
  }

  let closing: Promise<void> | undefined;
  closeFn = () =>
    (closing ??= (async () => {
      control?.close();
      enrolment?.close();
      parent?.close();
      io.disconnectSockets(true);
      // the open segments are finished while their transports still exist
      await recorders?.close();
      await cascade.close();
      http.close();
      stats.close();
      pool.close();
      await new Promise<void>((res) => {
        io.close(() => res());
        server.closeAllConnections();
      });
    })());

  log.info({ url, rtcPorts: pool.workers.map((w) => w.port), sites: cfg.sites.length, parent: cfg.parent ?? null }, 'media node ready');
  return { nodeId: cfg.nodeId, url, port, rtcPorts: pool.workers.map((w) => w.port), health, cascade, close: closeFn };
}
