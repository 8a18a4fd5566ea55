// Well-formed requests aimed where they do not belong: another site, role,
// conference, socket's transport, producer or consumer, or a node link out of
// turn. One table per channel; built inside its test, once the cascade is up
// and its clients have their ids.
import fc, { type Arbitrary } from 'fast-check';
import type { ErrorCode } from '../../../signaling/common.js';
import { HallEvents, NodeEvents, NodeRegisterReq, type HallRole } from '../../../signaling/media.js';
import { validArb } from '../../support/zod-arb.js';
import { hall, ingestId, nodeWire, pipeConsumerIds, sourceIds, type NodeName } from './cascade.js';
import { CONF, ORG, OTHER, TREE_IDS, tok, type PersonRole } from './config.js';
import { idArb, junkCaps, junkDtls, junkRtpParameters } from './generators.js';
import type { HttpReq } from './http.js';

/** /hall: sites, roles and ids of other sockets, or of nobody. */
export function hallScopeCases() {
  const lsSites = ['ls', 'ls-01'];
  const notLangson = fc.oneof(fc.constantFrom('tw', 'ls-bg', 'ls-02'), idArb).filter((s) => !lsSites.includes(s));
  const foreignTransport = fc.oneof(
    fc.constantFrom(() => hall.twStudio.ids.send!, () => hall.twStudio.ids.recv!, () => hall.lsConsole.ids.recv!).map((f) => ({ of: 'another socket', id: f })),
    idArb.map((id) => ({ of: 'nobody', id: () => id })),
  );
  const foreignMedia = fc.oneof(fc.constantFrom(...sourceIds, ...pipeConsumerIds), idArb);
  type Case = { label: string; w: keyof typeof hall; event: string; payload: () => unknown; expect: ErrorCode[] };
  const cases: Arbitrary<Case>[] = [
    // join a site the token is not for, or as a role it does not have
    fc.constantFrom<HallRole>('hall', 'studio', 'contributor', 'console').map((role) => ({ label: 'join ls as viewer of ls-01', w: 'lsFresh', event: HallEvents.join, payload: () => ({ site: 'ls', role }), expect: ['FORBIDDEN'] })),
    fc.constantFrom<HallRole>('studio', 'contributor', 'console').map((role) => ({ label: `viewer joins as ${role}`, w: 'lsFresh', event: HallEvents.join, payload: () => ({ site: 'ls-01', role }), expect: ['FORBIDDEN'] })),
    fc.tuple(notLangson, fc.constantFrom<HallRole>('hall', 'console')).map(([site, role]) => ({ label: 'join a site langson does not serve', w: 'lsFresh', event: HallEvents.join, payload: () => ({ site, role }), expect: ['NOT_FOUND'] })),
    fc.constantFrom('ls', 'tw').map((site) => ({ label: `${OTHER} viewer joins another site`, w: 'lsOtherConf', event: HallEvents.join, payload: () => ({ site, role: 'hall' }), expect: site === 'tw' ? ['NOT_FOUND'] : ['FORBIDDEN'] })),
    fc.constantFrom<HallRole>('hall', 'contributor', 'console').map((role) => ({ label: 'participant joins ls-01', w: 'lsPart', event: HallEvents.join, payload: () => ({ site: 'ls-01', role }), expect: ['FORBIDDEN'] })),
    fc.constant({ label: 'second join', w: 'lsHall', event: HallEvents.join, payload: () => ({ site: 'ls-01', role: 'hall' }), expect: ['CONFLICT'] }),
    // before join, and beyond the role
    fc.constantFrom<'send' | 'recv'>('send', 'recv').map((direction) => ({ label: 'transport before join', w: 'lsFresh', event: HallEvents.createTransport, payload: () => ({ direction }), expect: ['CONFLICT'] })),
    fc.constantFrom('lsHall', 'lsConsole').map((w) => ({ label: 'send transport for a hall', w: w as keyof typeof hall, event: HallEvents.createTransport, payload: () => ({ direction: 'send' }), expect: ['FORBIDDEN'] })),
    fc.tuple(fc.constantFrom('lsHall', 'lsConsole'), foreignTransport).map(([w, t]) => ({ label: `produce as a hall on a transport of ${t.of}`, w: w as keyof typeof hall, event: HallEvents.produce, payload: () => ({ transportId: t.id(), kind: 'video', rtpParameters: {} }), expect: ['FORBIDDEN'] })),
    // ids of other sockets, or of nobody
    fc.tuple(fc.constantFrom('lsHall', 'twStudio'), foreignTransport, junkDtls).map(([w, t, dtlsParameters]) => ({ label: `connect a transport of ${t.of}`, w: w as keyof typeof hall, event: HallEvents.connectTransport, payload: () => ({ transportId: own(w, t.id()), dtlsParameters }), expect: ['NOT_FOUND'] })),
    fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignTransport).map(([w, t]) => ({ label: `restart ICE of ${t.of}`, w: w as keyof typeof hall, event: HallEvents.restartIce, payload: () => ({ transportId: own(w, t.id()) }), expect: ['NOT_FOUND'] })),
    foreignTransport.map((t) => ({ label: `studio produces on a transport of ${t.of}`, w: 'twStudio' as const, event: HallEvents.produce, payload: () => ({ transportId: own('twStudio', t.id()), kind: 'audio', rtpParameters: {} }), expect: ['NOT_FOUND'] })),
    fc.constant({ label: 'studio produces on its recv transport', w: 'twStudio', event: HallEvents.produce, payload: () => ({ transportId: hall.twStudio.ids.recv, kind: 'video', rtpParameters: {} }), expect: ['BAD_REQUEST'] }),
    fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignTransport, junkCaps).map(([w, t, rtpCapabilities]) => ({ label: `consume on a transport of ${t.of}`, w: w as keyof typeof hall, event: HallEvents.consumeProgramme, payload: () => ({ transportId: own(w, t.id()), rtpCapabilities }), expect: ['NOT_FOUND'] })),
    fc.constant({ label: 'studio consumes on its send transport', w: 'twStudio', event: HallEvents.consumeProgramme, payload: () => ({ transportId: hall.twStudio.ids.send, rtpCapabilities: {} }), expect: ['BAD_REQUEST'] }),
    fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignMedia).map(([w, id]) => ({ label: 'close a producer of someone else', w: w as keyof typeof hall, event: HallEvents.closeProducer, payload: () => ({ producerId: id }), expect: ['NOT_FOUND'] })),
    fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignMedia).map(([w, id]) => ({ label: 'resume a consumer of someone else', w: w as keyof typeof hall, event: HallEvents.resumeConsumer, payload: () => ({ consumerId: id }), expect: ['NOT_FOUND'] })),
    fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'twStudio'), foreignMedia, fc.integer({ min: 0, max: 2 })).map(([w, id, spatialLayer]) => ({ label: 'layers of a consumer of someone else', w: w as keyof typeof hall, event: HallEvents.setPreferredLayers, payload: () => ({ consumerId: id, spatialLayer }), expect: ['NOT_FOUND'] })),
    fc.tuple(fc.constantFrom('lsFresh', 'lsOtherConf', 'lsPart'), fc.constantFrom(HallEvents.connectTransport, HallEvents.restartIce, HallEvents.closeProducer, HallEvents.resumeConsumer), foreignTransport).map(([w, event, t]) => ({
      label: `${event} before join`, w: w as keyof typeof hall, event,
      payload: () => ({ transportId: t.id(), producerId: t.id(), consumerId: t.id(), dtlsParameters: {} }),
      expect: ['CONFLICT'],
    })),
    // the floor is the organizer's, stats are the organizer's and this node's technicians'
    fc.tuple(fc.constantFrom('lsHall', 'lsConsole', 'lsFresh', 'lsOtherConf', 'lsPart', 'lsTechTw', 'twTech'), fc.constantFrom('tw', 'ls', 'ls-01', null)).map(([w, site]) => ({ label: 'floor by a non-organizer', w: w as keyof typeof hall, event: HallEvents.setFloor, payload: () => ({ site }), expect: ['FORBIDDEN'] })),
    fc.constantFrom('lsHall', 'lsFresh', 'lsOtherConf', 'lsPart', 'lsTechTw').map((w) => ({ label: 'stats by a viewer, participant or foreign technician', w: w as keyof typeof hall, event: HallEvents.stats, payload: () => ({}), expect: ['FORBIDDEN'] })),
  ];
  // the studio's own ids must not leak into "of another socket" for the studio itself
  function own(w: string, id: string): string {
    const c = hall[w as keyof typeof hall];
    return id === c.ids.send || id === c.ids.recv ? `not-${id}` : id;
  }
  return cases;
}

