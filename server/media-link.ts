// The control end of the control ↔ media channel (signaling/control-media.ts).
// Media nodes connect here and report what they run every second; for every
// conference rooted at a reporting node, the floor recorded in Redis is the
// truth and a node that disagrees is told at once. A grant also goes straight
// to the root node when that node is connected to this instance; with several
// instances, the one holding the root's socket repairs it on the next report.
// An ended conference is freed on every node (and again on any node that still
// reports it later, e.g. one that was away when it ended).
// Never imports mediasoup: it only speaks the schemas.
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { AppError, parseOrThrow, toErrorBody, type Ack } from '../signaling/common.js';
import { AncestorsCommand, CarryCommand, ConferenceEnded, FloorCommand, MediaLinkEvents, NodeConferenceState, NodeReport, RevokeCommand, RootsCommand } from '../signaling/control-media.js';
import { NodeHalls } from '../signaling/watching.js';
import { Watching } from './watching.js';
import { ancestorsOf, mergePlans, plannedParents } from './node-tree.js';
import { TokenError, verifyToken } from '../signaling/token.js';
import type { Ctx } from './context.js';
import { getConference, listSites, siteRecord } from './store/conference.js';
import { adoptContribution, getFloor } from './store/floor.js';
import { RecordCommand } from '../signaling/recording.js';
import { RecorderStates } from './recordings/recorder-state.js';
import { currentIds } from './recordings/store.js';
import { CREDENTIAL_REFUSED, generationLive } from './media-nodes/store.js';
import { NodeSites } from './media-nodes/link-sites.js';

/** How long the conference → root node map is trusted (a site moved to another node shows after this). */
const ROOTS_TTL_MS = 3000;

/** What control knows of the conferences and the node tree, refreshed every ROOTS_TTL_MS. */
interface Tree {
  at: number;
  /** conference → media node of its root site */
  byConf: Map<string, string>;
  ended: Set<string>;
  /** conferences in rehearsal or live: their sessions are open on every node serving them */
  open: Set<string>;
  /** conference → media nodes serving its sites */
  hosts: Map<string, Set<string>>;
  /** media node → its parent node ('' for none), as reported */
  parents: Map<string, string>;
  /** media node → its parent node in the plan (from the site tree) */
  planned: Map<string, string>;
  /** media node → the URL it reported */
  urls: Map<string, string>;
}

interface Attached {
  socket: Socket;
  report: NodeReport | null;
  /** conferences with a floor command in flight, so a slow node is not flooded */
  sending: Set<string>;
  /** the record set the node last acknowledged, and when (a report a moment old may not show it yet) */
  recordAck?: { key: string; at: number };
  /** the planned ancestors the node last acknowledged (JSON) */
  ancestorsAck?: string;
  /** it enrolled (control tells it its sites and gives it node tokens) */
  enrolled: boolean;
  /** halls on it, from its last `link:halls` */
  halls?: number;
}

/** How long an acknowledged record command is trusted over a report that does not show it yet. */
const RECORD_ACK_GRACE_MS = 5000;
const recordKey = (xs: readonly { conf: string; recording: string }[]) => xs.map((x) => `${x.conf}/${x.recording}`).sort().join();

/**
 * The media node a bearer token stands for (the node channel and the node's HTTP routes). An
 * enrolled node presents a token control signed (its id, its generation in the token id); a node
 * started from a config signs with the node secret; a node sharing the control's token secret
 * (tests, one host) signs with that. UNAUTHORIZED / FORBIDDEN otherwise.
 */
export function verifyNodeToken(ctx: Ctx, raw: unknown): string {
  return verifyNodeClaims(ctx, raw).nodeId;
}

