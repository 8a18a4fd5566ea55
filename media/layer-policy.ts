// The simulcast layer each hall gets, chosen per hall. mediasoup's bandwidth
// estimate picks the layers to fit the hall's link, but given the choice it
// keeps the bigger picture at a fraction of its frames (temporal layer 0 is a
// quarter of the frame rate) rather than a smaller picture at the full rate. A
// hall is watched from across a room: smooth motion and steady sound matter
// more than resolution. So while a hall's consumer runs below its full frame
// rate on a spatial layer above the lowest, its preferred spatial layer is
// lowered; once the hall reports no loss the next layer up is tried again after
// a while (longer after each try that failed), so the picture climbs back by
// itself when the link recovers.
// Relay hops (node-to-node pipes) carry every layer: each hall below chooses.
// Below the lowest layer, the hall's video pauses and comes back by itself
// (media/audio-only.ts), decided with the layers here.
import type { types as ms } from 'mediasoup';
import { AudioOnlyFallback, type AudioOnlyOptions } from './audio-only.js';

export interface LayerPolicyOptions {
  /** How long a reduced frame rate must last before stepping down (ms); default 2000. */
  downAfterMs?: number;
  /** First wait before trying the next layer up (ms), doubled after a failed try; default 10 000. */
  upAfterMs?: number;
  /** Longest wait between tries (ms); default 30 000. */
  maxUpAfterMs?: number;
  /** How often the consumer's layers are looked at (ms); default 1000. */
  checkMs?: number;
  /**
   * The hall's transport: with it, a link too thin for the lowest layer pauses the video and
   * tries it again later (media/audio-only.ts; `audioOnly` tunes that, false turns it off).
   */
  transport?: ms.Transport;
  audioOnly?: AudioOnlyOptions | false;
}

/** Spatial and temporal layer counts from a consumer's scalability mode (e.g. "L3T3"). */
export function layerCounts(c: ms.Consumer): { spatial: number; temporal: number } {
  const m = /^[LS](\d+)T(\d+)/.exec(c.rtpParameters.encodings?.[0]?.scalabilityMode ?? '');
  return m ? { spatial: Number(m[1]), temporal: Number(m[2]) } : { spatial: 1, temporal: 1 };
}

export class LayerPolicy {
  private readonly max: { spatial: number; temporal: number };
  /** The hall's own cap (it asks for the top layer; a smaller screen could ask for less). */
  private ceiling: number;
  /** This policy's cap, from the frame rate the hall's link carries. */
  private limit: number;
  private slowSince: number | null = null;
  private lastChange = Date.now();
  private lastUp = 0;
  private upAfter: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  /** Pauses the video when even the lowest layer does not fit (null without a transport). */
  readonly fallback: AudioOnlyFallback | null;

  constructor(private readonly consumer: ms.Consumer, private readonly o: LayerPolicyOptions = {}) {
    this.max = layerCounts(consumer);
    this.fallback = o.transport && o.audioOnly !== false ? new AudioOnlyFallback(consumer, o.transport, o.audioOnly || {}) : null;
    this.ceiling = this.max.spatial - 1;
    this.limit = this.ceiling;
    this.upAfter = o.upAfterMs ?? 10_000;
    this.timer = setInterval(() => this.check(), o.checkMs ?? 1000);
    this.timer.unref?.();
    consumer.observer.once('close', () => this.close());
  }

  /** The hall asked for at most this spatial layer. */
  async setCeiling(spatial: number): Promise<void> {
    this.ceiling = Math.max(0, Math.min(spatial, this.max.spatial - 1));
    await this.apply(this.limit);
  }

  /** The spatial layer the consumer may have now. */
  get chosen(): number {
    return Math.min(this.ceiling, this.limit);
  }

  private check(now = Date.now()): void {
    if (this.closed || this.consumer.closed || this.consumer.paused) return;
    const cur = this.consumer.currentLayers;
    const full = this.max.temporal - 1;
    if (!cur) return;
    const slow = (cur.temporalLayer ?? full) < full && cur.spatialLayer > 0;
    this.slowSince = slow ? (this.slowSince ?? now) : null;
    if (this.slowSince !== null && now - this.slowSince >= (this.o.downAfterMs ?? 2000)) {
      // a step up that could not hold: wait longer before the next one
      if (this.lastUp && now - this.lastUp < this.upAfter + (this.o.downAfterMs ?? 2000) * 2) {
        this.upAfter = Math.min(this.upAfter * 2, this.o.maxUpAfterMs ?? 30_000);
      }
      this.slowSince = null;
      void this.apply(cur.spatialLayer - 1);
      return;
    }
    // climb only on a clean link (the hall reports no loss: score 10): trying the next layer on a
    // lossy one only shows it at a quarter of the frames until the policy steps back
    const clean = this.consumer.score.score >= 10;
    if (this.limit < this.ceiling && !slow && clean && cur.spatialLayer === this.chosen && now - this.lastChange >= this.upAfter) {
      this.lastUp = now;
      void this.apply(this.limit + 1);
    } else if (this.lastUp && now - this.lastUp > 60_000) {
      this.upAfter = this.o.upAfterMs ?? 10_000; // held a minute: the link is fine again
      this.lastUp = 0;
    }
  }

  /** Sets this policy's cap and tells mediasoup the resulting preferred layers. */
  private async apply(limit: number): Promise<void> {
    if (this.closed || this.consumer.closed) return;
    this.limit = Math.max(0, limit);
    this.lastChange = Date.now();
    await this.consumer.setPreferredLayers({ spatialLayer: this.chosen, temporalLayer: this.max.temporal - 1 }).catch(() => undefined);
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.fallback?.close();
  }
}
