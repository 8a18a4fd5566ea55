// Property-based fuzzing of the media nodes, against real node processes:
// every client→server event of the `/hall` namespace, every NodeEvents event
// (both directions: as a child connecting to a node, and as the parent of a
// node), the socket handshakes, and every HTTP route that takes a body, a
// query or a path parameter. Malformed payloads (wrong types, missing and
// extra fields, huge strings, deep nesting, unicode, broken bodies and
// tokens) and well-formed ones aimed at another conference, site, transport
// or producer must all be refused with a typed error — an `{ok:false}` ack
// whose code is an ErrorCode, or a 4xx with `{error}` — never a 5xx, never a
// crash, and they must change nothing: a hash of every node's health and
// tracked streams is the same before and after. Well-formed payloads where
// that is safe (join, stats, floor, register) are accepted.
//
// The seed is printed; `FC_SEED=<seed> npx vitest run test/media/fuzz.test.ts`
// replays the same payloads. The cascade, the clients, the generators and the
// tallies are in ./fuzz/.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  HALL_NAMESPACE,
  HallEvents,
  IngestReq,
  IngestRes,
  JoinReq,
  JoinRes,
  NODE_NAMESPACE,
  NodeEvents,
  NodeRegisterReq,
  Programme,
  SetFloorReq,
  StatsReq,
  StatsRes,
  type HallRole,
} from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { FUZZ_SEED, validArb } from '../support/zod-arb.js';
import { N, before, centre, clients, fuzzNodeIds, hall, ingestId, langson, nodeListen, nodes, nodeWire, outputAt, parent, startCascade, stopCascade, type NodeName } from './fuzz/cascade.js';
import { Client, handshakeRefusal, refuse } from './fuzz/clients.js';
import { CONF, MIN_MALFORMED, NODE_SECRET, ORG, RUNS, TOKEN_SECRET, TREE_IDS, nodeTok, tok, type PersonRole } from './fuzz/config.js';
import { HALL_SCHEMAS, NODE_SCHEMAS, badHandshakeToken, badToken, extraKeys, idArb, junkCaps, junkDtls, junkRtpParameters, malformed, uriEncode, withKeys, type HallEventKey } from './fuzz/generators.js';
import { refuseHttp, request, type HttpReq } from './fuzz/http.js';
import { wire } from './fuzz/json.js';
import { hallScopeCases, httpScopeCases, nodeScopeCases } from './fuzz/scope.js';
import { snapshot, stateDiff, type Snapshot } from './fuzz/state.js';
import { assertOkAck, assertRefusedAck, check, kind, printSummary, refusedWith, sent, tally } from './fuzz/tally.js';
import { NodeProc, waitFor } from './procs.js';

