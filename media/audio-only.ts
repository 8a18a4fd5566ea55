// Audio only on a link too thin for even the lowest picture. mediasoup's
// bandwidth estimate already drops a hall to the lowest simulcast layer and,
// when even that layer's base frames do not fit, forwards no layer at all —
// while the sound it never counts keeps competing for the same link. A hall
// whose link cannot carry the lowest layer's base frames plus its sound gets
// its video consumer paused (the sound then has the link to itself) and is
// told why, so it shows the title card with a small badge instead of a frozen
// picture. Video is tried again by itself after a wait (doubling after each try
// that failed); a try that holds tells the hall the picture is back.
//
// The signal is mediasoup's own figures, read once a second, all three at once
// for most of `holdMs`:
//   - the consumer forwards no layer at all while its source sends (a producer
//     stream score above 0): mediasoup's own verdict that even the lowest
//     layer's base frames do not fit its bandwidth estimate;
//   - the hall transport's `availableOutgoingBitrate` (that transport-cc
//     estimate, which the sound shares with the picture) below what the lowest
//     layer's base frames need (the producer stream's `bitrateByLayer['0.0']`,
//     as last measured) plus the sound's share (`audioReserve`).
// A lowest layer that still moves, even at a quarter of its frames, is kept:
// on the `poor` test link (512 kbit/s, 250 ms, 5 % loss) the estimate dips to
// ~70 kbit/s at times with the base frames still flowing. On 150 kbit/s it
// falls to 30-50 kbit/s and mediasoup forwards nothing: that hall gets sound only.
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';

export interface AudioOnlyOptions {
  /** How long (ms) the link must look too thin before video pauses; default 6000. */
  holdMs?: number;
  /** Share of the checks within `holdMs` that must look too thin (0..1); default 0.8. */
  share?: number;
  /** Bit/s the sound needs beside the picture (Opus with in-band FEC, with headers); default 48 000. */
  audioReserve?: number;
  /** Bit/s the lowest layer's base frames need, until measured from the producer's stream; default 100 000. */
  lowestLayerBitrate?: number;
  /** First wait before trying video again (ms), doubled after each try that failed; default 10 000. */
  retryMs?: number;
  /** Longest wait between tries (ms); default 60 000. */
  maxRetryMs?: number;
  /** How long (ms) a try must hold before the hall is told the picture is back; default 8000. */
  trialMs?: number;
  /** How often the figures are read (ms); default 1000. */
  checkMs?: number;
}

export interface AudioOnlyEvents {
  /** The hall's video was paused (`retryInMs`: when it is tried again) or is back (audioOnly false). */
  change: [audioOnly: boolean, retryInMs: number | null];
}

/** What one check saw, for logs and tests. */
export interface AudioOnlySample {
  layer: number | null;
  available: number | null;
  need: number;
  thin: boolean;
}

type State = 'video' | 'audio-only' | 'trial';

export class AudioOnlyFallback extends EventEmitter<AudioOnlyEvents> {
  private state: State = 'video';
  private readonly samples: boolean[] = [];
  private lowest: number;
  private retryMs: number;
  private retryAt = 0;
  private trialSince = 0;
  private busy = false;
  private checks = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  /** The last check's figures. */
  last: AudioOnlySample | null = null;

  constructor(private readonly consumer: ms.Consumer, private readonly transport: ms.Transport, private readonly o: AudioOnlyOptions = {}) {
    super();
    this.lowest = o.lowestLayerBitrate ?? 100_000;
    this.retryMs = o.retryMs ?? 10_000;
    this.timer = setInterval(() => void this.check(), o.checkMs ?? 1000);
    this.timer.unref?.();
    consumer.observer.once('close', () => this.close());
  }

  /** The hall gets sound only (its video consumer is paused by this fallback, or on trial). */
  get audioOnly(): boolean {
    return this.state !== 'video';
  }

  private async check(now = Date.now()): Promise<void> {
    if (this.closed || this.busy || this.consumer.closed) return;
    this.busy = true;
    try {
      if (this.state === 'audio-only') {
        if (now >= this.retryAt) await this.tryVideo(now);
        return;
      }
      // paused by the hall itself, or its source paused: nothing to judge
      if (this.consumer.paused || this.consumer.producerPaused) { this.samples.length = 0; return; }
      const thin = await this.looksThin();
      const window = Math.max(1, Math.round((this.o.holdMs ?? 6000) / (this.o.checkMs ?? 1000)));
      this.samples.push(thin);
      while (this.samples.length > window) this.samples.shift();
      const full = this.samples.length === window && this.samples.filter(Boolean).length >= window * (this.o.share ?? 0.8);
      if (full) await this.pause(now);
      else if (this.state === 'trial' && now - this.trialSince >= (this.o.trialMs ?? 8000)) {
        this.state = 'video';
        this.retryMs = this.o.retryMs ?? 10_000;
        this.emit('change', false, null);
      }
    } catch {
      // a consumer or transport closing under us: the next check (if any) sees it
    } finally {
      this.busy = false;
    }
  }

  /** No layer forwarded while the source sends, and the estimate below the base frames' need plus the sound's. */
  private async looksThin(): Promise<boolean> {
    const cur = this.consumer.currentLayers;
    const layer = cur ? cur.spatialLayer : null;
    // a source that stopped sending leaves no layer either: not the hall's link
    const sending = Math.max(0, ...this.consumer.score.producerScores) > 0;
    if ((layer !== null && layer > 0) || !sending) { this.last = { layer, available: null, need: this.lowest + this.reserve, thin: false }; return false; }
    // learn the base layer's bitrate while it flows (every few checks: a worker request)
    if (layer === 0 && this.checks++ % 5 === 0) {
      for (const s of await this.consumer.getStats()) {
        const b = (s as { bitrateByLayer?: Record<string, number> }).bitrateByLayer?.['0.0'];
        if (s.type === 'inbound-rtp' && typeof b === 'number' && b > 0) this.lowest = b;
      }
    }
    const st = (await this.transport.getStats())[0] as { availableOutgoingBitrate?: number } | undefined;
    // 0 = no estimate yet (the transport has not connected): nothing to judge
    const available = typeof st?.availableOutgoingBitrate === 'number' && st.availableOutgoingBitrate > 0 ? st.availableOutgoingBitrate : null;
    const need = this.lowest + this.reserve;
    const thin = layer === null && available !== null && available < need;
    this.last = { layer, available, need, thin };
    return thin;
  }

  private get reserve(): number {
    return this.o.audioReserve ?? 48_000;
  }

  private async pause(now: number): Promise<void> {
    if (this.state === 'trial') this.retryMs = Math.min(this.retryMs * 2, this.o.maxRetryMs ?? 60_000);
    const wait = this.retryMs;
    this.samples.length = 0;
    await this.consumer.pause();
    const wasTrial = this.state === 'trial';
    this.state = 'audio-only';
    this.retryAt = now + wait;
    // a failed try changes nothing on the hall's screen, it only learns when the next one is
    if (!wasTrial) this.emit('change', true, wait);
  }

  private async tryVideo(now: number): Promise<void> {
    this.state = 'trial';
    this.trialSince = now;
    this.samples.length = 0;
    await this.consumer.resume();
    await this.consumer.requestKeyFrame().catch(() => undefined);
  }

  /** Idempotent. Leaves the consumer as it is (it is closing, or the hall consumes anew). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.removeAllListeners();
  }
}
