// Relays of hub producers over node links: the policy deciding which producer
// travels over which link, the pipe consumers that carry them, and the retries
// of failed hops. Kept apart from the cascade, which owns the sessions, links
// and pipes these relays run over.
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { AppError } from '../signaling/common.js';
import { NodeEvents } from '../signaling/media.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { Link } from './link.js';
import type { HubProducer, Session } from './session.js';
import type { StatsRegistry } from './stats.js';

export type RelaysOptions = {
  /** Whether this node roots `conf`: nothing of a conference goes above its root. */
  isRoot: (conf: string) => boolean;
  /** The link's pipe for `conf`, set up on first use (the cascade owns the pipes). */
  pipe: (link: Link, conf: string) => Promise<ms.PipeTransport>;
  /** True once the node is closing: failed hops are then no longer retried. */
  closing: () => boolean;
  stats: StatsRegistry;
  log: Logger;
  /** Backoff of failed relay hops (retried for as long as they are wanted). */
  retry?: BackoffOptions;
};

export class Relays {
  /** Relays being set up, by `${link.key} ${conf} ${producerId}`. */
  private readonly pending = new Set<string>();
  /** Per failing relay (`${link.key} ${conf} ${producerId}`): its backoff and the scheduled retry. */
  private readonly retries = new Map<string, { backoff: Backoff; timer?: NodeJS.Timeout }>();

  constructor(private readonly o: RelaysOptions) {}

  /** Whether `hp` of session `s` should travel over `link` now. */
  shouldRelay(link: Link, s: Session, hp: HubProducer): boolean {
    if (link.closed || link.peerId === '?' || hp.producer.closed) return false;
    if (hp.origin === link.key) return false;
    // nothing of a conference goes above its root, nor down to a subtree that needs none of it
    if (link.role === 'parent' && this.o.isRoot(s.conf)) return false;
    if (link.role === 'child' && link.carries && !link.carries.has(s.conf)) return false;
    if (hp.origin === null) {
      // the session's own source flows down; a site's contribution moves only while it holds the floor
      if (hp.tag === 'source') return link.role === 'child';
      return s.wantedForFloor(hp);
    }
    // relayed media floods the tree away from where it came from
    return true;
  }

  /** Starts or tears down the relay of `hp` over `link` so it matches the policy. */
  reconcile(link: Link, s: Session, hp: HubProducer): void {
    const relayed = link.out.has(`${s.conf} ${hp.producer.id}`);
    const should = this.shouldRelay(link, s, hp);
    if (should && !relayed) void this.relay(link, s, hp);
    if (!should && relayed) this.unrelay(link, s, hp.producer.id);
  }

  /** Relays `hp` over `link` (once); a failed hop is retried while it is wanted. */
  async relay(link: Link, s: Session, hp: HubProducer): Promise<void> {
    const key = `${s.conf} ${hp.producer.id}`;
    const pendingKey = `${link.key} ${key}`;
    if (link.out.has(key) || this.pending.has(pendingKey)) return;
    this.pending.add(pendingKey);
    let consumer: ms.Consumer | undefined;
    let announced = false;
    try {
      const pipe = await this.o.pipe(link, s.conf);
      if (!this.shouldRelay(link, s, hp)) return this.clearRetry(pendingKey);
      consumer = await pipe.consume({ producerId: hp.producer.id });
      const c = consumer;
      this.adopt(link, s, hp, c);
      announced = true;
      await link.request(NodeEvents.producerAdded, {
        conf: s.conf,
        producerId: hp.producer.id,
        kind: c.kind,
        rtpParameters: c.rtpParameters,
        paused: c.producerPaused,
        site: hp.site,
        tag: hp.tag,
        contribution: hp.contribution,
      });
      this.clearRetry(pendingKey);
      this.o.log.info({ conf: s.conf, producer: hp.producer.id, kind: c.kind, to: link.peerId, site: hp.site }, 'relaying producer');
      // the floor may have moved while we were setting up
      if (!this.shouldRelay(link, s, hp) && !c.closed) this.unrelay(link, s, hp.producer.id);
    } catch (err) {
      consumer?.close();
      // the peer may have made its copy even though we never heard back: drop it before trying again
      if (announced) this.notify(link, NodeEvents.producerClosed, { conf: s.conf, producerId: hp.producer.id });
      this.scheduleRetry(link, s, hp, err);
    } finally {
      this.pending.delete(pendingKey);
    }
  }

