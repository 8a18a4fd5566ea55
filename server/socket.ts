// The socket.io namespace /control: handshake auth, rooms, presence of site
// clients, and the client→server events (each validated, each acknowledged).
import type { Namespace, Socket } from 'socket.io';
import { parseOrThrow, toErrorBody, type Ack } from '../signaling/common.js';
import { ControlEvents, ControlEventSchemas, ControlHandshake } from '../signaling/control.js';
import { assertConf, assertRole, assertSite, authenticate, isWide, type Auth } from './auth.js';
import type { Ctx } from './context.js';
import { rooms } from './context.js';
import { snapshot } from './handlers.js';
import { closeAtExpiry } from '../signaling/expiry.js';
import { endItem, reorderAgenda, startItem } from './store/agenda.js';
import { checkIn, checkOut, getCheckIn, setHeadcounts } from './store/attendance.js';
import { setConferenceState } from './store/conference.js';
import { claimFloor, grantFloor, requestFloor, withdrawFloor } from './store/floor.js';
import { handleIncident, recordRehearsal, reportIncident } from './store/incidents.js';
import { acceptReceipt } from './store/materials.js';
import { siteJoined, siteLeft } from './store/presence.js';

type EventName = keyof typeof ControlEventSchemas;
type Handler = (ctx: Ctx, a: Auth, p: any, socket: Socket) => Promise<unknown>;
const organizerOnly = (a: Auth) => assertRole(a, ['organizer']);

const events: Record<EventName, Handler> = {
  [ControlEvents.subscribe]: async (ctx, a, p, socket) => {
    // authorize before joining anything (snapshot refuses another conference), then join the rooms
    // before reading: a push sent while the snapshot is read reaches this socket (the page keeps the
    // newer of the two); read first, a push in between would be missed until the next change
    assertConf(a, p.conf);
    const want = [rooms.conf(p.conf)];
    if (isWide(a)) want.push(rooms.org(p.conf));
    if (a.site) want.push(rooms.site(p.conf, a.site));
    // a hall screen shows the programme, not the figures: when every site reports at once it is
    // spared one push per site (half the pushes of a burst, with a console open beside each hall)
    if (a.site && socket.data.client !== 'hall') want.push(rooms.siteCounts(p.conf, a.site));
    const added = want.filter((r) => !socket.rooms.has(r));
    await socket.join(want);
    try {
      return await snapshot(ctx, a, p.conf);
    } catch (e) {
      // refused or failed: the socket is left in the rooms it had, no more
      for (const r of added) await socket.leave(r);
      throw e;
    }
  },
  [ControlEvents.headcount]: async (ctx, a, p, socket) => {
    assertSite(a, a.conf, p.site);
    return setHeadcounts(ctx, a.conf, p.site, { [p.group]: p.present }, a.jti, socket.id);
  },
  [ControlEvents.headcounts]: async (ctx, a, p, socket) => { assertSite(a, a.conf, p.site); return setHeadcounts(ctx, a.conf, p.site, p.present, a.jti, socket.id); },
  [ControlEvents.checkIn]: async (ctx, a, p) => { assertSite(a, a.conf, p.site, ['technician', 'participant']); return checkIn(ctx, a.conf, p); },
  [ControlEvents.checkOut]: async (ctx, a, p) => {
    const ci = await getCheckIn(ctx, a.conf, p.id);
    assertSite(a, a.conf, ci.site, ['technician', 'participant']);
    return checkOut(ctx, a.conf, p.id);
  },
  [ControlEvents.agendaStart]: async (ctx, a, p) => { organizerOnly(a); return startItem(ctx, a.conf, p.item); },
  [ControlEvents.agendaEnd]: async (ctx, a, p) => { organizerOnly(a); return endItem(ctx, a.conf, p.item); },
  [ControlEvents.agendaReorder]: async (ctx, a, p) => { organizerOnly(a); return reorderAgenda(ctx, a.conf, p.order); },
  [ControlEvents.conferenceState]: async (ctx, a, p) => { organizerOnly(a); return setConferenceState(ctx, a.conf, p.state); },
  [ControlEvents.receipt]: async (ctx, a, p) => { assertSite(a, a.conf, p.site); return acceptReceipt(ctx, a.conf, p.material, p.site, p.version, p.sha256, p.proof); },
  [ControlEvents.incidentReport]: async (ctx, a, p) => { assertSite(a, a.conf, p.site); return reportIncident(ctx, a.conf, p); },
  [ControlEvents.incidentHandle]: async (ctx, a, p) => { organizerOnly(a); return handleIncident(ctx, a.conf, p.id, p.note); },
  [ControlEvents.rehearsal]: async (ctx, a, p) => { assertSite(a, a.conf, p.site); return recordRehearsal(ctx, a.conf, p); },
  [ControlEvents.floorRequest]: async (ctx, a, p) => { assertSite(a, a.conf, p.site); return requestFloor(ctx, a.conf, p.site, p.note, p.console); },
  [ControlEvents.floorWithdraw]: async (ctx, a, p) => { assertSite(a, a.conf, p.site); return withdrawFloor(ctx, a.conf, p.site, a.role === 'organizer' ? 'organizer' : 'site'); },
  [ControlEvents.floorDismiss]: async (ctx, a, p) => { organizerOnly(a); return withdrawFloor(ctx, a.conf, p.site, 'organizer'); },
  [ControlEvents.floorGrant]: async (ctx, a, p) => { organizerOnly(a); return grantFloor(ctx, a.conf, p.site, p.console); },
  [ControlEvents.floorClaim]: async (ctx, a, p) => { assertSite(a, a.conf, p.site); return claimFloor(ctx, a.conf, p.site, p.console); },
};