/** As verifyNodeToken, with the generation of an enrolled node's token (null: a shared-secret node). */
export function verifyNodeClaims(ctx: Ctx, raw: unknown): { nodeId: string; gen: number | null } {
  if (typeof raw !== 'string' || !raw) throw new AppError('UNAUTHORIZED', 'a media node token is required');
  let claims;
  try {
    if (raw.split('.').length === 3 && typeof ctx.tokenKey !== 'string') {
      claims = verifyToken(ctx.tokenKey, raw);
    } else {
      try {
        claims = verifyToken(ctx.opts.nodeSecret ?? ctx.tokenKey, raw);
      } catch (err) {
        if (!ctx.opts.nodeSecret || typeof ctx.tokenKey !== 'string') throw err;
        claims = verifyToken(ctx.tokenKey, raw);
      }
    }
  } catch (err) {
    if (err instanceof TokenError) throw new AppError('UNAUTHORIZED', err.message);
    throw err;
  }
  if (claims.role !== 'node' || !claims.site) throw new AppError('FORBIDDEN', 'only media nodes use this channel');
  const m = /^node\.([a-z0-9-]+)\.(\d+)$/.exec(claims.jti);
  if (raw.split('.').length === 3) {
    // a control-signed node token names its node and generation; anything else is a person's token
    if (!m || m[1] !== claims.site) throw new AppError('FORBIDDEN', 'only media nodes use this channel');
    return { nodeId: claims.site, gen: Number(m[2]) };
  }
  return { nodeId: claims.site, gen: null };
}

/** verifyNodeToken, and for an enrolled node: its credential not revoked nor replaced since. */
export async function authNode(ctx: Ctx, raw: unknown): Promise<string> {
  const { nodeId, gen } = verifyNodeClaims(ctx, raw);
  if (gen !== null && !(await generationLive(ctx, nodeId, gen))) throw new AppError('UNAUTHORIZED', CREDENTIAL_REFUSED);
  return nodeId;
}

export class MediaLink {
  private readonly nodes = new Map<string, Attached>();
  private roots: Tree = { at: 0, byConf: new Map(), ended: new Set(), open: new Set(), hosts: new Map(), parents: new Map(), planned: new Map(), urls: new Map() };
  private closed = false;
  /** conference → media nodes serving its sites, until its tree changes */
  private readonly hostsCache = new Map<string, Set<string>>();
  /** conference → the planned node tree of its sites, until its tree changes */
  private readonly planCache = new Map<string, Map<string, string>>();
  /** What the halls really play, from the nodes' `link:halls`. */
  readonly watching: Watching;
  /** The root nodes' recorder states, for the recording status route. */
  private readonly recorders: RecorderStates;
  /** Enrolled nodes: their sites and fresh tokens (link:sites), their state for the operator's list. */
  readonly sites: NodeSites;

  constructor(private readonly ctx: Ctx, nsp: Namespace) {
    this.watching = new Watching(ctx);
    this.recorders = new RecorderStates(ctx);
    // a link revoked on any instance is closed on the nodes linked to this one
    void ctx.bus.on(ctx.keys.revokeChannel, (msg) => {
      const jtis = JSON.parse(msg) as string[];
      // a revoked or re-enrolled node: its link closes (its new credential, if any, connects again)
      for (const j of jtis) {
        const m = /^node\.([a-z0-9-]+)\.\d+$/.exec(j);
        const a = m ? this.nodes.get(m[1]!) : undefined;
        if (a) { ctx.log.warn({ nodeId: m![1] }, 'media node credential revoked: link closed'); setTimeout(() => a.socket.disconnect(true), 200).unref(); }
      }
      for (const [nodeId, a] of this.nodes) void this.revoke(nodeId, a, jtis);
    });
    this.sites = new NodeSites(ctx);
    nsp.use((socket, next) => {
      const raw = (socket.handshake.auth as { token?: unknown })?.token;
      authNode(ctx, raw).then((nodeId) => {
        socket.data.nodeId = nodeId;
        socket.data.enrolled = verifyNodeClaims(ctx, raw).gen !== null;
        next();
      }, (err) => {
        const body = toErrorBody(err);
        ctx.log.warn({ from: socket.handshake.address, code: body.code, message: body.message }, 'media node refused on the control link');
        next(Object.assign(new Error(`${body.code}: ${body.message}`), { data: body }));
      });
    });
    nsp.on('connection', (socket) => this.attach(socket));
  }

