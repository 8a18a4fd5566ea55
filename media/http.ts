// The media node's HTTP side: health, stats, ingest, floor, and the web pages
// (dist/client) so they can be same-origin with the node.
import { existsSync } from 'node:fs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { AppError, httpStatus, parseOrThrow, toErrorBody } from '../signaling/common.js';
import { IngestReq, MediaRoutes, SetFloorReq, type NodeHealth } from '../signaling/media.js';
import type { TokenClaims, TokenKey } from '../signaling/token.js';
import { assertHallRole, assertOrganizer, assertStatsAccess, linkOf, verifyLive } from './auth.js';
import type { Cascade } from './cascade.js';
import { createIngest, type Ingest } from './ingest.js';
import type { Revocations } from './revocations.js';
import { DEPLOYMENT_PATH, securityHeaders, type DeploymentInfo } from '../signaling/headers.js';
import type { StatsRegistry } from './stats.js';

export type HttpOptions = {
  cascade: Cascade;
  stats: StatsRegistry;
  tokenSecret: TokenKey;
  listenIp: string;
  announcedIp: string;
  /** Port range of RTP ingests (never the pipes' range). */
  ingestPorts?: { min: number; max: number };
  /** Token ids control revoked: refused, and their ingests closed. */
  revocations?: Revocations;
  staticDir?: string;
  /** Only short-lived media tokens (exchanged at control), never invitations. */
  requireMediaTokens?: boolean;
  /** Origins pages served here may call besides this node (the control service's). */
  connectOrigins?: readonly string[];
  health: () => NodeHealth;
  log: Logger;
};

export type MediaHttp = { app: express.Express; close(): void };

/** Ingests one token may hold open at once on this node. */
export const MAX_INGESTS = { organizer: 4, site: 2 } as const;

