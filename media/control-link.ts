// The media end of the control ↔ media channel (signaling/control-media.ts):
// this node connects to the control service, reports what it runs every
// second, learns which conferences it roots, applies the floor control tells it
// for them, records those control says to record (recorders.ts), and
// frees a conference when control says it ended.
// Reconnects forever (a WAN link comes back by itself); needs no Redis.
import { io, type Socket } from 'socket.io-client';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { AppError, parseOrThrow, toErrorBody, type Ack } from '../signaling/common.js';
import { SitesCommand, AncestorsCommand, CarryCommand, EndCommand, OpenCommand, RevokeCommand, FloorCommand, RootsCommand, MEDIA_LINK_NAMESPACE, MediaLinkEvents, NodeReport, REPORT_EVERY_MS, type ConferenceEnded, type NodeConferenceState } from '../signaling/control-media.js';
import { Id } from '../signaling/control-model.js';
import { signToken } from '../signaling/token.js';
import type { Cascade } from './cascade.js';
import type { Watchers } from './watchers.js';
import type { Revocations } from './revocations.js';
import type { NodeHalls } from '../signaling/watching.js';
import { RecordCommand } from '../signaling/recording.js';
import type { Recorders } from './recorders.js';

export interface ControlLinkOptions {
  /** Control service base URL (http://host:port). */
  url: string;
  nodeId: string;
  /** Signs this node's token for the control service (the node secret; control checks it), or gives the enrolled node's token. */
  tokenSecret: string | (() => string);
  /** An enrolled node: control pushes its sites and fresh node tokens (link:sites). */
  onSites?: (cmd: SitesCommand) => string[] | Promise<string[]>;
  /** The node's load, reported with every report. */
  load?: () => Promise<NonNullable<NodeReport['load']>>;
  /** This node has no parent: conferences rooted here switch their floor here. */
  root: boolean;
  cascade: Cascade;
  /** The hall endpoints on this node, reported with what they really play. */
  watchers?: Watchers;
  /** Token ids control revoked. */
  revocations?: Revocations;
  /** Where other nodes reach this one (reported, so control can tell this node's children). */
  selfUrl?: string;
  /** The planned ancestors control computed from the site tree (failover targets). */
  onAncestors?: (ancestors: AncestorsCommand['ancestors']) => void;
  /** The recorders of conferences rooted here (record command, reported state). */
  recorders?: Recorders;
  log: Logger;
}

export interface ControlLink {
  /** 'connected' once control answers, 'connecting' otherwise. */
  state(): 'connecting' | 'connected';
  close(): void;
}