/** /node: events before register, a second register, producers with no pipe or unknown. */
export function nodeScopeCases() {
  const conf = fc.oneof(fc.constantFrom(CONF, OTHER), idArb);
  const producerId = fc.oneof(fc.constantFrom(...sourceIds, ...pipeConsumerIds), idArb);
  const added = fc.record({
    conf, producerId, kind: fc.constantFrom('audio', 'video'), rtpParameters: junkRtpParameters, paused: fc.boolean(),
    site: fc.constantFrom('tw', 'ls', 'ls-bg', 'x'), tag: fc.constantFrom('source', 'contributor'),
  });
  type To = keyof typeof nodeWire | 'parent';
  type Case = { label: string; to: To; event: string; payload: unknown; expect: ErrorCode[] };
  const anon = fc.constantFrom<To>('centreAnon', 'langsonAnon');
  const cases: Arbitrary<Case>[] = [
    fc.tuple(anon, conf).map(([to, c]) => ({ label: 'pipe request before register', to, event: NodeEvents.pipeRequest, payload: { conf: c }, expect: ['FORBIDDEN'] })),
    fc.tuple(anon, conf, fc.constantFrom('tw', 'ls', null)).map(([to, c, site]) => ({ label: 'floor before register', to, event: NodeEvents.floorSet, payload: { conf: c, site, token: ORG }, expect: ['FORBIDDEN'] })),
    fc.tuple(anon, added).map(([to, p]) => ({ label: 'producer added before register', to, event: NodeEvents.producerAdded, payload: p, expect: ['FORBIDDEN'] })),
    fc.tuple(anon, conf, producerId, fc.boolean()).map(([to, c, id, paused]) => ({ label: 'producer paused before register', to, event: NodeEvents.producerPaused, payload: { conf: c, producerId: id, paused }, expect: ['FORBIDDEN'] })),
    fc.tuple(anon, conf, producerId).map(([to, c, id]) => ({ label: 'producer closed before register', to, event: NodeEvents.producerClosed, payload: { conf: c, producerId: id }, expect: ['FORBIDDEN'] })),
    validArb(NodeRegisterReq).filter((r) => !TREE_IDS.includes(r.nodeId)).map((p) => ({ label: 'second register', to: 'centreReg', event: NodeEvents.register, payload: p, expect: ['CONFLICT'] })),
    // a registered link has no pipe for these: nothing may be produced (nor a session made) for them
    added.filter((p) => p.conf !== CONF && p.conf !== OTHER).map((p) => ({ label: 'producer added without a pipe', to: 'centreReg', event: NodeEvents.producerAdded, payload: p, expect: ['UNAVAILABLE'] })),
    fc.tuple(conf, producerId, fc.boolean()).map(([c, id, paused]) => ({ label: 'unknown producer paused', to: 'centreReg', event: NodeEvents.producerPaused, payload: { conf: c, producerId: id, paused }, expect: ['NOT_FOUND'] })),
    // the same from a parent: binhgia has no pipe and no producer from it
    added.map((p) => ({ label: 'producer added by the parent without a pipe', to: 'parent', event: NodeEvents.producerAdded, payload: p, expect: ['UNAVAILABLE'] })),
    fc.tuple(conf, producerId, fc.boolean()).map(([c, id, paused]) => ({ label: 'unknown producer paused by the parent', to: 'parent', event: NodeEvents.producerPaused, payload: { conf: c, producerId: id, paused }, expect: ['NOT_FOUND'] })),
  ];
  return cases;
}

