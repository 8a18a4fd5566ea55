// One simulcast layer over a relay hop instead of all of them. A pipe consumer
// forwards every encoding of the studio's simulcast, so a weak hop (a district
// on a 1 Mbps link) carries ~2 Mbps of layers, drops packets of all of them and
// every hall below stutters. When the child finds its hop too weak
// (hop-monitor.ts), it asks its parent for one layer: the parent consumes the
// producer on a PlainTransport (SRTP, NACK/RTX) — a simulcast consumer, which
// sends one stream and honours preferred layers — and the child produces that
// stream under the same id, in place of its pipe copy, as a failover re-attach
// does: the halls below see the producer go and come back and consume it again.
// Uncapping is the same swap the other way round. A hop that is never capped
// keeps its pipes exactly as before.
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { AppError, type Ack } from '../signaling/common.js';
import { HopCapReq, HopCapRes, HopEvents } from '../signaling/hop.js';
import type { NodeProducerAdded } from '../signaling/media.js';
import type { z } from 'zod';
import type { Link } from './link.js';
import type { Relays } from './relay.js';
import type { Session } from './session.js';

export type HopLayersOptions = {
  listenIp: string;
  announcedIp: string;
  ports?: { min: number; max: number };
  /** The running session of `conf` on this node, if any. */
  session: (conf: string) => Session | undefined;
  relays: Relays;
  /** Produces what the parent relays, on `transport` (the cascade's adoptRemote). */
  adopt: (link: Link, m: z.infer<typeof NodeProducerAdded>, transport: ms.Transport, hop: 'capped') => Promise<ms.Producer>;
  log: Logger;
};

type Endpoint = { ip: string; port: number; srtpParameters?: ms.SrtpParameters };

/** The cap of one relayed producer as the child sees it (null: every layer over the pipe). */
export function cappedLayer(p: ms.Producer): boolean {
  return (p.appData as { hop?: string }).hop === 'capped';
}

export class HopLayers {
  /** Per parent link: this side's one-layer transports (their bytes count as media from the parent). */
  private readonly receiving = new WeakMap<Link, Set<ms.PlainTransport>>();

  constructor(private readonly o: HopLayersOptions) {}

  /** Bytes received so far on `link`'s one-layer transports: media arriving even mid-swap. */
  async inboundBytes(link: Link): Promise<number> {
    let total = 0;
    for (const t of this.receiving.get(link) ?? []) {
      const st = await t.getStats().catch(() => []);
      for (const x of st) total += (x as { bytesReceived?: number }).bytesReceived ?? 0;
    }
    return total;
  }

