// Capped exponential backoff with jitter: the cascade crosses WAN links that
// come back on their own, so retries never give up, they only slow down.

export type BackoffOptions = {
  /** First delay (ms). Default 500. */
  minMs?: number;
  /** Largest delay (ms). Default 15 000. */
  maxMs?: number;
  /** Fraction of the delay drawn at random either way (0..1), so peers do not retry in step. Default 0.3. */
  jitter?: number;
};

export const DEFAULT_BACKOFF = { minMs: 500, maxMs: 15_000, jitter: 0.3 } as const;

export class Backoff {
  private attempt = 0;
  private readonly o: Required<BackoffOptions>;

  constructor(o: BackoffOptions = {}) {
    this.o = { ...DEFAULT_BACKOFF, ...o };
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next try; each call doubles the base up to the cap. */
  next(): number {
    const base = Math.min(this.o.maxMs, this.o.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const spread = base * this.o.jitter;
    return Math.max(0, Math.round(base - spread + Math.random() * 2 * spread));
  }

  /** After a success: the next failure starts from the first delay again. */
  reset(): void {
    this.attempt = 0;
  }
}