  /** Node ids connected to this instance, with their last report. */
  get connected(): ReadonlyMap<string, NodeReport | null> {
    return new Map([...this.nodes].map(([id, a]) => [id, a.report]));
  }

  /** The floor of `conf` changed in the store: tell its root node now if it is connected here. */
  async floorChanged(conf: string): Promise<void> {
    // only this conference's root site (a cached record), not the whole tree
    const c = await getConference(this.ctx, conf);
    const root = (await siteRecord(this.ctx, conf, c.rootSite).catch(() => null))?.mediaNode;
    const a = root ? this.nodes.get(root) : undefined;
    if (!a) return;
    const { granted, console } = await getFloor(this.ctx, conf);
    await this.send(root!, a, { conf, floor: granted, contribution: granted ? console ?? null : null });
  }

  /** `conf` ended: every linked node frees what it holds of it (a node away now does it on its next report). */
  async conferenceEnded(conf: string): Promise<void> {
    this.roots.at = 0;
    await Promise.all([...this.nodes].map(([nodeId, a]) => this.end(nodeId, a, conf)));
  }

  close(): void {
    this.closed = true;
    this.watching.close();
    for (const a of this.nodes.values()) a.socket.disconnect(true);
    this.nodes.clear();
  }

  private attach(socket: Socket): void {
    const nodeId = socket.data.nodeId as string;
    // one socket per node id: a reconnect replaces the old one
    this.nodes.get(nodeId)?.socket.disconnect(true);
    const a: Attached = { socket, report: null, sending: new Set(), enrolled: socket.data.enrolled === true };
    this.nodes.set(nodeId, a);
    this.ctx.log.info({ nodeId }, 'media node linked');
    // every revoked link, before the node's halls can use one
    void this.ctx.redis.smembers(this.ctx.keys.revoked).then((all) => {
      for (let i = 0; i < all.length; i += 10_000) void this.revoke(nodeId, a, all.slice(i, i + 10_000));
    });
    socket.on('disconnect', () => {
      if (this.nodes.get(nodeId) === a) {
        this.nodes.delete(nodeId);
        this.watching.nodeUnlinked(nodeId);
      }
      this.ctx.log.info({ nodeId }, 'media node unlinked');
      this.sites.unlinked(nodeId, socket);
    });
    socket.on(MediaLinkEvents.halls, async (payload: unknown, ack?: (r: Ack<object>) => void) => {
      try {
        const report = parseOrThrow(NodeHalls, payload);
        if (report.nodeId !== nodeId) throw new AppError('FORBIDDEN', 'a node reports for itself only');
        ack?.({ ok: true, data: {} });
        a.halls = report.halls.length;
        await this.watching.report(nodeId, report.halls);
      } catch (err) {
        ack?.({ ok: false, error: toErrorBody(err) });
      }
    });
    socket.on(MediaLinkEvents.report, async (payload: unknown, ack?: (r: Ack<object>) => void) => {
      try {
        const report = parseOrThrow(NodeReport, payload);
        if (report.nodeId !== nodeId) throw new AppError('FORBIDDEN', 'a node reports for itself only');
        // the node tree, shared by every instance (a node and its children may be linked to different ones)
        if (a.report?.parent !== report.parent || !a.report) await this.ctx.redis.hset(this.ctx.keys.mediaParents, nodeId, report.root ? '' : report.parent ?? '?');
        if (report.url && a.report?.url !== report.url) await this.ctx.redis.hset(this.ctx.keys.mediaUrls, nodeId, report.url);
        a.report = report;
        ack?.({ ok: true, data: {} });
        await this.sites.noteReport(nodeId, report, a.halls ?? 0);
        if (a.enrolled) await this.sites.reconcile(nodeId, a.socket);
        await this.reconcile(nodeId, a);
      } catch (err) {
        ack?.({ ok: false, error: toErrorBody(err) });
      }
    });
  }

