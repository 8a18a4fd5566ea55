// Who is really watching: each hall page reports what it plays to its media
// node (HallPlayback), each node reports its halls to control (NodeHalls, on the
// control ↔ media channel), and control keeps per site what the organizer sees
// (SiteWatch) and the join / play / stop / leave events per hall endpoint.
// Browser-safe: zod only.
import { z } from 'zod';
import { Id, Ms, PresenceRow } from './control-model.js';

const Num = (max: number) => z.number().min(0).max(max);

/** hall page → media node, about every second: what the page itself sees (its own WebRTC stats). */
export const HallPlayback = z.strictObject({
  /** Video frames are being decoded and the video element plays (not paused, not frozen). */
  playing: z.boolean(),
  framesDecoded: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  fps: Num(240),
  /** Received video + audio, kbit/s over the last interval. */
  bitrateKbps: Num(1_000_000),
  /** Packets lost over the last interval, percent. */
  lossPct: Num(100),
  rttMs: Num(60_000).optional(),
  /** Height of the decoded picture (which simulcast layer arrives). */
  frameHeight: z.number().int().min(0).max(10_000).optional(),
  /** The media goes through a TURN relay (true) or straight to the node (false). */
  relayed: z.boolean().optional(),
});
export type HallPlayback = z.infer<typeof HallPlayback>;

export const HallState = z.enum(['playing', 'connected']);
/** One hall endpoint (one hall page's socket) as its media node sees it. */
export const HallEndpoint = z.strictObject({
  /** Stable for the life of the page's connection to the node. */
  id: z.string().min(1).max(100),
  conf: Id,
  site: Id,
  /** When it joined the node. */
  since: Ms,
  /** 'playing' while the page says it plays (and its word is fresh); 'connected' otherwise. */
  state: HallState,
  fps: Num(240).optional(),
  bitrateKbps: Num(1_000_000).optional(),
  lossPct: Num(100).optional(),
  rttMs: Num(60_000).optional(),
  /** Spatial layer the node forwards to it (0 = lowest). */
  layer: z.number().int().min(0).max(2).optional(),
  frameHeight: z.number().int().min(0).max(10_000).optional(),
  /**
   * The node paused the hall's video because its link cannot carry the lowest picture (media/audio-only.ts):
   * the page shows the title card and plays the sound, so `state` stays 'connected' though the hall follows.
   */
  audioOnly: z.boolean().optional(),
});
export type HallEndpoint = z.infer<typeof HallEndpoint>;

/** media node → control (`link:halls`), every report period while it has halls (and once when it has none left). */
export const NodeHalls = z.strictObject({
  nodeId: z.string().min(1).max(100),
  halls: z.array(HallEndpoint).max(50_000),
});
export type NodeHalls = z.infer<typeof NodeHalls>;

/**
 * A site as the organizer sees it: 'playing' (đang xem) — a hall plays the programme (or, audio only
 * on a weak link, its sound); 'connected'
 * (đã kết nối) — a hall is on the media node but shows no picture; 'lost' (mất tín hiệu) — it had a
 * hall and has none now; 'none' — no hall has joined yet.
 */
export const WatchState = z.enum(['playing', 'connected', 'lost', 'none']);
export type WatchState = z.infer<typeof WatchState>;
export const LinkQuality = z.enum(['good', 'fair', 'poor', 'unknown']);
export type LinkQuality = z.infer<typeof LinkQuality>;

export const SiteWatch = z.object({
  site: Id,
  state: WatchState,
  /** Since when the site is in this state. */
  since: Ms,
  /** Hall endpoints on the media node now, and how many of them play. */
  endpoints: z.number().int().nonnegative(),
  playing: z.number().int().nonnegative(),
  /** From the best playing hall's loss and round-trip time. */
  quality: LinkQuality,
  fps: z.number().optional(),
  bitrateKbps: z.number().optional(),
  lossPct: z.number().optional(),
  rttMs: z.number().optional(),
  layer: z.number().int().optional(),
  node: z.string().optional(),
  /** How many of the playing halls get sound only (their link cannot carry the lowest picture). */
  audioOnly: z.number().int().nonnegative().optional(),
  /** Total time at least one hall of the site played, including the current stretch. */
  watchedMs: z.number().int().nonnegative(),
});
export type SiteWatch = z.infer<typeof SiteWatch>;

export const WatchEvent = z.object({
  site: Id,
  endpoint: z.string(),
  kind: z.enum(['join', 'play', 'stop', 'leave']),
  at: Ms,
  node: z.string().optional(),
});
export type WatchEvent = z.infer<typeof WatchEvent>;

/** Push `push:watch` to organizers: the sites whose watching state changed. */
export const WatchPush = z.object({ conf: Id, at: Ms, changes: z.array(SiteWatch) });

/** One hall endpoint's session, for the presence report: joined, left, time it played. */
export const WatchSessionRow = z.object({
  site: Id,
  name: z.string(),
  endpoint: z.string(),
  node: z.string(),
  joinAt: Ms,
  leaveAt: Ms.optional(),
  watchedMs: z.number().int().nonnegative(),
});
export type WatchSessionRow = z.infer<typeof WatchSessionRow>;

/** The presence report per site: control connections beside what the media nodes saw play. */
export const PresenceReportRow = PresenceRow.extend({
  watchState: WatchState,
  /** Total time at least one hall of the site played. */
  watchedMs: z.number().int().nonnegative(),
  /** Hall endpoints that joined the media node over the conference. */
  watchJoins: z.number().int().nonnegative(),
});
export type PresenceReportRow = z.infer<typeof PresenceReportRow>;

/** Link quality from loss and round-trip time (the same thresholds as the link test). */
export function qualityOf(lossPct: number | undefined, rttMs: number | undefined): LinkQuality {
  if (lossPct === undefined && rttMs === undefined) return 'unknown';
  const loss = lossPct ?? 0, rtt = rttMs ?? 0;
  if (loss < 2 && rtt < 150) return 'good';
  if (loss < 8 && rtt < 400) return 'fair';
  return 'poor';
}
