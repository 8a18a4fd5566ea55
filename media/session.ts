// One conference on one node: one router per worker, the hub router (on the
// first worker) where every producer of the conference is gathered — relayed in
// from neighbour nodes or piped in from another worker's router — and the
// programme that halls should be consuming. Sites share their worker's router:
// a router per site fed by pipeToRouter cost about 4× the CPU per packet
// forwarded (bench/p2-forwarding.ts), each hall taking a whole extra copy.
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import { AppError } from '../signaling/common.js';
import type { Programme } from '../signaling/media.js';
import { mediaCodecs, type PooledWorker, type WorkerPool } from './workers.js';

/**
 * How long (ms) a camera's keyframe requests are coalesced: the first goes to the camera at once,
 * later ones within the window become one request at its end, so each simulcast layer is asked at
 * most once a window, however many halls and nodes ask. MEDIA_KEYFRAME_COALESCE_MS, read when a
 * camera (studio, contributor) starts producing on this node; 0 (the default) = off; at most 1000,
 * mediasoup's wait before a relay asks again for a keyframe that has not come.
 *
 * On the camera, not on the relays: a relay already passes one request up per keyframe on its way
 * (mediasoup drops the rest until it arrives), and a relay's own window turned a request that
 * keyframe answered into another keyframe a window later. bench/storm-keyframes.ts, 1,000 halls
 * joining a node in 10 s: 31 requests a second per layer without, one (999 ms apart) with 1000.
 * Off by default: for a hall two or more hops down, a relay asks for every layer (mediasoup fans a
 * request out over a pipe), the copies count as new requests, and the camera is asked again a
 * window later; a hall joining in the second after that waits for the window's end
 * (bench/p3-keyframe-hops.ts, joins 1.1 s apart: three hops p90 0.9 s, one hop 31 ms either way).
 */
export function keyframeCoalesceMs(): number {
  const ms = Number(process.env.MEDIA_KEYFRAME_COALESCE_MS ?? 0);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 1000) : 0;
}

export type Tag = 'source' | 'contributor';

/** A producer in the hub router. `origin` is the key of the link it came over (null = made here). */
export type HubProducer = {
  producer: ms.Producer;
  site: string;
  tag: Tag;
  /** The contribution a floor grant can name (contributors only; null for the source). */
  contribution: string | null;
  origin: string | null;
  seq: number;
};

export type SiteRouter = { router: ms.Router; pooled: PooledWorker };

type SessionEvents = {
  added: [HubProducer];
  removed: [HubProducer];
  programme: [Programme];
  floor: [string | null];
};

/** Who holds the floor, and which of its contributions is on air (null: none bound yet). */
export type Floor = { site: string | null; contribution: string | null };

