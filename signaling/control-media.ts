// The one channel between the control service and the media nodes. A media
// node connects to control (socket.io namespace below; a district node on a
// WAN link needs nothing but this socket, no Redis). Control is the source of
// truth for what the cascade must do; a node reports what it does, and control
// repairs any difference (a restarted root, a reconnect, a grant recorded
// while the node was away, a node still holding an ended conference) on the
// next report, at most REPORT_EVERY_MS later.
//
// Auth: handshake `auth.token`, a token signed for role 'node' with `site` =
// the node id (signaling/token.ts).
import { z } from 'zod';
import { Id } from './control-model.js';
import { RecorderState, RecordingLinkEvents } from './recording.js';

export const MEDIA_LINK_NAMESPACE = '/media-link';
/** How often a node reports its state (and so the longest a disagreement lasts). */
export const REPORT_EVERY_MS = 1000;

export const MediaLinkEvents = {
  /** node → control, ack `Ack<{}>`: what this node runs now (sent on connect and every REPORT_EVERY_MS). */
  report: 'link:report',
  /** control → node, ack `Ack<NodeConferenceState>`: the floor of a conference rooted at this node. */
  floor: 'link:floor',
  /**
   * control → node, ack `Ack<RootsCommand>`: the conferences whose root site this node serves. The
   * node switches their floor itself and sends none of their media to its parent.
   */
  roots: 'link:roots',
  /**
   * control → node, ack `Ack<CarryCommand>`: the conferences this node's subtree needs (it hosts one
   * of their sites, or a node below it does). The node tells its parent, which relays only those.
   */
  carry: 'link:carry',
  /**
   * control → node, ack `Ack<NodeConferenceState>`: the conference is in rehearsal or live and this
   * node serves one of its sites (or roots it): open its session now, before the first hall joins.
   */
  open: 'link:open',
  /** control → every node, ack `Ack<ConferenceEnded>`: the conference ended; free everything it holds, refuse it from now on. */
  end: 'link:end',
  /**
   * node → control, ack `Ack<{}>`: the node's hall endpoints and what each really plays
   * (`NodeHalls` in signaling/watching.ts), every REPORT_EVERY_MS while it has any.
   */
  halls: 'link:halls',
  /**
   * control → node, ack `Ack<{ count }>`: token ids revoked (all of them on every connect, then each
   * as it is revoked). The node refuses them and closes the sockets and ingests that use them.
   */
  revoke: 'link:revoke',
  /** control → root node: the conferences to record now (RecordCommand in signaling/recording.ts). */
  ...RecordingLinkEvents,
  /**
   * control → node, ack `Ack<AncestorsCommand>`: the nodes above it in the planned tree (from the
   * site tree: the node serving the parent site of its sites, and so on up), with their URLs. The
   * node tries them when its configured parent is wrong, down at start, or dies.
   */
  ancestors: 'link:ancestors',
  /**
   * control → enrolled node, ack `Ack<{ sites }>`: the sites it serves now and a fresh node token
   * (SitesCommand). The node serves them at once; halls of a site it no longer serves are told
   * the site moved. Sent on every change and before the token is half-way to its expiry.
   */
  sites: 'link:sites',
} as const;

export const SitesCommand = z.strictObject({
  sites: z.array(Id).max(50_000),
  /** Node token signed by control (role node, site = the node id, sites = its subtree). */
  token: z.string().min(1).max(2_000_000),
});
export type SitesCommand = z.infer<typeof SitesCommand>;

export const AncestorsCommand = z.strictObject({
  ancestors: z.array(z.strictObject({ nodeId: z.string().min(1).max(100), url: z.string().url().max(500) })).max(16),
});
export type AncestorsCommand = z.infer<typeof AncestorsCommand>;

export const RootsCommand = z.strictObject({ confs: z.array(Id).max(10_000) });
export type RootsCommand = z.infer<typeof RootsCommand>;

export const CarryCommand = z.strictObject({ confs: z.array(Id).max(10_000) });
export type CarryCommand = z.infer<typeof CarryCommand>;

export const EndCommand = z.strictObject({ conf: Id });
export const OpenCommand = EndCommand;
export const RevokeCommand = z.strictObject({ jtis: z.array(z.string().min(1).max(200)).max(10_000) });
export type RevokeCommand = z.infer<typeof RevokeCommand>;
export type EndCommand = z.infer<typeof EndCommand>;
export const ConferenceEnded = z.strictObject({ conf: Id, hadSession: z.boolean() });
export type ConferenceEnded = z.infer<typeof ConferenceEnded>;

export const NodeConferenceState = z.strictObject({
  conf: Id,
  /** Site whose contribution is on air instead of the conference source; null = the source. */
  floor: Id.nullable(),
  /** Which contribution of that site (the granted console); null = none bound yet, the source stays on air. */
  contribution: Id.nullable(),
});
export type NodeConferenceState = z.infer<typeof NodeConferenceState>;

export const NodeReport = z.strictObject({
  nodeId: z.string().min(1).max(100),
  /** The node has no parent: conferences rooted here switch their floor here. */
  root: z.boolean(),
  conferences: z.array(NodeConferenceState).max(10_000),
  /** Conferences this node roots by control's word although it has a parent (see MediaLinkEvents.roots). */
  rooted: z.array(Id).max(10_000),
  /** The parent node this node is registered with, null for none (yet). */
  parent: z.string().min(1).max(100).nullable(),
  /** The conferences control said this node's subtree needs; null = never told. */
  carries: z.array(Id).max(10_000).nullable(),
  /** The URL other nodes reach this node at (its announced address); absent from older nodes. */
  url: z.string().url().max(500).optional(),
  /** The recorders on this node (signaling/recording.ts); absent = none. */
  recording: z.array(RecorderState).max(1000).optional(),
  /** The node's load: CPU over the last interval (% of one core) and resident memory (MB). */
  load: z.strictObject({ cpuPercent: z.number().min(0).max(100_000), memoryMb: z.number().min(0).max(10_000_000) }).optional(),
});
export type NodeReport = z.infer<typeof NodeReport>;

export const FloorCommand = NodeConferenceState;
export type FloorCommand = NodeConferenceState;
