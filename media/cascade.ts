// The cascade on one node: its conference sessions, its links to neighbour
// nodes and their pipes. Which producer travels over which pipe is decided and
// carried out by the relays (relay.ts). Producers keep their id across hops,
// so every node agrees on the programme.
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { z } from 'zod';
import type { Logger } from 'pino';
import { AppError } from '../signaling/common.js';
import {
  NodeCarriesReq,
  NodeEvents,
  NodeFloorSetReq,
  NodeFloorState,
  NodePing,
  NodeProducerAdded,
  NodeProducerPaused,
  NodeProducerRef,
  NodeRegisterReq,
  PipeOfferReq,
  PipeOfferRes,
  PipeRequestReq,
  type NodeRef,
  type Programme,
} from '../signaling/media.js';
import type { BackoffOptions } from './backoff.js';
import type { Link } from './link.js';
import { cappedLayer, HopLayers } from './hop-layers.js';
import { HopMonitor, hopLayerOptionsFromEnv, type HopLayerOptions, type HopState } from './hop-monitor.js';
import { Relays } from './relay.js';
import { assertFromBelow, knowsConference } from './trust.js';
import { Session, type HubProducer } from './session.js';
import type { StatsRegistry } from './stats.js';
import type { WorkerPool } from './workers.js';

export type CascadeOptions = {
  nodeId: string;
  sites: string[];
  /** True when this node has a parent node (then studio/source media stay below it). */
  hasParent: boolean;
  listenIp: string;
  announcedIp: string;
  pipePorts?: { min: number; max: number };
  pool: WorkerPool;
  stats: StatsRegistry;
  log: Logger;
  /** Backoff of failed relay hops (retried for as long as they are wanted). */
  retry?: BackoffOptions;
  /** Throws unless `token` is a live organizer token of `conf` (floor changes forwarded from below). */
  verifyOrganizer?: (token: string, conf: string) => void;
  /** This node's ancestors, nearest first, told to each child at registration (its failover targets). */
  ancestors?: () => NodeRef[];
  /**
   * When the hop from the parent is capped to one simulcast layer (hop-monitor.ts); default from
   * the environment (MEDIA_HOP_LAYERS=off turns capping off).
   */
  hopLayers?: HopLayerOptions;
};

type CascadeEvents = { programme: [Programme] };

export class Cascade extends EventEmitter<CascadeEvents> {
  private readonly sessions = new Map<string, Promise<Session>>();
  readonly ready = new Map<string, Session>();
  readonly links = new Set<Link>();
  parent: Link | null = null;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Conferences the control service ended: refused until the node restarts (control ends them again then). */
  private readonly ended = new Set<string>();
  /** Conferences rooted here by the control service's word although this node has a parent. */
  private rooted = new Set<string>();
  /** Conferences this subtree needs (from the control service); null = never told. */
  private carried: string[] | null = null;

  /** The relays of producers over this node's links (policy, consumers, retries). */
  private readonly relays: Relays;
  /** One-layer streams over weak hops, and the measuring of the hop from the parent. */
  private readonly hops: HopLayers;
  private hopMonitor: HopMonitor | null = null;

  constructor(readonly o: CascadeOptions) {
    super();
    this.relays = new Relays({
      isRoot: (conf) => this.isRoot(conf),
      pipe: (link, conf) => this.ensurePipe(link, conf),
      closing: () => this.closed,
      stats: o.stats,
      log: o.log,
      retry: o.retry,
    });
    this.hops = new HopLayers({
      listenIp: o.listenIp,
      announcedIp: o.announcedIp,
      ...(o.pipePorts ? { ports: o.pipePorts } : {}),
      session: (conf) => this.ready.get(conf),
      relays: this.relays,
      adopt: (link, m, t, hop) => this.adoptRemote(link, m, t, hop),
      log: o.log,
    });
  }

  /** Bytes received from the parent on one-layer hop transports (the heartbeat counts them as media). */
  hopInboundBytes(link: Link): Promise<number> {
    return this.hops.inboundBytes(link);
  }

  /** The hop from the parent, per relayed simulcast video: its loss, bitrate and layer cap (null: every layer). */
  get hopStates(): HopState[] {
    return [...(this.hopMonitor?.states.values() ?? [])];
  }