describe('media nodes refuse malformed and out-of-scope payloads, typed, and change nothing', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    console.log(`[fuzz media] seed=${FUZZ_SEED} (FC_SEED=${FUZZ_SEED} reproduces)`);
    await startCascade();
  });

  afterAll(async () => {
    printSummary();
    await stopCascade();
  });

  // ------------------------------------------------------------ /hall

  test('every /hall event refuses malformed payloads with BAD_REQUEST', async () => {
    const names = ['lsHall', 'lsConsole', 'lsFresh', 'twStudio', 'twTech'] as const;
    for (const [key, schema] of Object.entries(HALL_SCHEMAS)) {
      const event = HallEvents[key as HallEventKey];
      await check(`${event} malformed`, fc.tuple(fc.constantFrom(...names), malformed(schema)), RUNS.hallEvent, async ([w, m]) => {
        kind(m.how);
        await refuse('hall', hall[w], event, m.value, ['BAD_REQUEST'], `${event} ${m.how}`);
      });
    }
  });

  test('/hall refuses well-formed payloads for other sites, roles, transports, producers and consumers', async () => {
    await Promise.all([hall.lsHall.open(), hall.lsConsole.open(), hall.twStudio.open()]);
    const cases = hallScopeCases();
    await check('/hall wrong scope', fc.oneof(...cases), RUNS.hallScope, async (k) => {
      kind('wrong scope');
      await refuse('hall', hall[k.w], k.event, wire(k.payload()), k.expect, k.label);
    });
  });

  test('/hall refuses what mediasoup itself rejects (rtp parameters, dtls parameters, capabilities) as BAD_REQUEST / UNSUPPORTED', async () => {
    const c = hall.twStudio;
    await c.open();
    const arb = fc.oneof(
      fc.tuple(fc.constantFrom('video', 'audio'), junkRtpParameters).map(([kind, rtpParameters]) => ({ event: HallEvents.produce, payload: () => ({ transportId: c.ids.send, kind, rtpParameters }) })),
      junkDtls.map((dtlsParameters) => ({ event: HallEvents.connectTransport, payload: () => ({ transportId: c.ids.recv, dtlsParameters }) })),
      junkCaps.map((rtpCapabilities) => ({ event: HallEvents.consumeProgramme, payload: () => ({ transportId: c.ids.recv, rtpCapabilities }) })),
      junkCaps.map((rtpCapabilities) => ({ event: HallEvents.consumeProgramme, payload: () => ({ transportId: hall.lsHall.ids.recv, rtpCapabilities }), w: 'lsHall' as const })),
    );
    await hall.lsHall.open();
    await check('/hall mediasoup-validated fields', arb, RUNS.hallMediasoup, async (k) => {
      const w = 'w' in k ? hall[k.w] : c;
      kind('bad media parameters');
      await refuse('hall', w, k.event, wire(k.payload()), ['BAD_REQUEST', 'UNSUPPORTED'], `${k.event} with junk`);
    });
  });

  test('/hall and /node handshakes refuse bad tokens with UNAUTHORIZED', async () => {
    await check('/hall handshake', fc.tuple(fc.constantFrom<NodeName>('centre', 'langson', 'binhgia'), badHandshakeToken), RUNS.handshake, async ([n, t]) => {
      kind('bad handshake token');
      sent('hall');
      const data = await handshakeRefusal(N(n).url, HALL_NAMESPACE, t.token);
      refusedWith(assertRefusedAck({ ok: false, error: data }, ['UNAUTHORIZED'], `/hall handshake at ${n} (${t.how})`));
    });
    // person tokens, foreign secrets, garbage: only NODE_SECRET node tokens get in
    const nodeBad = fc.oneof(
      badHandshakeToken,
      fc.constantFrom<PersonRole>('organizer', 'technician').map((role) => ({ how: 'person token', token: tok(role, 'tw') })),
      fc.constant(null).map(() => ({ how: 'node token, other secret', token: signToken(TOKEN_SECRET, { role: 'node', conf: '*', site: 'x' }) })),
      fc.constant(null).map(() => ({ how: 'expired node token', token: signToken(NODE_SECRET, { role: 'node', conf: '*', site: 'x', exp: 1000 }) })),
    );
    await check('/node handshake', fc.tuple(fc.constantFrom<NodeName>('centre', 'langson', 'binhgia'), nodeBad), RUNS.handshake, async ([n, t]) => {
      kind('bad handshake token');
      sent('node');
      const data = await handshakeRefusal(N(n).url, NODE_NAMESPACE, t.token);
      refusedWith(assertRefusedAck({ ok: false, error: data }, ['UNAUTHORIZED'], `/node handshake at ${n} (${t.how})`));
    });
  });

  // ------------------------------------------------------------ /node

  test('every node event refuses malformed payloads with BAD_REQUEST, from a child and from a parent', async () => {
    const sides = ['centreAnon', 'langsonAnon', 'centreReg'] as const;
    for (const [key, { schema, parentHandles, childHandles }] of Object.entries(NODE_SCHEMAS)) {
      const event = NodeEvents[key as keyof typeof NodeEvents];
      if (parentHandles) {
        await check(`${event} malformed (to a parent)`, fc.tuple(fc.constantFrom(...sides), malformed(schema)), RUNS.nodeEvent, async ([w, m]) => {
          kind(m.how);
          await refuse('node', nodeWire[w], event, m.value, ['BAD_REQUEST'], `${event} ${m.how}`);
        });
      }
      if (childHandles) {
        await check(`${event} malformed (to a child)`, malformed(schema), RUNS.parentEvent, async (m) => {
          kind(m.how);
          await refuse('node', parent, event, m.value, ['BAD_REQUEST'], `${event} ${m.how}`);
        });
      }
    }
  });

  test('node events refuse well-formed payloads out of turn: before register, again, without a pipe, for unknown producers', async () => {
    await nodeWire.centreReg.open();
    const cases = nodeScopeCases();
    await check('/node out of turn', fc.oneof(...cases), RUNS.nodeScope, async (k) => {
      kind('wrong scope');
      await refuse('node', k.to === 'parent' ? parent : nodeWire[k.to], k.event, wire(k.payload), k.expect, k.label);
    });
  });

  // ------------------------------------------------------------ HTTP

  test('HTTP routes refuse malformed bodies with a typed 4xx', async () => {
    const node = fc.constantFrom<NodeName>('centre', 'langson', 'binhgia');
    await check('POST /ingest malformed', fc.tuple(node, malformed(IngestReq)), RUNS.httpBody, async ([n, m]) => {
      kind(m.how);
      await refuseHttp(N(n), { path: '/ingest', token: ORG, body: m.value }, ['BAD_REQUEST', 'TOO_LARGE'], m.how);
    });
    await check('POST /floor malformed', fc.tuple(node, malformed(SetFloorReq)), RUNS.httpBody, async ([n, m]) => {
      kind(m.how);
      await refuseHttp(N(n), { path: '/floor', token: ORG, body: m.value }, ['BAD_REQUEST', 'TOO_LARGE'], m.how);
    });
  });

  test('HTTP routes refuse bad tokens (header and query) with 401', async () => {
    const route = fc.constantFrom<HttpReq>(
      { path: '/stats' },
      { path: '/floor', body: { site: null } },
      { path: '/ingest', body: { site: 'tw' } },
      { method: 'DELETE', path: '/ingest/0123456789abcdef' },
    );
    const node = fc.constantFrom<NodeName>('centre', 'langson', 'binhgia');
    await check('auth header', fc.tuple(node, route, badToken, fc.constantFrom('Bearer ', 'bearer ', 'Basic ', '', 'Bearer  ')), RUNS.httpAuth, async ([n, r, t, scheme]) => {
      kind('bad token');
      await refuseHttp(N(n), { ...r, headers: { authorization: `${scheme}${t.token}` } }, ['UNAUTHORIZED'], `${t.how} token, scheme "${scheme.trim()}"`);
    });
    const query = fc.oneof(
      badHandshakeToken.filter((t) => typeof t.token === 'string').map((t) => ({ how: t.how, q: `token=${uriEncode(t.token as string)}` })),
      fc.constantFrom('token', 'token=', 'token[]=a&token[]=b', `token=${ORG}x`, 'token=%zz', 'token=%', `token=a&token=${encodeURIComponent(ORG)}`, 'token[a]=b', '%00=%00').map((q) => ({ how: 'odd query', q })),
    );
    await check('auth query', fc.tuple(node, route, query), RUNS.httpAuth, async ([n, r, q]) => {
      kind('bad token');
      await refuseHttp(N(n), { ...r, path: `${r.path}?${q.q}` }, ['UNAUTHORIZED'], q.how);
    });
  });

  test('HTTP routes refuse broken bodies, content types, charsets and encodings with a typed 4xx', async () => {
    const notJson = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('{', '{"site":', '[1,2', '"tw"', '42', 'true', 'null', '{"site":"tw"}}', '\u0000', '{"site":"tw"', '[]', '{}', '{"__proto__":{"site":"tw"}}', ''),
    );
    const body = fc.oneof(
      notJson.map((raw) => ({ how: 'not JSON', raw, type: 'application/json' })),
      fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json-patch', ''))
        .map(([v, type]) => ({ how: `as ${type || 'no type'}`, raw: JSON.stringify(v), type })),
      // bodies the schemas refuse however they are decoded
      fc.tuple(fc.constantFrom('utf-16', 'utf-32', 'latin1', 'koi8-r', 'bogus', 'utf-7', ''), fc.constantFrom('{"site":42}', '{"site":["tw"]}', 'Đ'))
        .map(([cs, raw]) => ({ how: `charset ${cs}`, raw, type: `application/json; charset=${cs}` })),
      fc.tuple(fc.constantFrom('gzip', 'deflate', 'br', 'bogus', 'gzip, gzip', 'identity, x'), fc.string({ maxLength: 100 }))
        .map(([enc, raw]) => ({ how: `content-encoding ${enc}`, raw, type: 'application/json', encoding: enc })),
      fc.integer({ min: 70_000, max: 400_000 }).map((n) => ({ how: 'huge body', raw: JSON.stringify({ site: 'Đ'.repeat(n) }), type: 'application/json' })),
    );
    const target = fc.tuple(fc.constantFrom<NodeName>('centre', 'langson'), fc.constantFrom('/floor', '/ingest'));
    await check('raw bodies', fc.tuple(target, body), RUNS.httpRaw, async ([[name, path], b]) => {
      const n = N(name);
      // a well-formed, acceptable body is not what this property is about
      if (b.type === 'application/json' && !('encoding' in b)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(b.raw);
        } catch {
          parsed = undefined;
        }
        if ((path === '/floor' ? SetFloorReq : IngestReq).safeParse(parsed).success) return;
      }
      const headers: Record<string, string> = { 'content-type': b.type };
      if ('encoding' in b) headers['content-encoding'] = b.encoding as string;
      kind('broken body');
      await refuseHttp(n, { path, token: ORG, raw: b.raw, headers }, ['BAD_REQUEST', 'TOO_LARGE', 'UNSUPPORTED'], b.how);
    });
  });

  test('DELETE /ingest/:id refuses ids that are not an ingest of the caller', async () => {
    const id = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).map((s) => ({ how: 'unicode', seg: uriEncode(s) })),
      idArb.map((s) => ({ how: 'id', seg: encodeURIComponent(s) })),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%80', '..%2F..%2Fhealth', '%00', '%FF%FE', 'a%2Fb', '%25', '%u0041').map((seg) => ({ how: 'odd escape', seg })),
      fc.integer({ min: 2_000, max: 6_000 }).map((n) => ({ how: 'long id', seg: 'x'.repeat(n) })),
    ).filter((x) => x.seg !== ingestId);
    await check('DELETE /ingest/:id', fc.tuple(fc.constantFrom<NodeName>('centre', 'langson'), id), RUNS.httpPath, async ([n, x]) => {
      kind('bad path id');
      await refuseHttp(N(n), { method: 'DELETE', path: `/ingest/${x.seg}`, token: ORG }, ['NOT_FOUND', 'BAD_REQUEST'], x.how);
    });
  });

  test('HTTP routes refuse well-formed requests for another site, role or conference', async () => {
    const cases = httpScopeCases();
    await check('HTTP wrong scope', fc.oneof(...cases), RUNS.httpScope, async (k) => {
      kind('wrong scope');
      await refuseHttp(N(k.n), k.r(), k.expect, k.label);
    });
  });

  // ------------------------------------------------------------ nothing changed

  test(`at least ${MIN_MALFORMED} refusals, no 5xx, no untyped error logged, nodes alive, state hash unchanged`, async () => {
    for (const c of clients) c.close();
    await waitFor('fuzz links gone from the centre', async () => !(await centre.health()).children.some((c) => fuzzNodeIds.has(c.nodeId)));
    const problems: string[] = [];
    for (const n of nodes()) {
      if (!n.running) problems.push(`${n.nodeId} is not running`);
      const r = await fetch(`${n.url}/health`).catch((err: Error) => ({ status: err.message }));
      if (r.status !== 200) problems.push(`${n.nodeId} /health: ${r.status}`);
      const out = n.output.slice(outputAt.get(n.nodeId) ?? 0);
      for (const l of out.split('\n')) if (/"level":(50|60)|hall event failed|http route failed|node event failed/.test(l)) problems.push(`${n.nodeId} logged: ${l.slice(0, 300)}`);
    }
    const after = await snapshot(nodes());
    if (after.hash !== before.hash) problems.push(`state hash ${before.hash} → ${after.hash}: ${stateDiff(before, after)}`);
    if (tally.http5xx) problems.push(`${tally.http5xx} HTTP 5xx answers`);
    if (tally.internal) problems.push(`${tally.internal} INTERNAL acks`);
    if (tally.refused !== tally.payloads) problems.push(`${tally.payloads - tally.refused} payloads not refused`);
    if (tally.payloads < MIN_MALFORMED) problems.push(`only ${tally.payloads} payloads (want ${MIN_MALFORMED})`);
    assert.deepEqual(problems, []);
    console.log(`[fuzz media] state hash ${before.hash} before and after ${tally.payloads} refused payloads`);
  });

  // ------------------------------------------------------------ valid payloads

  test('well-formed payloads are accepted: join, stats, floor (socket and HTTP), register', async () => {
    // join on a fresh socket as a (site, role) the token allows; then the hall stats where the role may read them
    type Joiner = { n: NodeName; who: string; token: () => string; may: [string, HallRole][]; stats: boolean };
    const joiners: Joiner[] = [
      { n: 'langson', who: 'viewer ls-01', token: () => tok('viewer', 'ls-01'), may: [['ls-01', 'hall']], stats: false },
      { n: 'langson', who: 'technician ls', token: () => tok('technician', 'ls'), may: [['ls', 'hall'], ['ls', 'console'], ['ls', 'contributor']], stats: true },
      { n: 'langson', who: 'participant ls-01', token: () => tok('participant', 'ls-01'), may: [['ls-01', 'hall']], stats: false },
      { n: 'langson', who: 'organizer', token: () => ORG, may: [['ls', 'hall'], ['ls-01', 'console'], ['ls-01', 'contributor']], stats: true },
      { n: 'centre', who: 'organizer', token: () => ORG, may: [['tw', 'studio'], ['tw', 'hall']], stats: true },
      { n: 'centre', who: 'technician tw', token: () => tok('technician', 'tw'), may: [['tw', 'hall'], ['tw', 'console']], stats: true },
    ];
    // with, sometimes, keys no schema has: stripped, not refused
    const join = fc.constantFrom(...joiners).chain((j) => fc.tuple(fc.constant(j), fc.constantFrom(...j.may), validArb(StatsReq), fc.option(extraKeys)));
    await check('join', join, RUNS.valid, async ([j, [site, role], statsReq, extra]) => {
      const plain = { site, role };
      const req = extra ? withKeys(plain, Object.fromEntries(Object.entries(extra).filter(([k]) => !Object.hasOwn(plain, k)))) : plain;
      assert.ok(JoinReq.safeParse(req).success);
      const c = new Client(`${j.who} joins ${site} as ${role}`, N(j.n).url, HALL_NAMESPACE, j.token);
      try {
        const res = JoinRes.parse(assertOkAck(await c.ack(HallEvents.join, req), c.name));
        assert.equal(res.site, site);
        assert.equal(res.conf, CONF);
        assert.ok(Array.isArray(res.routerRtpCapabilities.codecs) && res.routerRtpCapabilities.codecs.length > 0, 'router capabilities');
        tally.valid++;
        if (j.stats) {
          StatsRes.parse(assertOkAck(await c.ack(HallEvents.stats, wire(statsReq)), `${c.name}: stats`));
          tally.valid++;
        }
      } finally {
        c.close();
      }
    });

    // GET /stats for organizers and the node's own technicians
    const statsBy = fc.constantFrom<[NodeName, string, () => string]>(
      ['centre', 'organizer', () => ORG], ['langson', 'organizer', () => ORG], ['binhgia', 'organizer', () => ORG],
      ['langson', 'technician ls-01', () => tok('technician', 'ls-01')], ['centre', 'technician tw', () => tok('technician', 'tw')], ['binhgia', 'technician ls-bg', () => tok('technician', 'ls-bg')],
    );
    await check('GET /stats', statsBy, RUNS.valid, async ([n, who, t]) => {
      const r = await request(N(n), { path: '/stats', token: t() });
      assert.equal(r.status, 200, `${n} stats for ${who}: ${r.text}`);
      assert.equal(StatsRes.parse(r.json).nodeId, n);
      tally.valid++;
    });

    // the floor, asked at either node (langson forwards it to the root) by socket or HTTP; taken back after
    const org = { centre: new Client('organizer at centre', centre.url, HALL_NAMESPACE, () => ORG), langson: new Client('organizer at langson', langson.url, HALL_NAMESPACE, () => ORG) };
    const floor = fc.tuple(fc.constantFrom('tw', 'ls', 'ls-01', null), fc.constantFrom('http', 'socket'), fc.constantFrom<'centre' | 'langson'>('centre', 'langson'));
    try {
      await check('floor', floor, RUNS.valid, async ([site, how, n]) => {
        const req = { site };
        assert.ok(SetFloorReq.safeParse(req).success);
        let programme: unknown;
        if (how === 'http') {
          const r = await request(N(n), { path: '/floor', token: ORG, body: req });
          assert.equal(r.status, 200, `floor ${site} at ${n}: ${r.text}`);
          programme = r.json;
        } else {
          programme = assertOkAck(await org[n].ack(HallEvents.setFloor, req), `floor ${site} at ${n}`);
        }
        const p = Programme.parse(programme);
        // the root answers with the floor applied; a lower node with its copy, which follows shortly
        if (n === 'centre') assert.equal(p.floor, site);
        tally.valid++;
      });
      assertOkAck(await org.centre.ack(HallEvents.setFloor, { site: null }), 'floor back to the centre');
    } finally {
      org.centre.close();
      org.langson.close();
    }

    // a contribution at langson (valid ingest) goes up to the root while ls holds the floor,
    // comes down when it is taken back, and is deleted (valid DELETE)
    const producersAt = async (n: NodeProc) => (await n.health()).conferences.find((c) => c.conf === CONF)?.producers ?? 0;
    const tech = tok('technician', 'ls');
    const opened = await request(langson, { path: '/ingest', token: tech, body: { site: 'ls', streams: [{ kind: 'video' }, { kind: 'audio' }] } });
    assert.equal(opened.status, 201, opened.text);
    const contribution = IngestRes.parse(opened.json);
    assert.equal(await producersAt(centre), 2);
    const given = await request(langson, { path: '/floor', token: ORG, body: { site: 'ls' } });
    assert.equal(given.status, 200, given.text);
    await waitFor('the contribution relayed up to the root', async () => (await producersAt(centre)) === 4);
    const back = await request(centre, { path: '/floor', token: ORG, body: { site: null } });
    assert.equal(back.status, 200, back.text);
    await waitFor('the contribution relay torn down', async () => (await producersAt(centre)) === 2);
    const closed = await request(langson, { method: 'DELETE', path: `/ingest/${contribution.id}`, token: tech });
    assert.equal(closed.status, 200, closed.text);
    await waitFor('the contribution gone at langson', async () => (await producersAt(langson)) === 2);
    tally.valid += 4;

    // register: a fresh child node id at the centre, gone again when its socket closes
    const fresh = validArb(NodeRegisterReq).filter((r) => !TREE_IDS.includes(r.nodeId));
    await check('register', fresh, RUNS.valid, async (req) => {
      const c = new Client('register', centre.url, NODE_NAMESPACE, nodeTok, undefined, nodeListen);
      try {
        fuzzNodeIds.add(req.nodeId);
        const res = assertOkAck<{ nodeId: string }>(await c.ack(NodeEvents.register, wire(req)), `register ${req.nodeId}`);
        assert.equal(res.nodeId, 'centre');
        tally.valid++;
      } finally {
        c.close();
      }
    });
    assert.ok(tally.valid >= 4 * RUNS.valid, `valid accepted ${tally.valid}`);

    // and the cascade is back where it was: floor down the tree, the fresh children gone
    let last: Snapshot | undefined;
    try {
      await waitFor('the cascade back to its state', async () => {
        last = await snapshot(nodes());
        return last.hash === before.hash;
      }, 15_000);
    } catch (err) {
      assert.fail(`${String(err)}: ${last ? stateDiff(before, last) : ''}`);
    }
  });
});