export function connectControl(o: ControlLinkOptions): ControlLink {
  let closed = false;
  const socket: Socket = io(new URL(MEDIA_LINK_NAMESPACE, o.url).toString(), {
    auth: (cb) => cb({ token: typeof o.tokenSecret === 'function' ? o.tokenSecret() : signToken(o.tokenSecret, { role: 'node', conf: '*', site: o.nodeId, ttlSeconds: 3600 }) }),
    transports: ['websocket'],
    reconnection: true,
    reconnectionAttempts: Infinity,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: 10_000,
  });

  const report = (): NodeReport => ({
    nodeId: o.nodeId,
    root: o.root,
    conferences: [...o.cascade.ready.values()]
      .filter((s) => Id.safeParse(s.conf).success)
      .map((s) => ({ conf: s.conf, floor: s.floor, contribution: s.contribution })),
    rooted: o.cascade.rootedConferences,
    parent: o.cascade.parent && o.cascade.parent.peerId !== '?' ? o.cascade.parent.peerId : null,
    carries: o.cascade.carries,
    ...(o.selfUrl ? { url: o.selfUrl } : {}),
    ...(o.recorders ? { recording: o.recorders.states() } : {}),
  });
  // halls: sent while there are any, and once more when the last one left
  let hadHalls = false;
  const sendHalls = () => {
    if (!o.watchers) return;
    const halls = o.watchers.list().filter((h) => o.cascade.ready.has(h.conf));
    if (!halls.length && !hadHalls) return;
    hadHalls = halls.length > 0;
    const msg: NodeHalls = { nodeId: o.nodeId, halls };
    socket.timeout(REPORT_EVERY_MS * 3).emit(MediaLinkEvents.halls, msg, () => undefined);
  };
  let load: NodeReport['load'];
  const sendReport = () => {
    if (!socket.connected) return;
    socket.timeout(REPORT_EVERY_MS * 3).emit(MediaLinkEvents.report, { ...report(), ...(load ? { load } : {}) }, () => undefined);
    sendHalls();
    // sampled for the next report: the sample awaits the workers
    void o.load?.().then((l) => { load = l; }, () => undefined);
  };
  const timer = setInterval(sendReport, REPORT_EVERY_MS);
  timer.unref();

  socket.on('connect', () => {
    o.log.info({ control: o.url }, 'linked to the control service');
    sendReport();
  });
  socket.on('disconnect', (why) => {
    if (!closed) o.log.warn({ control: o.url, why }, 'control service link lost; retrying');
    // a server-side disconnect stops socket.io's own retries
    if (why === 'io server disconnect' && !closed) setTimeout(() => { if (!closed) socket.connect(); }, 1000).unref();
  });
  socket.on('connect_error', (err) => {
    o.log.debug({ control: o.url, err: err.message }, 'control service not reachable yet');
    if (!socket.active && !closed) setTimeout(() => { if (!closed) socket.connect(); }, 2000).unref();
  });

  /** One command from control: its payload checked with `schema`, its answer (or typed error) acked. */
  const handle = <S extends z.ZodType, R>(event: string, schema: S, fn: (cmd: z.infer<S>) => R | Promise<R>) => {
    socket.on(event, async (payload: unknown, ack?: (r: Ack<R>) => void) => {
      try {
        ack?.({ ok: true, data: await fn(parseOrThrow(schema, payload)) });
      } catch (err) {
        ack?.({ ok: false, error: toErrorBody(err) });
      }
    });
  };

  handle(MediaLinkEvents.floor, FloorCommand, async (cmd): Promise<NodeConferenceState> => {
    if (!o.cascade.isRoot(cmd.conf)) throw new AppError('CONFLICT', 'this node is not the root of that conference');
    await o.cascade.setFloor(cmd.conf, cmd.floor, cmd.contribution);
    const s = await o.cascade.session(cmd.conf);
    return { conf: cmd.conf, floor: s.floor, contribution: s.contribution };
  });
  handle(MediaLinkEvents.roots, RootsCommand, (cmd): RootsCommand => {
    o.cascade.setRooted(cmd.confs);
    return { confs: o.cascade.rootedConferences };
  });
  handle(MediaLinkEvents.carry, CarryCommand, (cmd): CarryCommand => {
    o.cascade.setCarries(cmd.confs);
    return { confs: o.cascade.carries ?? [] };
  });
  handle(MediaLinkEvents.revoke, RevokeCommand, (cmd) => {
    o.revocations?.add(cmd.jtis);
    return { count: o.revocations?.size ?? 0 };
  });
  handle(MediaLinkEvents.open, OpenCommand, async (cmd): Promise<NodeConferenceState> => {
    const s = await o.cascade.session(cmd.conf);
    return { conf: s.conf, floor: s.floor, contribution: s.contribution };
  });
  handle(MediaLinkEvents.sites, SitesCommand, async (cmd) => {
    if (!o.onSites) throw new AppError('CONFLICT', 'this node was started from a config: its sites are in that config');
    return { sites: await o.onSites(cmd) };
  });
  handle(MediaLinkEvents.ancestors, AncestorsCommand, (cmd): AncestorsCommand => {
    o.onAncestors?.(cmd.ancestors);
    return cmd;
  });
  handle(MediaLinkEvents.record, RecordCommand, (cmd): RecordCommand | Promise<RecordCommand> =>
    (o.recorders ? o.recorders.apply(cmd) : { confs: [] }));
  handle(MediaLinkEvents.end, EndCommand, async (cmd): Promise<ConferenceEnded> =>
    ({ conf: cmd.conf, hadSession: await o.cascade.endConference(cmd.conf) }));

  return {
    state: () => (socket.connected ? 'connected' : 'connecting'),
    close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      socket.removeAllListeners();
      socket.close();
    },
  };
}