  /** Frees ended conferences the node still runs, and brings every conference rooted at it to the recorded floor. */
  private async reconcile(nodeId: string, a: Attached): Promise<void> {
    if (!a.report || this.closed) return;
    const roots = await this.rootNodes();
    for (const c of a.report.conferences) if (this.roots.ended.has(c.conf)) await this.end(nodeId, a, c.conf);
    const mine = [...roots].filter(([conf, root]) => root === nodeId && !this.roots.ended.has(conf)).map(([conf]) => conf).sort();
    // a node with a parent roots the conferences of its own root site (a node without one roots all anyway)
    if (!a.report.root && mine.join() !== [...a.report.rooted].sort().join()) await this.setRoots(nodeId, a, mine);
    const carries = this.carriesOf(nodeId);
    if (carries.join() !== (a.report.carries ?? ['?']).join()) await this.setCarries(nodeId, a, carries);
    // from rehearsal on, a conference's sessions exist on the nodes that serve it (not on first join)
    for (const conf of this.roots.open) {
      if (a.report.conferences.some((c) => c.conf === conf)) continue;
      if (roots.get(conf) === nodeId || this.roots.hosts.get(conf)?.has(nodeId)) await this.open(nodeId, a, conf);
    }
    for (const conf of mine) {
      const { granted, console } = await getFloor(this.ctx, conf);
      const want = { conf, floor: granted, contribution: granted ? console ?? null : null };
      const actual = a.report.conferences.find((c) => c.conf === conf) ?? { floor: null, contribution: null };
      // the root bound an unbound grant to the first contribution to arrive: record that, don't undo it
      if (want.floor !== null && actual.floor === want.floor && want.contribution === null && actual.contribution !== null) {
        if (await adoptContribution(this.ctx, conf, want.floor, actual.contribution)) continue;
      }
      if (actual.floor !== want.floor || actual.contribution !== want.contribution) await this.send(nodeId, a, want);
    }
    await this.reconcileRecording(nodeId, a, mine);
    await this.reconcileAncestors(nodeId, a);
  }

  /** The node's planned ancestors with their URLs: where it goes when its configured parent fails it. */
  private async reconcileAncestors(nodeId: string, a: Attached): Promise<void> {
    if (!a.report || a.report.root || a.report.url === undefined) return;
    const ancestors = ancestorsOf(nodeId, this.roots.planned, this.roots.urls);
    const key = JSON.stringify(ancestors);
    if (a.ancestorsAck === key) return;
    await this.command(nodeId, a, 'ancestors', MediaLinkEvents.ancestors, { ancestors }, AncestorsCommand, 'telling the media node its planned ancestors', () => {
      a.ancestorsAck = key;
    });
  }

  /**
   * The conferences rooted here whose recording is on must be the node's recorders (the full set);
   * its recorder states are kept for the status route.
   */
  private async reconcileRecording(nodeId: string, a: Attached, mine: string[]): Promise<void> {
    if (!a.report) return;
    const ids = await currentIds(this.ctx, mine);
    const want = mine.flatMap((conf, i) => (ids[i] ? [{ conf, recording: ids[i]! }] : []));
    const reported = a.report.recording;
    await this.recorders.note(reported ?? [], new Map(want.map((w) => [w.conf, w.recording])));
    // a node that never recorded, told nothing, needs no command
    if (reported === undefined && want.length === 0) return;
    const key = recordKey(want);
    if (key === recordKey(reported ?? [])) return;
    if (a.recordAck?.key === key && Date.now() - a.recordAck.at < RECORD_ACK_GRACE_MS) return;
    await this.command(nodeId, a, 'record', MediaLinkEvents.record, { confs: want }, RecordCommand, 'telling the root media node what to record', (done) => {
      a.recordAck = { key: recordKey(done.confs), at: Date.now() };
      this.ctx.log.info({ nodeId, confs: done.confs }, 'root media node records these conferences');
    });
  }