/** HTTP: the floor, ingests, their deletion and stats, for another site, role or conference. */
export function httpScopeCases() {
  type Case = { label: string; n: NodeName; r: () => HttpReq; expect: ErrorCode[] };
  const floorSite = fc.constantFrom('tw', 'ls', 'ls-01', 'ls-bg', null);
  const cases: Arbitrary<Case>[] = [
    fc.tuple(fc.constantFrom<[PersonRole, string | undefined]>(['viewer', 'ls-01'], ['technician', 'ls'], ['participant', 'tw'], ['technician', 'tw'], ['viewer', 'tw']), floorSite, fc.constantFrom(CONF, OTHER), fc.constantFrom<NodeName>('centre', 'langson'))
      .map(([[role, site], s, conf, n]) => ({ label: `floor by a ${role}`, n, r: () => ({ path: '/floor', token: tok(role, site, conf), body: { site: s } }), expect: ['FORBIDDEN'] })),
    fc.constantFrom('ls-01').map((site) => ({ label: 'ingest at ls-01 by the technician of ls', n: 'langson' as const, r: () => ({ path: '/ingest', token: tok('technician', 'ls'), body: { site } }), expect: ['FORBIDDEN'] })),
    fc.tuple(fc.constantFrom<PersonRole>('viewer', 'participant'), fc.constantFrom('ls', 'ls-01')).map(([role, site]) => ({ label: `ingest by a ${role}`, n: 'langson' as const, r: () => ({ path: '/ingest', token: tok(role, site), body: { site } }), expect: ['FORBIDDEN'] })),
    fc.tuple(fc.oneof(fc.constantFrom('ls', 'ls-01', 'ls-bg', 'tw-01'), idArb).filter((s) => s !== 'tw'), fc.constantFrom(CONF, OTHER)).map(([site, conf]) => ({ label: 'ingest for a site the centre does not serve', n: 'centre' as const, r: () => ({ path: '/ingest', token: tok('organizer', undefined, conf), body: { site } }), expect: ['NOT_FOUND'] })),
    fc.constantFrom(CONF, OTHER, 'ls-thu-ba').map((conf) => ({ label: `session source by a technician of ${conf}`, n: 'centre' as const, r: () => ({ path: '/ingest', token: tok('technician', 'tw', conf), body: { site: 'tw', tag: 'source' } }), expect: ['FORBIDDEN'] })),
    fc.constantFrom(CONF, OTHER, 'ls-thu-ba').map((conf) => ({ label: `root source by a technician of ${conf}, by default`, n: 'centre' as const, r: () => ({ path: '/ingest', token: tok('technician', 'tw', conf), body: { site: 'tw' } }), expect: ['FORBIDDEN'] })),
    fc.constantFrom<[PersonRole, string | undefined, string]>(['organizer', undefined, OTHER], ['organizer', undefined, 'ls-thu-ba'], ['technician', 'ls', CONF], ['viewer', 'tw', CONF], ['participant', 'tw', CONF])
      .map(([role, site, conf]) => ({ label: `delete the source ingest as ${role} of ${conf}`, n: 'centre' as const, r: () => ({ method: 'DELETE' as const, path: `/ingest/${ingestId}`, token: tok(role, site, conf) }), expect: role === 'organizer' ? ['NOT_FOUND'] : ['FORBIDDEN'] })),
    fc.constant({ label: 'delete the centre ingest at langson', n: 'langson' as const, r: () => ({ method: 'DELETE' as const, path: `/ingest/${ingestId}`, token: ORG }), expect: ['NOT_FOUND'] }),
    fc.tuple(fc.constantFrom<[PersonRole, string | undefined]>(['viewer', 'ls-01'], ['participant', 'ls'], ['technician', 'tw'], ['technician', 'ls-bg']), fc.constantFrom(CONF, OTHER))
      .map(([[role, site], conf]) => ({ label: `stats at langson by a ${role} of ${site}`, n: 'langson' as const, r: () => ({ path: '/stats', token: tok(role, site, conf) }), expect: ['FORBIDDEN'] })),
  ];
  return cases;
}