  /** The session of `conf`, created on first use (hub router on the home site). */
  session(conf: string): Promise<Session> {
    if (this.closed) return Promise.reject(new AppError('UNAVAILABLE', 'node closing'));
    if (this.ended.has(conf)) return Promise.reject(new AppError('CONFLICT', 'Hội nghị đã kết thúc; hãy mở hội nghị đang diễn ra. / This conference has ended; open a running one.'));
    let p = this.sessions.get(conf);
    if (!p) {
      p = Session.create(conf, this.o.sites, this.o.pool, () => this.isRoot(conf)).then((s) => {
        this.ready.set(conf, s);
        s.on('added', (hp) => this.onAdded(s, hp));
        s.on('floor', () => this.onFloor(s));
        s.on('programme', (prog) => this.emit('programme', prog));
        return s;
      });
      this.sessions.set(conf, p);
      p.catch(() => this.sessions.delete(conf));
    }
    return p;
  }

  /**
   * Whether this node is the root of `conf`: a node without a parent roots every conference; a
   * node with one roots those whose root site it serves (the control service says which), so a
   * provincial conference keeps its relays and its floor inside the province's subtree.
   */
  isRoot(conf: string): boolean {
    return !this.o.hasParent || this.rooted.has(conf);
  }

  /** The conferences this node roots although it has a parent (from the control service). */
  get rootedConferences(): string[] {
    return [...this.rooted].sort();
  }

  /** Replaces the set of conferences rooted here; media of a newly rooted conference stops going up. */
  setRooted(confs: string[]): void {
    const added = confs.filter((c) => !this.rooted.has(c));
    this.rooted = new Set(confs);
    const parent = this.parent;
    if (!parent) return;
    for (const conf of added) {
      const s = this.ready.get(conf);
      if (s) for (const id of s.producers.keys()) if (parent.out.has(`${conf} ${id}`)) this.relays.unrelay(parent, s, id);
    }
  }

  /** What this subtree needs, as the control service said (null: never told). */
  get carries(): string[] | null {
    return this.carried;
  }

  /** The conferences this subtree needs: told to the parent, which then relays only those down. */
  setCarries(confs: string[]): void {
    this.carried = [...confs].sort();
    if (this.parent) this.announceCarries(this.parent);
  }

  private announceCarries(parent: Link): void {
    if (!this.carried) return;
    parent.request(NodeEvents.carries, { confs: this.carried }).catch((err) =>
      this.o.log.warn({ err: String(err) }, 'telling the parent what this subtree needs failed; told again on reconnect or change'));
  }

  /** Brings a child link's relays in line with what it says it needs. */
  private resync(link: Link): void {
    for (const s of this.ready.values()) {
      for (const hp of s.producers.values()) this.relays.reconcile(link, s, hp);
    }
  }

  hosts(site: string): boolean {
    return this.o.sites.includes(site);
  }

  /**
   * The sites this node serves now (an enrolled node, told by control). The list is changed in
   * place, so every session sees it at once. Returns the sites no longer served.
   */
  setSites(sites: readonly string[]): string[] {
    const removed = this.o.sites.filter((x) => !sites.includes(x));
    // the home site (hub router of open sessions) stays first while it is still served
    const home = this.o.sites[0];
    const next = home && sites.includes(home) ? [home, ...sites.filter((x) => x !== home)] : [...sites];
    this.o.sites.splice(0, this.o.sites.length, ...next);
    return removed;
  }

  /** Gives the floor (or takes it back with null): applied at the root, forwarded up otherwise. */
  /** `organizerToken`: forwarded with the request when this node does not root the conference. */
  async setFloor(conf: string, site: string | null, contribution: string | null = null, organizerToken?: string): Promise<void> {
    if (!this.isRoot(conf)) {
      if (!this.parent || this.parent.peerId === '?') throw new AppError('UNAVAILABLE', 'parent node not connected');
      if (!organizerToken) throw new AppError('FORBIDDEN', 'the floor is set by an organizer');
      await this.parent.request(NodeEvents.floorSet, { conf, site, contribution, token: organizerToken }, NodeFloorState);
      return;
    }
    (await this.session(conf)).setFloor(site, contribution);
    this.o.log.info({ conf, floor: site, contribution }, 'floor set');
  }

