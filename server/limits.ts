// Write rate limits per link (token id), kept in Redis so they hold across
// instances. Organizers are not limited (they are few and signed in); a site's
// links are: a hall's check-in QR code is shared by every phone in the hall, so
// check-ins get a wider allowance than the technician's other writes.
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../signaling/common.js';
import type { Auth } from './auth.js';
import type { Ctx } from './context.js';

export interface WriteLimitOptions {
  /** Check-ins and check-outs per link per window. */
  checkIns: number;
  /** Any other write per link per window. */
  writes: number;
  windowSeconds: number;
}

export const DEFAULT_WRITE_LIMITS: WriteLimitOptions = { checkIns: 200, writes: 60, windowSeconds: 10 };

export class WriteLimits {
  private readonly checkIns: RateLimiterRedis;
  private readonly writes: RateLimiterRedis;

  constructor(ctx: Ctx, o: WriteLimitOptions = DEFAULT_WRITE_LIMITS) {
    const make = (name: string, points: number) =>
      new RateLimiterRedis({ storeClient: ctx.redis, keyPrefix: `${ctx.keys.prefix}rl:${name}`, points, duration: o.windowSeconds });
    this.checkIns = make('checkin', o.checkIns);
    this.writes = make('write', o.writes);
  }

  /** Throws RATE_LIMITED when the link wrote too much lately; organizers pass. */
  async consume(a: Auth, kind: 'checkin' | 'write'): Promise<void> {
    if (a.role === 'organizer') return;
    try {
      await (kind === 'checkin' ? this.checkIns : this.writes).consume(a.jti);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const s = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new AppError('RATE_LIMITED', `Liên kết này gửi quá nhiều thao tác; hãy chờ ${s} giây rồi thử lại. / Too many writes from this link; wait ${s} s and try again.`);
      }
      throw err; // Redis down: answered as UNAVAILABLE
    }
  }
}
