// Materials: upload to the content store, download with ETag and Range, bullmq
// delivery with retries (a site that never answers ends failed), receipts
// checked against the sha256; and the delayed report reminder.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { ControlEvents, ControlPushes, type Delivery, type Material, type MaterialNotify } from '../../signaling/control.js';
import { waitFor as poll } from '../support/wait.js';
import { api, CONF, receiptFor, connect, emit, setupConference, testEnv, token, waitFor, type Env } from './helpers.js';

let env: Env;
let base: string;
let org: string;
const sockets: Socket[] = [];
const ATTEMPTS = 3;

beforeAll(async () => {
  env = testEnv('materials', { delivery: { attempts: ATTEMPTS, backoffMs: 100, receiptTimeoutMs: 400, concurrency: 50 }, maxUploadBytes: 64 * 1024, reminderLeadMs: 0 });
  base = (await env.start()).url;
  org = (await setupConference(base, 1, 2)).org; // root, prov, d01, d01-c01, d01-c02
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await env.cleanup();
});

const upload = (q: string, body: string | Uint8Array, type = 'text/markdown') =>
  api<Material>(base, org, 'POST', `/api/conferences/${CONF}/materials?${q}`, body, { 'content-type': type });

test('delivery: receipt → delivered, silence → retried then failed, wrong sha256 refused', async () => {
  const tech1 = await connect(base, token('technician', CONF, 'd01-c01'), 'console');
  const tech2 = await connect(base, token('technician', CONF, 'd01-c02'), 'console');
  const orgSock = await connect(base, org, 'organizer');
  sockets.push(tech1, tech2, orgSock);
  for (const s of [tech1, tech2, orgSock]) assert.ok((await emit(s, ControlEvents.subscribe, { conf: CONF })).ok);
  const notifies2: MaterialNotify[] = [];
  tech2.on(ControlPushes.materialNotify, (n: MaterialNotify) => notifies2.push(n));
  const gotNotify1 = waitFor<MaterialNotify>(tech1, ControlPushes.materialNotify, () => true);

  const text = 'Tài liệu hội nghị — nội dung thử.\n'.repeat(50);
  const sha = createHash('sha256').update(text).digest('hex');
  const up = await upload(`id=tl-a&title=${encodeURIComponent('Chương trình')}&filename=chuong-trinh.md&targets=d01-c01,d01-c02`, text);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.ok(up.body.ok);
  const m = up.body.data;
  assert.equal(m.sha256, sha);
  assert.equal(m.size, Buffer.byteLength(text));

  // site 1: download, verify, wrong receipt refused, right receipt accepted
  const n1 = await gotNotify1;
  assert.equal(n1.material.id, 'tl-a');
  const t1 = token('technician', CONF, 'd01-c01');
  const dl = await fetch(base + n1.material.url, { headers: { authorization: `Bearer ${t1}` } });
  assert.equal(dl.status, 200);
  const bytes = Buffer.from(await dl.arrayBuffer());
  assert.equal(createHash('sha256').update(bytes).digest('hex'), sha);
  assert.equal(dl.headers.get('etag'), `"${sha}"`);
  // the receipt proves possession: the challenge came with the notification, only to this site
  assert.match(n1.material.challenge ?? '', /^[0-9a-f]{32}$/);
  const { proof } = await receiptFor(base, t1, CONF, 'tl-a', bytes);
  const wrong = await emit(tech1, ControlEvents.receipt, { site: 'd01-c01', material: 'tl-a', version: 1, sha256: '0'.repeat(64), proof });
  assert.equal(wrong.ok, false);
  assert.equal(!wrong.ok && wrong.error.code, 'CONFLICT');
  const wrongRest = await api(base, t1, 'POST', `/api/conferences/${CONF}/materials/tl-a/receipts`, { site: 'd01-c01', version: 1, sha256: 'f'.repeat(64), proof });
  assert.equal(wrongRest.status, 409);
  const d1 = (await api<{ deliveries: Delivery[] }>(base, org, 'GET', `/api/conferences/${CONF}/materials/tl-a/deliveries`)).body;
  assert.ok(d1.ok);
  assert.notEqual(d1.data.deliveries.find((d) => d.site === 'd01-c01')!.state, 'delivered', 'a wrong hash delivers nothing');
  // the right sha256 (it is public) without the bytes: refused
  const guessed = await emit(tech1, ControlEvents.receipt, { site: 'd01-c01', material: 'tl-a', version: 1, sha256: sha, proof: '0'.repeat(64) });
  assert.equal(!guessed.ok && guessed.error.code, 'CONFLICT');
  // another site's proof does not fit this site's challenge
  const t2 = token('technician', CONF, 'd01-c02');
  const theirs = await receiptFor(base, t2, CONF, 'tl-a', bytes);
  assert.notEqual(theirs.proof, proof);
  const good = await emit<Delivery>(tech1, ControlEvents.receipt, { site: 'd01-c01', material: 'tl-a', version: 1, sha256: sha, proof });
  assert.ok(good.ok, JSON.stringify(good));
  assert.equal(good.data.state, 'delivered');

  // site 2 never answers: notified on every try, then failed
  const final = await poll('site 2 to be marked failed after its last try', async () => {
    const r = (await api<{ deliveries: Delivery[] }>(base, org, 'GET', `/api/conferences/${CONF}/materials/tl-a/deliveries`)).body;
    assert.ok(r.ok);
    const d = r.data.deliveries.find((x) => x.site === 'd01-c02');
    return d?.state === 'failed' && d;
  }, 15_000, 100);
  assert.equal(final.state, 'failed');
  assert.equal(final.attempts, ATTEMPTS);
  assert.equal(notifies2.length, ATTEMPTS, 'one notification per try');
  const sum = (await api(base, org, 'GET', `/api/conferences/${CONF}/deliveries`)).body;
  assert.deepEqual(sum.data[0], { material: 'tl-a', version: 1, pending: 0, notified: 0, delivered: 1, failed: 1 });
  // site 1 stays delivered (retries of others never overwrite a receipt)
  const after1 = (await api(base, org, 'GET', `/api/conferences/${CONF}/materials/tl-a/deliveries`)).body.data.deliveries.find((d: Delivery) => d.site === 'd01-c01');
  assert.equal(after1.state, 'delivered');

  // redeliver the failed site, which answers this time
  const again = waitFor<MaterialNotify>(tech2, ControlPushes.materialNotify, () => true);
  assert.equal((await api(base, org, 'POST', `/api/conferences/${CONF}/materials/tl-a/redeliver`, {})).status, 200);
  await again;
  assert.ok((await emit(tech2, ControlEvents.receipt, { site: 'd01-c02', material: 'tl-a', version: 1, ...(await receiptFor(base, t2, CONF, 'tl-a', text)) })).ok);
  const s2 = (await api(base, org, 'GET', `/api/conferences/${CONF}/deliveries`)).body.data[0];
  assert.equal(s2.delivered, 2);
});