  /**
   * Makes `c` the consumer carrying `hp` over `link` (a pipe consumer, or a hop's one-layer
   * consumer, hop-layers.ts): the peer hears when the producer closes, pauses or resumes.
   */
  adopt(link: Link, s: Session, hp: HubProducer, c: ms.Consumer): void {
    const key = `${s.conf} ${hp.producer.id}`;
    link.out.set(key, c);
    c.observer.once('close', () => {
      if (link.out.get(key) === c) link.out.delete(key);
    });
    c.on('producerclose', () => this.notify(link, NodeEvents.producerClosed, { conf: s.conf, producerId: hp.producer.id }));
    c.on('producerpause', () => this.notify(link, NodeEvents.producerPaused, { conf: s.conf, producerId: hp.producer.id, paused: true }));
    c.on('producerresume', () => this.notify(link, NodeEvents.producerPaused, { conf: s.conf, producerId: hp.producer.id, paused: false }));
    this.o.stats.track({ conf: s.conf, site: s.hubSite, hop: 'pipe', direction: 'out', peer: () => link.peerId, producerId: hp.producer.id, target: { kind: 'consumer', consumer: c } });
  }

  /** Stops relaying `producerId` over `link` and tells the peer to drop its copy. */
  unrelay(link: Link, s: Session, producerId: string): void {
    const key = `${s.conf} ${producerId}`;
    link.out.get(key)?.close();
    link.out.delete(key);
    this.notify(link, NodeEvents.producerClosed, { conf: s.conf, producerId });
    this.o.log.info({ conf: s.conf, producer: producerId, to: link.peerId }, 'relay torn down');
  }

  /** Forgets the scheduled retries over a closed link. */
  forgetLink(link: Link): void {
    for (const k of [...this.retries.keys()]) if (k.startsWith(`${link.key} `)) this.clearRetry(k);
  }

  /** Forgets the scheduled retries and pending relays of an ended conference. */
  forgetConference(conf: string): void {
    for (const k of [...this.retries.keys()]) if (k.split(' ')[1] === conf) this.clearRetry(k);
    for (const k of [...this.pending]) if (k.split(' ')[1] === conf) this.pending.delete(k);
  }

  /** Cancels every scheduled retry (the node is closing). */
  clearRetries(): void {
    for (const k of [...this.retries.keys()]) this.clearRetry(k);
  }

  /** A failed hop is retried for as long as the relay is wanted, slower and slower (capped). */
  private scheduleRetry(link: Link, s: Session, hp: HubProducer, err: unknown): void {
    const pendingKey = `${link.key} ${s.conf} ${hp.producer.id}`;
    const conflict = err instanceof AppError && err.code === 'CONFLICT';
    if (this.o.closing() || link.closed || conflict || !this.shouldRelay(link, s, hp)) {
      this.clearRetry(pendingKey);
      if (conflict) this.o.log.warn({ conf: s.conf, to: link.peerId, producer: hp.producer.id }, 'relay refused: the peer already has it');
      return;
    }
    let r = this.retries.get(pendingKey);
    if (!r) {
      r = { backoff: new Backoff(this.o.retry) };
      this.retries.set(pendingKey, r);
    }
    if (r.timer) return;
    const delay = r.backoff.next();
    const entry = r;
    this.o.log.warn({ conf: s.conf, to: link.peerId, producer: hp.producer.id, attempt: entry.backoff.attempts, retryInMs: delay, err: String(err) }, 'relay failed, retrying');
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.shouldRelay(link, s, hp) && !this.o.closing()) void this.relay(link, s, hp);
      else this.clearRetry(pendingKey);
    }, delay);
    entry.timer.unref();
  }

  private clearRetry(pendingKey: string): void {
    const r = this.retries.get(pendingKey);
    if (r?.timer) clearTimeout(r.timer);
    this.retries.delete(pendingKey);
  }

  private notify(link: Link, event: string, payload: unknown): void {
    if (!link.closed) link.request(event, payload).catch((err) => this.o.log.debug({ event, err: String(err) }, 'notify failed'));
  }
}