  /**
   * The conferences `nodeId`'s subtree needs: it serves one of their sites, or a node below it does
   * (walking up from every serving node to the conference's root). Where the tree is not known
   * (a serving node that never reported its parent), the conference is needed everywhere: a
   * missing relay would leave halls dark, an extra one only costs bandwidth.
   */
  private carriesOf(nodeId: string): string[] {
    const t = this.roots;
    const out: string[] = [];
    for (const [conf, hosts] of t.hosts) {
      if (t.ended.has(conf)) continue;
      const root = t.byConf.get(conf);
      if (this.needs(nodeId, hosts, root)) out.push(conf);
    }
    return out.sort();
  }

  private needs(nodeId: string, hosts: Set<string>, root: string | undefined): boolean {
    if (hosts.has(nodeId)) return true;
    for (const h of hosts) {
      let cur = h;
      for (let hops = 0; hops < 64 && cur !== root; hops++) {
        const up = this.roots.parents.get(cur);
        if (up === undefined || up === '?') return true; // unknown tree: fail open
        if (up === '') break;
        if (up === nodeId) return true;
        cur = up;
      }
    }
    return false;
  }



  /**
   * Sends one command to a node and waits for its answer; `key` keeps one command of a kind in
   * flight per node. A failure is only logged: the node's next report shows the difference again.
   */
  private async command<S extends z.ZodType>(nodeId: string, a: Attached, key: string, event: string, payload: unknown, res: S, what: string, done: (data: z.infer<S>) => void): Promise<void> {
    if (a.sending.has(key)) return;
    a.sending.add(key);
    try {
      const r = (await a.socket.timeout(10_000).emitWithAck(event, payload)) as Ack<unknown>;
      if (!r.ok) throw new AppError(r.error.code, r.error.message);
      done(parseOrThrow(res, r.data));
    } catch (err) {
      this.ctx.log.warn({ nodeId, key, err: String(err) }, `${what} failed; retried on the node's next report`);
    } finally {
      a.sending.delete(key);
    }
  }

  private send(nodeId: string, a: Attached, cmd: FloorCommand): Promise<void> {
    return this.command(nodeId, a, cmd.conf, MediaLinkEvents.floor, cmd, NodeConferenceState, 'switching the floor on the root media node', (state) => {
      // the next report would say the same; recording it now avoids a second command
      if (a.report) a.report = { ...a.report, conferences: [...a.report.conferences.filter((c) => c.conf !== cmd.conf), state] };
      this.ctx.log.info({ nodeId, conf: cmd.conf, floor: cmd.floor, contribution: cmd.contribution }, 'floor switched on the root media node');
    });
  }

  private setCarries(nodeId: string, a: Attached, confs: string[]): Promise<void> {
    return this.command(nodeId, a, 'carry', MediaLinkEvents.carry, { confs }, CarryCommand, 'telling the media node what its subtree needs', (done) => {
      if (a.report) a.report = { ...a.report, carries: done.confs };
    });
  }

  private setRoots(nodeId: string, a: Attached, confs: string[]): Promise<void> {
    return this.command(nodeId, a, 'roots', MediaLinkEvents.roots, { confs }, RootsCommand, 'telling the media node its conferences', (done) => {
      if (a.report) a.report = { ...a.report, rooted: done.confs };
      this.ctx.log.info({ nodeId, confs }, 'media node roots these conferences');
    });
  }