  private async plain(s: Session): Promise<ms.PlainTransport> {
    return s.hub.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: this.o.listenIp, announcedAddress: this.o.announcedIp, ...(this.o.ports ? { portRange: this.o.ports } : {}) },
      rtcpMux: true,
      comedia: false,
      enableSrtp: true, // the hops cross a WAN
    });
  }

  private endpoint(t: ms.PlainTransport): Endpoint {
    return { ip: this.o.announcedIp, port: t.tuple.localPort, ...(t.srtpParameters ? { srtpParameters: t.srtpParameters } : {}) };
  }

  // ---- parent side -------------------------------------------------------

  /** Answers a child link's cap requests. */
  serve(link: Link): void {
    link.handle(HopEvents.cap, HopCapReq, async (m): Promise<HopCapRes> => {
      if (link.peerId === '?') throw new AppError('FORBIDDEN', 'register first');
      const s = this.o.session(m.conf);
      const hp = s?.producers.get(m.producerId);
      if (!s || !hp || hp.producer.closed) throw new AppError('NOT_FOUND', 'no such producer here');
      const key = `${m.conf} ${m.producerId}`;
      const cur = link.out.get(key);
      if (m.layer === null) {
        // every layer again: the child dropped its copy before asking (the one-layer one, or
        // whichever it had after a cap it never heard the answer of), so it is sent anew
        cur?.close();
        if (this.o.relays.shouldRelay(link, s, hp)) void this.o.relays.relay(link, s, hp);
        this.o.log.info({ conf: m.conf, producer: m.producerId, to: link.peerId }, 'hop carries every layer again');
        return {};
      }
      if (cur && cur.type === 'simulcast') {
        await cur.setPreferredLayers({ spatialLayer: m.layer });
        this.o.log.info({ conf: m.conf, producer: m.producerId, to: link.peerId, layer: m.layer }, 'hop capped at another layer');
        return {};
      }
      if (!m.endpoint) throw new AppError('BAD_REQUEST', 'a first cap names the child\'s transport');
      if (hp.producer.type !== 'simulcast') throw new AppError('CONFLICT', 'this producer has one layer only');
      if (!cur || !this.o.relays.shouldRelay(link, s, hp)) throw new AppError('CONFLICT', 'this producer is not relayed to you');
      const t = await this.plain(s);
      let c: ms.Consumer | undefined;
      try {
        await t.connect(m.endpoint as Parameters<ms.PlainTransport['connect']>[0]);
        c = await t.consume({ producerId: hp.producer.id, rtpCapabilities: s.hub.router.rtpCapabilities, preferredLayers: { spatialLayer: m.layer } });
      } catch (err) {
        t.close();
        throw err;
      }
      const consumer = c;
      consumer.observer.once('close', () => t.close());
      link.onClose(() => t.close());
      // the child closes its pipe copy when it hears back: no producerClosed for it
      if (link.out.get(key) === cur) cur.close();
      this.o.relays.adopt(link, s, hp, consumer);
      this.o.log.info({ conf: m.conf, producer: m.producerId, to: link.peerId, layer: m.layer, port: t.tuple.localPort }, 'hop capped: one layer instead of all');
      return { endpoint: this.endpoint(t), rtpParameters: oneStream(consumer.rtpParameters), paused: consumer.producerPaused };
    });
  }

  // ---- child side --------------------------------------------------------

  /**
   * Asks the parent over `link` for `layer` of the relayed `producerId` only (null: every layer
   * again), and swaps this node's copy of it. Resolves once the swap is done.
   */
  async setCap(link: Link, conf: string, producerId: string, layer: number | null): Promise<void> {
    const key = `${conf} ${producerId}`;
    const cur = link.in.get(key);
    const s = this.o.session(conf);
    const hp = s?.producers.get(producerId);
    if (!cur || !s || !hp || link.closed) return;
    if (layer === null) {
      if (!cappedLayer(cur)) return;
      // drop the one-layer copy first: the pipe copy arrives as the parent relays it again
      cur.close();
      await ask(link, { conf, producerId, layer: null });
      return;
    }
    if (cappedLayer(cur)) {
      await ask(link, { conf, producerId, layer });
      return;
    }
    const t = await this.plain(s);
    let mine = this.receiving.get(link);
    if (!mine) this.receiving.set(link, (mine = new Set()));
    mine.add(t);
    t.observer.once('close', () => mine.delete(t));
    try {
      const res = HopCapRes.parse(await ask(link, { conf, producerId, layer, endpoint: this.endpoint(t) }));
      if (!res.endpoint || !res.rtpParameters) throw new AppError('INTERNAL', 'the parent sent no transport for the capped stream');
      await t.connect(res.endpoint as Parameters<ms.PlainTransport['connect']>[0]);
      if (link.in.get(key) === cur) cur.close();
      const p = await this.o.adopt(link, {
        conf, producerId, kind: 'video', rtpParameters: res.rtpParameters, paused: res.paused ?? false,
        site: hp.site, tag: hp.tag, contribution: hp.contribution,
      }, t, 'capped');
      p.observer.once('close', () => t.close());
      link.onClose(() => t.close());
    } catch (err) {
      t.close();
      // the parent may have swapped already (its answer lost on the congested hop): drop what is
      // here and ask for every layer over the pipe again, which holds either way
      if (!link.closed) {
        link.in.get(key)?.close();
        ask(link, { conf, producerId, layer: null }).catch((e) => this.o.log.warn({ conf, producer: producerId, err: String(e) }, 'asking the parent for the pipe again failed'));
      }
      throw err;
    }
  }
}

/**
 * A cap request. The answer may travel the very hop that is congested (the node link shares it),
 * so it is given longer than other node requests before the swap is given up.
 */
async function ask(link: Link, req: HopCapReq, timeoutMs = 30_000): Promise<unknown> {
  if (link.closed) throw new AppError('UNAVAILABLE', 'link closed');
  let res: Ack<unknown>;
  try {
    res = await link.wire.timeout(timeoutMs).emitWithAck(HopEvents.cap, req);
  } catch {
    throw new AppError('UNAVAILABLE', `${HopEvents.cap}: no answer from node ${link.peerId}`);
  }
  if (!res || typeof res !== 'object') throw new AppError('INTERNAL', `${HopEvents.cap}: malformed ack`);
  if (!res.ok) throw new AppError(res.error?.code ?? 'INTERNAL', `${HopEvents.cap} at ${link.peerId}: ${res.error?.message}`);
  return res.data;
}

/**
 * The parameters a simulcast consumer sends with, as one plain stream: its single encoding
 * without the scalability mode (else the child would take it for an SVC stream), no mid.
 */
function oneStream(p: ms.RtpParameters): ms.RtpParameters {
  const e = p.encodings?.[0];
  const { mid: _mid, ...rest } = p;
  return {
    ...rest,
    encodings: e ? [{ ssrc: e.ssrc, ...(e.rtx ? { rtx: e.rtx } : {}) }] : [],
  };
}
