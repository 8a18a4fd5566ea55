// The built-in Lạng Sơn 135-KH/TU demo: loads once (idempotent across two
// instances), has the expected tree, groups, agenda, materials and media nodes,
// and the demo links authenticate.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { demoLinks } from '../../server/demo/links.js';
import type { Material, Site } from '../../signaling/control.js';
import { api, SECRET, testEnv, type Env } from './helpers.js';

let env: Env;
let a: string;
let b: string;
const P = '/api/conferences/ls-135';
const links = demoLinks({ tokenSecret: SECRET });

beforeAll(async () => {
  env = testEnv('demo', { demo: true, mediaNodes: { centre: 'http://127.0.0.1:7201', langson: 'http://127.0.0.1:7202' } });
  [a, b] = (await Promise.all([env.start(), env.start()])).map((h) => h.url) as [string, string];
});
afterAll(async () => { await env.cleanup(); });

test('demo conference: tree, groups, agenda, materials, media nodes', async () => {
  const org = links.organizer;
  const conf = (await api(a, org, 'GET', P)).body.data;
  assert.equal(conf.planNumber, '135-KH/TU');
  assert.equal(conf.rootSite, 'tw');
  const sites: Site[] = (await api(a, org, 'GET', `${P}/sites`)).body.data;
  const communes = sites.filter((s) => s.level === 'commune');
  assert.equal(sites.filter((s) => s.level === 'district').length, 11);
  assert.ok(communes.length >= 190 && communes.length <= 210, `${communes.length} communes`);
  assert.equal(new Set(sites.map((s) => s.id)).size, sites.length, 'loaded once despite two instances');
  const node = (id: string) => sites.find((s) => s.id === id)!;
  assert.equal(node('tw').mediaNode, 'centre');
  assert.equal(node('ls').mediaNode, 'langson');
  assert.equal(node('ls').mediaUrl, 'http://127.0.0.1:7202');
  assert.equal(node('ls-trangdinh-05').mediaNode, 'd-trangdinh');
  assert.equal(node('ls-caoloc').mediaNode, 'd-caoloc');
  assert.equal(node('ls-bacson-02').mediaNode, 'langson');
  assert.ok(communes.every((c) => c.mediaNode !== 'centre'));
  assert.equal(node('ls').hall, 'Hội trường Thành uỷ - Uỷ ban nhân dân thành phố Lạng Sơn');
  const groups = (await api(a, org, 'GET', `${P}/groups`)).body.data;
  assert.deepEqual(['province', 'district', 'commune'].map((l) => groups.filter((g: any) => g.level === l).length), [4, 5, 3]);
  const agenda = (await api(a, org, 'GET', `${P}/agenda`)).body.data;
  assert.equal(agenda.items.length, 9);
  const root = (await api(b, org, 'GET', `${P}/rollups/tw`)).body.data;
  assert.equal(root.sites, sites.length);
  assert.ok(root.totalExpected > 10_000);

  const mats: Material[] = (await api(a, org, 'GET', `${P}/materials`)).body.data;
  assert.equal(mats.length, 6);
  const tech = links.sites['ls-trangdinh-05']!.technician;
  for (const m of mats) {
    const r = await fetch(a + m.url, { headers: { authorization: `Bearer ${tech}` } });
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(createHash('sha256').update(body).digest('hex'), m.sha256);
    assert.match(body.toString('utf8'), /^# /);
  }
  const nodes = (await api(a, org, 'GET', `${P}/media-nodes`)).body.data.map((n: any) => n.id);
  assert.deepEqual(nodes, ['centre', 'd-caoloc', 'd-trangdinh', 'langson']);
});

test('demo links: per-site tokens have the right scope', async () => {
  const t = links.sites['ls-caoloc-03']!;
  assert.equal((await api(a, t.technician, 'PUT', `${P}/attendance/ls-caoloc-03`, { present: { 'xa-1': 12 } })).status, 200);
  assert.equal((await api(a, t.technician, 'PUT', `${P}/attendance/ls-caoloc-04`, { present: { 'xa-1': 12 } })).status, 403);
  assert.equal((await api(a, t.participant, 'POST', `${P}/agenda/nd-1/start`)).status, 403);
  assert.equal((await api(a, links.viewer, 'GET', `${P}/rollups`)).status, 200);
  const me = (await api(a, t.viewer, 'GET', '/api/me')).body.data;
  assert.deepEqual([me.role, me.site], ['viewer', 'ls-caoloc-03']);
});
