// Which of the conference's sequence numbers (one per count write or presence
// change, server/scripts.ts) this page has seen the effect of, from the
// snapshot or from a push's `covers`, and the highest it knows to exist. A
// number known but not seen for a while means a push was lost on the way
// (a failover, an instance that died before it pushed): re-read the snapshot.
import type { SeqCovers } from '../../signaling/control.js';

export class SeqCoverage {
  /** Every number up to here is accounted for. */
  private base = 0;
  /** Seen above `base`: sorted, disjoint, never touching `base + 1`. */
  private ranges: [number, number][] = [];
  /** The highest number known to exist. */
  private topSeq = 0;
  /** False until the service shows it sends `covers` (an older one does not: then nothing is tracked). */
  tracking = false;

  get upTo(): number { return this.base; }
  get top(): number { return this.topSeq; }
  /** A number is known that no snapshot or push has accounted for yet. */
  get missing(): boolean { return this.tracking && this.topSeq > this.base; }

  /** A snapshot read at `seq` carries the effect of every number up to it. */
  snapshot(seq: number): void {
    this.base = Math.max(this.base, seq);
    this.topSeq = Math.max(this.topSeq, seq);
    this.settle();
  }

  /**
   * Starts again from a snapshot whose sequence is below numbers already seen: the service lost writes
   * (a Redis failover before they reached the replica) and hands those numbers out again.
   */
  reset(seq: number): void {
    this.base = this.topSeq = seq;
    this.ranges = [];
  }

  /** A number exists (a push's or the periodic `push:seq`'s `seq`). */
  known(seq: number): void {
    this.topSeq = Math.max(this.topSeq, seq);
  }

  /** A push carried these numbers. */
  cover(covers: SeqCovers): void {
    this.tracking = true;
    for (const [a, b] of covers) {
      if (b <= this.base || b < a) continue;
      this.topSeq = Math.max(this.topSeq, b);
      this.ranges.push([Math.max(a, this.base + 1), b]);
    }
    this.ranges.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const r of this.ranges) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.ranges = merged;
    this.settle();
  }

  private settle(): void {
    this.ranges = this.ranges.filter((r) => r[1] > this.base);
    while (this.ranges.length && this.ranges[0]![0] <= this.base + 1) this.base = Math.max(this.base, this.ranges.shift()![1]);
  }
}
