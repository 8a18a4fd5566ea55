// The hall endpoints on this node and what each really plays, from the hall
// pages' own reports (HallPlayback). The control link sends the list to the
// control service every report period (signaling/watching.ts).
import type { HallEndpoint, HallPlayback } from '../signaling/watching.js';

/** A page's word counts this long; a page that stops reporting is only 'connected'. */
export const PLAYBACK_FRESH_MS = 3000;

type Entry = { conf: string; site: string; since: number; layer: () => number | undefined; audioOnly?: () => boolean; last?: HallPlayback & { at: number } };

export class Watchers {
  private readonly halls = new Map<string, Entry>();

  /**
   * A hall page joined; `layer` reads the spatial layer forwarded to it now, `audioOnly` whether
   * its video is paused for a link too thin for the lowest picture (media/audio-only.ts).
   */
  add(id: string, conf: string, site: string, layer: () => number | undefined, audioOnly?: () => boolean): void {
    this.halls.set(id, { conf, site, since: Date.now(), layer, ...(audioOnly ? { audioOnly } : {}) });
  }

  playback(id: string, p: HallPlayback): void {
    const e = this.halls.get(id);
    if (e) e.last = { ...p, at: Date.now() };
  }

  /** The page's own frames per second, while its word is fresh. */
  fps(id: string, now = Date.now()): number | undefined {
    const last = this.halls.get(id)?.last;
    return last && now - last.at < PLAYBACK_FRESH_MS ? last.fps : undefined;
  }

  /** Whether the page's media goes through TURN, while its word is fresh. */
  relayed(id: string, now = Date.now()): boolean | undefined {
    const last = this.halls.get(id)?.last;
    return last && now - last.at < PLAYBACK_FRESH_MS ? last.relayed : undefined;
  }

  remove(id: string): void {
    this.halls.delete(id);
  }

  /** Drops every hall of a conference (it ended here). */
  removeConference(conf: string): void {
    for (const [id, e] of this.halls) if (e.conf === conf) this.halls.delete(id);
  }

  get size(): number {
    return this.halls.size;
  }

  list(now = Date.now()): HallEndpoint[] {
    return [...this.halls].map(([id, e]) => {
      const fresh = e.last && now - e.last.at < PLAYBACK_FRESH_MS ? e.last : undefined;
      const layer = e.layer();
      return {
        id,
        conf: e.conf,
        site: e.site,
        since: e.since,
        state: fresh?.playing ? 'playing' : 'connected',
        ...(fresh ? { fps: fresh.fps, bitrateKbps: fresh.bitrateKbps, lossPct: fresh.lossPct } : {}),
        ...(fresh?.rttMs !== undefined ? { rttMs: fresh.rttMs } : {}),
        ...(fresh?.frameHeight !== undefined ? { frameHeight: fresh.frameHeight } : {}),
        ...(layer !== undefined ? { layer } : {}),
        ...(e.audioOnly?.() ? { audioOnly: true } : {}),
      };
    });
  }
}