  // ---- relay hooks -------------------------------------------------------

  private onAdded(s: Session, hp: HubProducer): void {
    for (const link of this.links) if (this.relays.shouldRelay(link, s, hp)) void this.relays.relay(link, s, hp);
  }

  private onFloor(s: Session): void {
    for (const link of this.links) {
      if (link.role === 'child' && link.peerId !== '?') link.wire.emit(NodeEvents.programme, { conf: s.conf, floor: s.floor, contribution: s.contribution });
      for (const hp of s.producers.values()) {
        if (hp.origin !== null || hp.tag !== 'contributor') continue;
        this.relays.reconcile(link, s, hp);
      }
    }
  }

  // ---- pipes -------------------------------------------------------------

  private createPipe(s: Session): Promise<ms.PipeTransport> {
    return s.hub.router.createPipeTransport({
      listenInfo: {
        protocol: 'udp',
        ip: this.o.listenIp,
        announcedAddress: this.o.announcedIp,
        ...(this.o.pipePorts ? { portRange: this.o.pipePorts } : {}),
      },
      enableSrtp: true, // the hops cross a WAN
      enableRtx: true,
      enableSctp: false,
    });
  }

  private endpoint(t: ms.PipeTransport) {
    return { ip: this.o.announcedIp, port: t.tuple.localPort, srtpParameters: t.srtpParameters };
  }

  /** The link's pipe for `conf`: the parent side creates and offers it, the child side asks for it. */
  private async ensurePipe(link: Link, conf: string): Promise<ms.PipeTransport> {
    if (!link.reservePipe(conf)) return link.pipe(conf);
    if (link.role === 'parent') {
      link.request(NodeEvents.pipeRequest, { conf }).catch((err) => link.failPipe(conf, err));
      return link.pipe(conf);
    }
    let t: ms.PipeTransport | undefined;
    try {
      const s = await this.session(conf);
      t = await this.createPipe(s);
      const res = await link.request(NodeEvents.pipeOffer, { conf, endpoint: this.endpoint(t), floor: s.floor, contribution: s.contribution }, PipeOfferRes);
      await t.connect(res.endpoint as Parameters<ms.PipeTransport['connect']>[0]);
      link.setPipe(conf, t);
      this.o.log.info({ conf, child: link.peerId, port: t.tuple.localPort }, 'pipe up');
      return t;
    } catch (err) {
      t?.close();
      link.failPipe(conf, err as Error);
      throw err;
    }
  }

  // ---- links -------------------------------------------------------------