export function createHttp(o: HttpOptions): MediaHttp {
  const app = express();
  /** open ingests with the token id that opened them */
  const ingests = new Map<string, Ingest & { owner: string }>();

  app.disable('x-powered-by');
  const deployment: DeploymentInfo = { origins: [...(o.connectOrigins ?? [])] };
  app.use(securityHeaders({ connectOrigins: () => deployment.origins }));
  app.get(DEPLOYMENT_PATH, (_req, res) => void res.json(deployment));
  app.use((req, res, next) => {
    // pages served by the control service call the node directly
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    if (req.method === 'OPTIONS') return void res.sendStatus(204);
    next();
  });
  app.use(express.json({ limit: '64kb' }));

  const bearerOf = (req: Request): string => {
    const h = req.headers.authorization ?? '';
    return h.startsWith('Bearer ') ? h.slice(7) : String(req.query.token ?? '');
  };
  const auth = (req: Request): TokenClaims => {
    return verifyLive(o.tokenSecret, bearerOf(req) || undefined, o.revocations, o.requireMediaTokens);
  };
  // ingests of a revoked link stop at once
  o.revocations?.on('revoked', (jtis) => {
    const gone = new Set(jtis);
    for (const [id, ing] of ingests) if (gone.has(ing.owner)) { ing.close(); ingests.delete(id); o.log.info({ ingest: id }, 'ingest closed: its link was revoked'); }
  });
  const route = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).then((data) => res.json(data), next);
  };

  app.get(MediaRoutes.health, (_req, res) => void res.json(o.health()));

  app.get(MediaRoutes.stats, route(async (req) => {
    const claims = auth(req);
    assertStatsAccess(claims, (s) => o.cascade.hosts(s));
    return o.stats.collect((t) => t.conf === claims.conf);
  }));

  app.post(MediaRoutes.ingest, route(async (req, res) => {
    const claims = auth(req);
    const body = parseOrThrow(IngestReq, req.body);
    if (!o.cascade.hosts(body.site)) throw new AppError('NOT_FOUND', `site ${body.site} is not served by this node`);
    if (claims.role !== 'organizer') assertHallRole(claims, 'console', body.site);
    const tag = body.tag ?? (o.cascade.isRoot(claims.conf) && body.site === o.cascade.o.sites[0] ? 'source' : 'contributor');
    if (tag === 'source' && claims.role !== 'organizer') throw new AppError('FORBIDDEN', 'only an organizer ingests the session source');
    // ingests of conferences that ended here are gone with their session
    for (const [id, i] of ingests) if (!o.cascade.ready.has(i.res.conf)) ingests.delete(id);
    const mine = [...ingests.values()].filter((i) => i.owner === linkOf(claims)).length;
    if (mine >= (claims.role === 'organizer' ? MAX_INGESTS.organizer : MAX_INGESTS.site)) {
      throw new AppError('RATE_LIMITED', 'Liên kết này đã mở đủ số luồng nhận tín hiệu cho phép; hãy đóng luồng cũ rồi mở lại. / This link has opened as many ingests as allowed; close one and try again.');
    }
    // RTCP goes back to where the encoder is, never to an address the caller merely names
    const caller = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (body.streams.some((s) => s.remote && s.remote.ip !== caller)) throw new AppError('FORBIDDEN', 'remote must be the address the request comes from');
    // only once allowed: the session is state (a refused request must not open a conference here)
    const session = await o.cascade.session(claims.conf);
    const ingest = await createIngest({
      session,
      site: body.site,
      tag,
      ...(body.contribution ? { contribution: body.contribution } : {}),
      streams: body.streams,
      listenIp: o.listenIp,
      announcedIp: o.announcedIp,
      ...(o.ingestPorts ? { portRange: o.ingestPorts } : {}),
      stats: o.stats,
    });
    ingests.set(ingest.id, { ...ingest, owner: linkOf(claims) });
    o.log.info({ conf: claims.conf, site: body.site, tag, ingest: ingest.id, ports: ingest.res.streams.map((s) => s.port) }, 'ingest opened');
    res.status(201);
    return ingest.res;
  }));

  app.delete(`${MediaRoutes.ingest}/:id`, route(async (req) => {
    const claims = auth(req);
    const ingest = ingests.get(String(req.params.id));
    if (!ingest || ingest.res.conf !== claims.conf) throw new AppError('NOT_FOUND', 'no such ingest');
    if (claims.role !== 'organizer') assertHallRole(claims, 'console', ingest.res.site);
    ingest.close();
    ingests.delete(ingest.id);
    return { closed: ingest.id };
  }));

  app.post(MediaRoutes.floor, route(async (req) => {
    const claims = auth(req);
    assertOrganizer(claims);
    const body = parseOrThrow(SetFloorReq, req.body);
    await o.cascade.setFloor(claims.conf, body.site, body.contribution ?? null, bearerOf(req));
    return (await o.cascade.session(claims.conf)).programme();
  }));

  if (o.staticDir && existsSync(o.staticDir)) app.use(express.static(o.staticDir, { extensions: ['html'] }));

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let body = err instanceof AppError ? err.toBody() : toErrorBody(err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') body = { code: 'BAD_REQUEST', message: 'body is not JSON' };
    else if (e?.type === 'entity.too.large') body = { code: 'TOO_LARGE', message: 'body too large' };
    else if (!(err instanceof AppError) && typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      // the request itself is broken (undecodable path parameter, unsupported charset or
      // content encoding, a body that does not decompress): the client's fault, not a 500
      body = { code: e.status === 413 ? 'TOO_LARGE' : e.status === 415 ? 'UNSUPPORTED' : 'BAD_REQUEST', message: String(e.message ?? 'malformed request') };
    } else if (body.code === 'INTERNAL') o.log.error({ err: String(err) }, 'http route failed');
    res.status(httpStatus[body.code]).json({ error: body });
  });

  return {
    app,
    close() {
      for (const i of ingests.values()) i.close();
      ingests.clear();
    },
  };
}