test('download: ETag, If-None-Match, Range resume; scope of targets', async () => {
  const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const up = await upload('id=tl-b&title=Bin&filename=data.bin&targets=d01-c01', body, 'application/octet-stream');
  assert.equal(up.status, 201);
  const m = up.body.data as Material;
  const t = token('technician', CONF, 'd01-c01');
  const h = { authorization: `Bearer ${t}` };
  const part = await fetch(base + m.url, { headers: { ...h, range: 'bytes=1000-1999' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 1000-1999/5000`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), body.subarray(1000, 2000));
  const rest = await fetch(base + m.url, { headers: { ...h, range: 'bytes=2000-', 'if-range': `"${m.sha256}"` } });
  assert.equal(rest.status, 206);
  assert.deepEqual(Buffer.from(await rest.arrayBuffer()), body.subarray(2000));
  const same = await fetch(base + m.url, { headers: { ...h, 'if-none-match': `"${m.sha256}"` } });
  assert.equal(same.status, 304);
  const bad = await fetch(base + m.url, { headers: { ...h, range: 'bytes=9000-9100' } });
  assert.equal(bad.status, 416);
  // token in the query for plain links
  assert.equal((await fetch(`${base}${m.url}?token=${t}`)).status, 200);
  // a site not targeted cannot fetch it
  const other = await fetch(base + m.url, { headers: { authorization: `Bearer ${token('technician', CONF, 'd01-c02')}` } });
  assert.equal(other.status, 403);
});

test('upload limits: too large and unsupported type are refused, nothing stored', async () => {
  const before = (await api(base, org, 'GET', `/api/conferences/${CONF}/materials`)).body.data.length;
  const big = await upload('title=Big&filename=big.txt', 'x'.repeat(70 * 1024), 'text/plain');
  assert.equal(big.status, 413);
  assert.equal(big.body.error.code, 'TOO_LARGE');
  const exe = await upload('title=Exe&filename=a.exe', 'MZ', 'application/x-msdownload');
  assert.equal(exe.status, 415);
  const noTitle = await upload('filename=a.txt', 'abc', 'text/plain');
  assert.equal(noTitle.status, 400);
  const traversal = await upload('title=x&filename=..%2F..%2Fetc%2Fpasswd', 'abc', 'text/plain');
  assert.equal(traversal.status, 400);
  assert.equal((await api(base, org, 'GET', `/api/conferences/${CONF}/materials`)).body.data.length, before);
});

test('report reminder: a delayed job fires before the deadline', async () => {
  const orgSock = await connect(base, org, 'organizer');
  sockets.push(orgSock);
  await emit(orgSock, ControlEvents.subscribe, { conf: CONF });
  const got = waitFor<{ conference: string; sent: boolean }>(orgSock, ControlPushes.reportReminder, () => true, 8000);
  const deadline = new Date(Date.now() + 1500).toISOString();
  const r = await api(base, org, 'PATCH', `/api/conferences/${CONF}`, { reportDeadline: deadline });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const t0 = Date.now();
  const rem = await got;
  assert.equal(rem.conference, CONF);
  assert.equal(rem.sent, false);
  assert.ok(Date.now() - t0 >= 1000, 'the reminder waited for its delay');
});