  /** Wires a link's events. A child link becomes active on `register`; a parent link right away. */
  attach(link: Link): void {
    this.links.add(link);
    link.onClose(() => {
      this.links.delete(link);
      this.relays.forgetLink(link);
    });

    // a child link speaks only once registered (the parent link is registered by connecting)
    const registered = () => {
      if (link.role === 'child' && link.peerId === '?') throw new AppError('FORBIDDEN', 'register first');
    };
    link.handle(NodeEvents.producerAdded, NodeProducerAdded, async (m) => {
      registered();
      // media only arrives over this link's pipe for the conference (set up, or being set up):
      // without one there is nothing to produce on, and no session to open for it. UNAVAILABLE,
      // not CONFLICT: the sender retries (CONFLICT tells it the producer is already here).
      if (!link.hasPipe(m.conf)) throw new AppError('UNAVAILABLE', 'no pipe for this conference on this link');
      if (link.role === 'child') this.assertFromBelow(link, m);
      // a one-layer copy of it still held from this parent is stale: the parent swapped its own copy
      // while this node's cap was being set up (two hops capping at once), so what fed it is gone;
      // refusing the pipe copy would leave this subtree without the stream
      const held = link.in.get(`${m.conf} ${m.producerId}`);
      if (held && cappedLayer(held)) {
        this.o.log.warn({ conf: m.conf, producer: m.producerId, from: link.peerId }, 'stale one-layer copy replaced by the relayed pipe copy');
        held.close();
      }
      await this.adoptRemote(link, m, await link.pipe(m.conf));
      return {};
    });
    link.handle(NodeEvents.producerClosed, NodeProducerRef, (m) => {
      registered();
      link.in.get(`${m.conf} ${m.producerId}`)?.close();
      return {};
    });
    link.handle(NodeEvents.producerPaused, NodeProducerPaused, async (m) => {
      registered();
      const p = link.in.get(`${m.conf} ${m.producerId}`);
      if (!p) throw new AppError('NOT_FOUND', 'no such producer on this link');
      await (m.paused ? p.pause() : p.resume());
      return {};
    });

    if (link.role === 'parent') {
      link.handle(NodeEvents.pipeOffer, PipeOfferReq, async (m) => {
        const s = await this.session(m.conf);
        const t = await this.createPipe(s);
        try {
          await t.connect(m.endpoint as Parameters<ms.PipeTransport['connect']>[0]);
        } catch (err) {
          t.close();
          throw err;
        }
        link.setPipe(m.conf, t);
        s.setFloor(m.floor, m.contribution);
        return { endpoint: this.endpoint(t) };
      });
      link.handle(NodeEvents.programme, NodeFloorState, async (m) => {
        (await this.session(m.conf)).setFloor(m.floor, m.contribution);
        return {};
      });
    } else {
      link.handle(NodeEvents.register, NodeRegisterReq, (m) => {
        if (link.peerId !== '?') throw new AppError('CONFLICT', 'already registered');
        // the id its token proves, nothing else
        if (link.provenId !== null && link.provenId !== m.nodeId) {
          this.o.log.warn({ proven: link.provenId, claimed: m.nodeId }, 'registration refused: the node\'s token is for another id');
          throw new AppError('FORBIDDEN', `this token is for node ${link.provenId}, not ${m.nodeId}`);
        }
        // a second node with the same id (a copied config, or someone else) is refused, never the live one
        if ([...this.links].some((other) => other !== link && !other.closed && other.role === 'child' && other.peerId === m.nodeId)) {
          this.o.log.warn({ child: m.nodeId }, 'registration refused: a node with this id is already linked');
          throw new AppError('CONFLICT', `a node with id ${m.nodeId} is already linked here`);
        }
        link.peerId = m.nodeId;
        link.sites = link.subtree ? m.sites.filter((x) => link.subtree!.has(x)) : m.sites;
        this.o.log.info({ child: m.nodeId, sites: m.sites.length }, 'child node registered');
        // relays start now, before any hall joins down there
        setImmediate(() => void this.syncLink(link));
        return { nodeId: this.o.nodeId, ancestors: this.o.ancestors?.() ?? [] };
      });
      link.handle(NodeEvents.ping, NodePing, () => ({}));
      this.hops.serve(link);
      link.handle(NodeEvents.pipeRequest, PipeRequestReq, async (m) => {
        if (link.peerId === '?') throw new AppError('FORBIDDEN', 'register first');
        if (!this.knows(m.conf)) throw new AppError('NOT_FOUND', 'no such conference here');
        await this.ensurePipe(link, m.conf);
        return {};
      });
      link.handle(NodeEvents.carries, NodeCarriesReq, (m) => {
        if (link.peerId === '?') throw new AppError('FORBIDDEN', 'register first');
        link.carries = new Set(m.confs);
        // a conference the subtree no longer needs: its pipe and relays on this link go
        for (const conf of this.ready.keys()) if (!link.carries.has(conf)) link.dropConference(conf);
        this.resync(link);
        return {};
      });
      link.handle(NodeEvents.floorSet, NodeFloorSetReq, async (m) => {
        if (link.peerId === '?') throw new AppError('FORBIDDEN', 'register first');
        // a node cannot switch the floor by itself: only an organizer's own token does
        try {
          this.o.verifyOrganizer?.(m.token, m.conf);
        } catch (err) {
          this.o.log.warn({ child: link.peerId, conf: m.conf, err: String(err) }, 'floor change from a child node refused: no valid organizer token');
          throw err;
        }
        await this.setFloor(m.conf, m.site, m.contribution, m.token);
        return { conf: m.conf, floor: m.site, contribution: m.site === null ? null : m.contribution };
      });
    }
  }