  private async revoke(nodeId: string, a: Attached, jtis: string[]): Promise<void> {
    if (!jtis.length) return;
    const r = RevokeCommand.safeParse({ jtis });
    if (!r.success) return;
    try {
      const ack = (await a.socket.timeout(10_000).emitWithAck(MediaLinkEvents.revoke, r.data)) as Ack<unknown>;
      if (!ack.ok) throw new AppError(ack.error.code, ack.error.message);
    } catch (err) {
      // the node gets the whole list again when it reconnects
      this.ctx.log.warn({ nodeId, err: String(err) }, 'revocation not delivered to the media node; it gets every revocation on reconnect');
      a.socket.disconnect(true);
    }
  }

  private open(nodeId: string, a: Attached, conf: string): Promise<void> {
    return this.command(nodeId, a, `open ${conf}`, MediaLinkEvents.open, { conf }, NodeConferenceState, 'opening the conference on the media node', (state) => {
      if (a.report && !a.report.conferences.some((c) => c.conf === conf)) a.report = { ...a.report, conferences: [...a.report.conferences, state] };
      this.ctx.log.info({ nodeId, conf }, 'conference opened on the media node');
    });
  }

  private end(nodeId: string, a: Attached, conf: string): Promise<void> {
    return this.command(nodeId, a, `end ${conf}`, MediaLinkEvents.end, { conf }, ConferenceEnded, 'ending the conference on the media node', (done) => {
      if (a.report) a.report = { ...a.report, conferences: a.report.conferences.filter((c) => c.conf !== conf) };
      if (done.hadSession) this.ctx.log.info({ nodeId, conf }, 'conference freed on the media node');
    });
  }

  /** A conference's tree changed (on any instance): its serving nodes are read again on the next refresh. */
  treeChanged(conf: string): void {
    this.hostsCache.delete(conf);
    this.planCache.delete(conf);
    this.roots.at = 0;
    this.sites.treeChanged();
  }

  /** The media nodes serving `conf`'s sites: every site record is read, so this is kept until the tree changes. */
  private async readHosts(conf: string): Promise<Set<string>> {
    const sites = await listSites(this.ctx, conf);
    const hosts = new Set(sites.map((x) => x.mediaNode));
    this.hostsCache.set(conf, hosts);
    this.planCache.set(conf, plannedParents(sites));
    return hosts;
  }

  /** conference → media node of its root site (and which conferences ended). */
  private async rootNodes(): Promise<Map<string, string>> {
    if (Date.now() - this.roots.at < ROOTS_TTL_MS) return this.roots.byConf;
    const byConf = new Map<string, string>();
    const ended = new Set<string>();
    const open = new Set<string>();
    const hosts = new Map<string, Set<string>>();
    for (const conf of await this.ctx.redis.smembers(this.ctx.keys.confs)) {
      try {
        const c = await getConference(this.ctx, conf);
        if (c.state === 'rehearsal' || c.state === 'live') open.add(conf);
        if (c.state === 'ended') ended.add(conf);
        else hosts.set(conf, this.hostsCache.get(conf) ?? (await this.readHosts(conf)));
        const root = await siteRecord(this.ctx, conf, c.rootSite);
        if (root.mediaNode) byConf.set(conf, root.mediaNode);
      } catch {
        // a conference without its root site yet has nothing to switch
      }
    }
    const parents = new Map(Object.entries(await this.ctx.redis.hgetall(this.ctx.keys.mediaParents)));
    // the plan of running conferences first: they are the ones halls watch
    const planned = mergePlans([...open, ...hosts.keys()].map((conf) => this.planCache.get(conf) ?? new Map<string, string>()));
    const urls = new Map([...Object.entries(this.ctx.opts.mediaNodes), ...Object.entries(await this.ctx.redis.hgetall(this.ctx.keys.mediaUrls))]);
    this.roots = { at: Date.now(), byConf, ended, open, hosts, parents, planned, urls };
    return byConf;
  }
}
