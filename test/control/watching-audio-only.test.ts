// A hall on a link too thin for the lowest picture gets sound only (media/audio-only.ts): its page
// says it decodes no frames, but the node reports it audio only with media still arriving. Control's
// watch (server/watching.ts, real Redis, a node linked over a real socket) counts the site as
// following the programme — 'playing' with audioOnly 1 — so the organizer's "not playing" filter
// does not list it; a hall with its video paused and nothing arriving stays 'connected'.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { MediaLinkEvents } from '../../signaling/control-media.js';
import type { HallEndpoint, SiteWatch, WatchEvent } from '../../signaling/watching.js';
import { Watchers } from '../../media/watchers.js';
import { waitFor } from '../support/wait.js';
import { api, CONF, setupConference, testEnv, type Env } from './helpers.js';
import { linkNode, NODE_SECRET, nodeToken } from './recording-support.js';

const SITE = 'd01-c01'; // served by node p
let env: Env;
let base: string;
let org: string;
let node: Socket;

beforeAll(async () => {
  env = testEnv('watch-audio', { nodeSecret: NODE_SECRET });
  base = (await env.start()).url;
  org = (await setupConference(base, 1, 1)).org;
  node = await linkNode(base, nodeToken('p'));
});
afterAll(async () => {
  node?.close();
  await env.cleanup();
});

const send = (halls: HallEndpoint[]) => new Promise<{ ok: boolean }>((resolve) => node.emit(MediaLinkEvents.halls, { nodeId: 'p', halls }, resolve));
const watchOf = async (): Promise<SiteWatch | undefined> => {
  const r = await api<SiteWatch[]>(base, org, 'GET', `/api/conferences/${CONF}/watch`);
  assert.ok(r.body.ok, JSON.stringify(r.body));
  return r.body.data!.find((w) => w.site === SITE);
};
const hall = (extra: Partial<HallEndpoint>): HallEndpoint => ({ id: 'hall-1', conf: CONF, site: SITE, since: Date.now() - 5000, state: 'playing', fps: 25, bitrateKbps: 300, lossPct: 0.5, rttMs: 40, layer: 0, ...extra });

test('an audio-only hall whose sound arrives follows the programme; one receiving nothing does not', async () => {
  // the picture plays
  assert.ok((await send([hall({})])).ok);
  const video = await waitFor('the site playing', async () => { const w = await watchOf(); return w?.state === 'playing' ? w : null; });
  assert.equal(video.audioOnly, undefined);

  // the node pauses its video: the page decodes no frames, the sound (40 kbit/s) still arrives; the
  // node's own list (media/watchers.ts) says so from the hall's audio-only getter
  let paused = false;
  const watchers = new Watchers();
  watchers.add('hall-1', CONF, SITE, () => 0, () => paused);
  watchers.playback('hall-1', { playing: false, framesDecoded: 500, fps: 0, bitrateKbps: 40, lossPct: 3, rttMs: 260 });
  assert.equal(watchers.list()[0]!.audioOnly, undefined, 'not audio only while the video is not paused');
  paused = true;
  const listed = watchers.list();
  assert.equal(listed[0]!.audioOnly, true);
  assert.equal(listed[0]!.state, 'connected', 'the page\'s own word: no frames');
  assert.ok((await send(listed)).ok);
  const sound = await waitFor('the site audio only', async () => { const w = await watchOf(); return w?.audioOnly === 1 ? w : null; });
  assert.equal(sound.state, 'playing');
  assert.equal(sound.playing, 1);
  assert.equal(sound.endpoints, 1);
  assert.equal(sound.bitrateKbps, 40);

  // nothing arrives any more: it no longer follows
  assert.ok((await send([hall({ state: 'connected', fps: 0, bitrateKbps: 0, audioOnly: true })])).ok);
  const silent = await waitFor('the site connected', async () => { const w = await watchOf(); return w?.state === 'connected' ? w : null; });
  assert.equal(silent.playing, 0);
  assert.equal(silent.audioOnly, undefined);

  // the picture back: playing again, no longer sound only
  assert.ok((await send([hall({})])).ok);
  const back = await waitFor('the site playing again', async () => { const w = await watchOf(); return w?.state === 'playing' ? w : null; });
  assert.equal(back.audioOnly, undefined);

  // going audio only did not stop the hall's watch; only the silence did
  const ev = await api<WatchEvent[]>(base, org, 'GET', `/api/conferences/${CONF}/watch/${SITE}/events`);
  assert.ok(ev.body.ok, JSON.stringify(ev.body));
  assert.deepEqual(ev.body.data!.map((e) => e.kind), ['join', 'play', 'stop', 'play']);
});

test('a second screen on sound only beside one with the picture: playing, 2 of 2, audioOnly 1', async () => {
  assert.ok((await send([hall({}), hall({ id: 'hall-2', state: 'connected', fps: 0, bitrateKbps: 35, audioOnly: true })])).ok);
  const w = await waitFor('two screens playing', async () => { const x = await watchOf(); return x?.playing === 2 ? x : null; });
  assert.equal(w.state, 'playing');
  assert.equal(w.audioOnly, 1);
  assert.equal(w.endpoints, 2);
});