export class Session extends EventEmitter<SessionEvents> {
  readonly producers = new Map<string, HubProducer>();
  floor: string | null = null;
  /** The contribution of the floor site that goes on air; no other producer of that site does. */
  contribution: string | null = null;
  /** Site → the router of the worker it was placed on. */
  private readonly routers = new Map<string, Promise<SiteRouter>>();
  /** The conference's router on each worker (the hub on its own). */
  private readonly perWorker = new Map<PooledWorker, Promise<SiteRouter>>();
  /** Sites placed on each worker: a new site goes where the fewest are. */
  private readonly placed = new Map<PooledWorker, number>();
  /** `${routerId} ${hubProducerId}` → id of the same media inside that router. */
  private readonly copies = new Map<string, Promise<string>>();
  private seq = 0;
  private version = Date.now();
  private lastKey = '';
  private current: Programme;
  closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly conf: string,
    readonly hubSite: string,
    readonly hub: SiteRouter,
    private readonly pool: WorkerPool,
    private readonly sites: readonly string[],
    private readonly isRoot: () => boolean,
  ) {
    super();
    this.routers.set(hubSite, Promise.resolve(hub));
    this.perWorker.set(hub.pooled, Promise.resolve(hub));
    this.placed.set(hub.pooled, 1);
    this.current = this.compute();
  }

  /** `isRoot`: whether this node roots the conference now (only the root binds an unbound floor). */
  static async create(conf: string, sites: readonly string[], pool: WorkerPool, isRoot: () => boolean = () => true): Promise<Session> {
    // an enrolled node may serve no site yet: its hub router still needs a name
    const hubSite = sites[0] ?? 'hub';
    const hub = await pool.createRouter(mediaCodecs, { conf, site: hubSite });
    return new Session(conf, hubSite, hub, pool, sites, isRoot);
  }

  hosts(site: string): boolean {
    return this.sites.includes(site);
  }

  /** The router serving a hosted site: its worker's router of this conference, made on first use. */
  router(site: string): Promise<SiteRouter> {
    if (this.closed) return Promise.reject(new AppError('UNAVAILABLE', 'conference session closed'));
    let r = this.routers.get(site);
    if (!r) {
      let worker = this.pool.workers[0]!;
      for (const w of this.pool.workers) if ((this.placed.get(w) ?? 0) < (this.placed.get(worker) ?? 0)) worker = w;
      this.placed.set(worker, (this.placed.get(worker) ?? 0) + 1);
      let wr = this.perWorker.get(worker);
      if (!wr) {
        wr = this.pool.createRouter(mediaCodecs, { conf: this.conf }, worker);
        this.perWorker.set(worker, wr);
        wr.catch(() => this.perWorker.delete(worker));
      }
      r = wr;
      this.routers.set(site, r);
      r.catch(() => {
        this.routers.delete(site);
        this.placed.set(worker, (this.placed.get(worker) ?? 1) - 1);
      });
    }
    return r;
  }

  /** Registers a producer made on this node (studio, contributor, ingest) in `site`'s router. */
  async addLocal(site: string, producer: ms.Producer, tag: Tag, contribution: string | null = null): Promise<HubProducer> {
    const { router } = await this.router(site);
    let hubProducer = producer;
    if (router !== this.hub.router) {
      // Same process: pipeToRouter; ids must differ when both routers share a worker.
      const { pipeProducer } = await router.pipeToRouter({ producerId: producer.id, router: this.hub.router, keepId: false, enableSctp: false });
      hubProducer = pipeProducer!;
      this.copies.set(`${router.id} ${hubProducer.id}`, Promise.resolve(producer.id));
    }
    return this.add(hubProducer, site, tag, tag === 'contributor' ? contribution : null, null);
  }

  /** Registers a producer that arrived over a pipe from neighbour node `origin`. */
  addRemote(producer: ms.Producer, site: string, tag: Tag, contribution: string | null, origin: string): HubProducer {
    return this.add(producer, site, tag, tag === 'contributor' ? contribution : null, origin);
  }

  private add(producer: ms.Producer, site: string, tag: Tag, contribution: string | null, origin: string | null): HubProducer {
    const hp: HubProducer = { producer, site, tag, contribution, origin, seq: ++this.seq };
    this.producers.set(producer.id, hp);
    producer.observer.once('close', () => {
      this.producers.delete(producer.id);
      for (const key of [...this.copies.keys()]) if (key.endsWith(` ${producer.id}`)) this.copies.delete(key);
      this.emit('removed', hp);
      this.refresh();
    });
    this.emit('added', hp);
    this.refresh();
    return hp;
  }

  /** Id of hub producer `hubId` inside `site`'s router, piping it to that worker once on first use. */
  async producerIdIn(site: string, hubId: string): Promise<string> {
    const { router } = await this.router(site);
    if (router === this.hub.router) return hubId;
    const key = `${router.id} ${hubId}`;
    let p = this.copies.get(key);
    if (!p) {
      p = (async () => {
        const { pipeProducer } = await this.hub.router.pipeToRouter({ producerId: hubId, router, keepId: false, enableSctp: false });
        return pipeProducer!.id;
      })();
      this.copies.set(key, p);
      p.catch(() => this.copies.delete(key));
    }
    return p;
  }

  setFloor(floor: string | null, contribution: string | null = null): void {
    const bound = floor === null ? null : contribution;
    if (floor === this.floor && bound === this.contribution) return;
    this.floor = floor;
    this.contribution = bound;
    this.emit('floor', floor);
    this.refresh();
  }

  /** Whether `hp` is the floor's contribution: the bound one, or while none is bound, the first of the site to arrive. */
  onFloor(hp: HubProducer): boolean {
    return hp.tag === 'contributor' && this.floor === hp.site && hp.contribution !== null && hp.contribution === this.effective();
  }

  /**
   * Whether `hp` should travel towards the root for the floor: the bound contribution, or every
   * contribution of the floor site while none is bound (the root binds the first to arrive).
   */
  wantedForFloor(hp: HubProducer): boolean {
    return hp.tag === 'contributor' && this.floor === hp.site && hp.contribution !== null && (this.contribution === null || hp.contribution === this.contribution);
  }

  /** The bound contribution, else the earliest contribution of the floor site present here. */
  private effective(): string | null {
    if (this.floor === null || this.contribution !== null) return this.contribution;
    let first: HubProducer | undefined;
    for (const p of this.producers.values()) {
      if (p.tag === 'contributor' && p.site === this.floor && p.contribution !== null && !p.producer.closed && (!first || p.seq < first.seq)) first = p;
    }
    return first?.contribution ?? null;
  }

  /**
   * At the root, a grant naming no contribution binds the first one of the site that arrives; the
   * node reports it and control records it, so a later producer of the site (or a root restart)
   * never changes what is on air. Children learn the binding with the floor.
   */
  private bindFirstArrival(): void {
    if (this.floor === null || this.contribution !== null || !this.isRoot()) return;
    const first = this.effective();
    if (first === null) return;
    this.contribution = first;
    this.emit('floor', this.floor);
  }

  programme(): Programme {
    return this.current;
  }

  /**
   * Root source normally; the floor's bound contribution while it holds the floor and has arrived.
   * Another producer of the floor site (a second console, a participant's phone) never goes on air.
   */
  private compute(): Programme {
    const all = [...this.producers.values()].filter((p) => !p.producer.closed);
    const floorSet = all.filter((p) => this.onFloor(p));
    const chosen = floorSet.length ? floorSet : all.filter((p) => p.tag === 'source');
    const latest = new Map<string, HubProducer>();
    for (const p of chosen) {
      const prev = latest.get(p.producer.kind);
      if (!prev || p.seq > prev.seq) latest.set(p.producer.kind, p);
    }
    const producers = [...latest.values()]
      .sort((a, b) => a.producer.kind.localeCompare(b.producer.kind))
      .map((p) => ({ id: p.producer.id, kind: p.producer.kind }));
    return {
      conf: this.conf,
      source: chosen[0]?.site ?? null,
      floor: this.floor,
      contribution: this.contribution,
      version: this.version,
      producers,
    };
  }

  private refresh(): void {
    if (this.closed) return;
    this.bindFirstArrival();
    const next = this.compute();
    const key = JSON.stringify([next.source, next.floor, next.contribution, next.producers]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    next.version = ++this.version;
    this.current = next;
    this.emit('programme', next);
  }

  /** Idempotent: closes the conference's routers (their transports, producers and consumers with them). */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = (async () => {
      for (const r of this.perWorker.values()) {
        try {
          (await r).router.close();
        } catch {
          // a router that failed to be created has nothing to close
        }
      }
      this.routers.clear();
      this.perWorker.clear();
      this.copies.clear();
      this.producers.clear();
      this.removeAllListeners();
    })();
    return this.closing;
  }
}