  /** Sets up a pipe per conference on a fresh child link and relays what it should carry. */
  private async syncLink(link: Link): Promise<void> {
    for (const s of this.ready.values()) {
      if (link.carries && !link.carries.has(s.conf)) continue;
      try {
        await this.ensurePipe(link, s.conf);
      } catch (err) {
        // each relay below sets the pipe up again and retries on its own
        this.o.log.warn({ conf: s.conf, child: link.peerId, err: String(err) }, 'pipe setup failed');
      }
      if (link.closed) return;
      for (const hp of s.producers.values()) if (this.relays.shouldRelay(link, s, hp)) void this.relays.relay(link, s, hp);
    }
  }

  /**
   * Produces what the peer relays over `link` on `transport` (the link's pipe, or a hop's
   * one-layer transport) under its programme-wide id, and adds it to the session.
   */
  async adoptRemote(link: Link, m: z.infer<typeof NodeProducerAdded>, transport: ms.Transport, hop?: 'capped'): Promise<ms.Producer> {
    const s = await this.session(m.conf);
    if (s.producers.has(m.producerId)) throw new AppError('CONFLICT', 'producer already here');
    const key = `${m.conf} ${m.producerId}`;
    const producer = await transport.produce({
      id: m.producerId,
      kind: m.kind,
      rtpParameters: m.rtpParameters as ms.RtpParameters,
      paused: m.paused,
      appData: { site: m.site, tag: m.tag, from: link.peerId, ...(hop ? { hop } : {}) },
    });
    link.in.set(key, producer);
    producer.observer.once('close', () => link.in.get(key) === producer && link.in.delete(key));
    this.o.stats.track({ conf: m.conf, site: s.hubSite, hop: 'pipe', direction: 'in', peer: () => link.peerId, producerId: producer.id, target: { kind: 'producer', producer } });
    s.addRemote(producer, m.site, m.tag, m.contribution, link.key);
    return producer;
  }

  private assertFromBelow(link: Link, m: { conf: string; site: string; tag: string; contribution: string | null }): void {
    assertFromBelow(this.ready.get(m.conf), link, m, this.o.log);
  }

  private knows(conf: string): boolean {
    return knowsConference(conf, { running: this.ready.has(conf) || this.sessions.has(conf), carries: this.carries, rooted: this.rootedConferences });
  }

  /** Called by the parent connection once registered. */
  parentReady(link: Link): void {
    this.parent = link;
    link.onClose(() => {
      if (this.parent === link) this.parent = null;
    });
    this.announceCarries(link);
    const hopOptions = this.o.hopLayers ?? hopLayerOptionsFromEnv();
    this.hopMonitor?.close();
    this.hopMonitor = hopOptions.enabled === false ? null : new HopMonitor(link, this.hops, hopOptions, this.o.log);
    // contributions for a floor already held go up again (the parent re-offers pipes itself)
    for (const s of this.ready.values()) for (const hp of s.producers.values()) if (this.relays.shouldRelay(link, s, hp)) void this.relays.relay(link, s, hp);
  }

  /**
   * Ends `conf` on this node: stops its relay retries, drops its pipes and relayed producers and
   * consumers on every link, and closes its session (every router, transport, producer and
   * consumer with it). Later use of `conf` is refused. Idempotent; true if there was a session.
   */
  async endConference(conf: string): Promise<boolean> {
    this.ended.add(conf);
    this.relays.forgetConference(conf);
    for (const link of this.links) link.dropConference(conf);
    const p = this.sessions.get(conf);
    this.sessions.delete(conf);
    this.ready.delete(conf);
    const s = await p?.catch(() => null);
    if (!s) return false;
    await s.close();
    this.o.log.info({ conf }, 'conference ended on this node');
    return true;
  }

  /** Idempotent: stops retries, closes every link and every session (also those still being created). */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = (async () => {
      this.relays.clearRetries();
      this.hopMonitor?.close();
      for (const link of [...this.links]) link.close();
      const all = await Promise.allSettled(this.sessions.values());
      for (const r of all) if (r.status === 'fulfilled') await r.value.close();
      this.sessions.clear();
      this.ready.clear();
      this.removeAllListeners();
    })();
    return this.closing;
  }
}