/** Does this connection make its site "online"? Technician consoles and hall screens do. */
function countsAsPresence(a: Auth, client?: string): boolean {
  if (!a.site) return false;
  if (a.role === 'technician') return client !== 'checkin';
  if (a.role === 'viewer') return client === undefined || client === 'hall';
  return false;
}

export function bindControlNamespace(ctx: Ctx, nsp: Namespace) {
  nsp.use(async (socket, next) => {
    try {
      const hs = parseOrThrow(ControlHandshake, socket.handshake.auth ?? {});
      socket.data.auth = await authenticate(ctx, hs.token);
      socket.data.client = hs.client;
      next();
    } catch (e) {
      const body = toErrorBody(e);
      const err = new Error(body.message) as Error & { data: unknown };
      err.data = body;
      next(err);
    }
  });

  nsp.on('connection', (socket) => {
    const a = socket.data.auth as Auth;
    const client = (socket.data.client as string | undefined) ?? a.role;
    void socket.join(rooms.jti(a.jti));
    closeAtExpiry(socket, a.exp);
    ctx.log.debug({ role: a.role, site: a.site, client }, 'socket connected');
    ctx.metrics.sockets.inc({ role: a.role });
    const presence = countsAsPresence(a, socket.data.client);
    let joined: Promise<unknown> = Promise.resolve();
    if (presence) {
      ctx.metrics.sitesOnline.inc();
      joined = siteJoined(ctx, a.conf, a.site!, client).catch((e) => ctx.log.warn({ err: e, site: a.site }, 'presence join failed'));
    }
    socket.on('disconnect', () => {
      ctx.metrics.sockets.dec({ role: a.role });
      if (!presence) return;
      ctx.metrics.sitesOnline.dec();
      if (socket.data.closing) return; // the instance's own shutdown sweeps its connections
      void joined.then(() => siteLeft(ctx, a.conf, a.site!, client)).catch((e) => ctx.log.warn({ err: e, site: a.site }, 'presence leave failed'));
    });

    for (const [name, schema] of Object.entries(ControlEventSchemas) as [EventName, { req: any }][]) {
      socket.on(name, async (payload: unknown, ack?: unknown) => {
        let res: Ack<unknown>;
        try {
          const p = parseOrThrow(schema.req, payload);
          if ('conf' in p) assertConf(a, p.conf);
          if (name !== ControlEvents.subscribe) await ctx.limits?.consume(a, name === ControlEvents.checkIn || name === ControlEvents.checkOut ? 'checkin' : 'write');
          const data = await events[name](ctx, a, p, socket);
          // an acknowledged write is on the replicas too (when configured): a failover cannot lose it
          if (name !== ControlEvents.subscribe) await ctx.replicas?.durable();
          res = { ok: true, data };
        } catch (e) {
          const error = toErrorBody(e);
          if (error.code === 'INTERNAL') ctx.log.error({ err: e, event: name }, 'socket event failed');
          res = { ok: false, error };
        }
        ctx.metrics.socketEvents.inc({ event: name, ok: String(res.ok) });
        if (typeof ack === 'function') ack(res);
      });
    }
  });
}
