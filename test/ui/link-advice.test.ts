// The technician's reading of the hall link: the worst hall video stream of the
// site decides; good says so, fair and weak say what to do, in Vietnamese and
// English, with the measured figures.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { linkAdvice } from '../../client/ui/technician/link-advice.js';
import type { StreamStats } from '../../signaling/media.js';

const stream = (o: Partial<StreamStats>): StreamStats => ({
  id: 'c1', conf: 'ls-135', site: 'ls-bacson', kind: 'video', direction: 'out', hop: 'hall', producerId: 'p1',
  bitrate: 900_000, packets: 1000, packetsLost: 0, lossRate: 0, rtt: 30, spatialLayer: 2, ...o,
});

test('no hall stream of the site: no advice', () => {
  assert.equal(linkAdvice([stream({ site: 'ls-other' }), stream({ hop: 'pipe' }), stream({ kind: 'audio' })], 'ls-bacson'), null);
});

test('a good link says so and names the layer', () => {
  const a = linkAdvice([stream({})], 'ls-bacson')!;
  assert.equal(a.quality, 'good');
  assert.equal(a.steps.length, 0);
  assert.match(a.profile.vi, /900 kbit\/s · mất gói 0% · 30 ms · lớp hình 3\/3/);
  assert.match(a.summary.vi, /Đường truyền tốt/);
});

test('the worst hall screen decides; a weak link lists what to do in both languages', () => {
  const a = linkAdvice([stream({}), stream({ id: 'c2', lossRate: 0.09, rtt: 260, bitrate: 300_000, spatialLayer: 0 })], 'ls-bacson')!;
  assert.equal(a.quality, 'poor');
  assert.match(a.profile.vi, /300 kbit\/s · mất gói 9% · 260 ms · lớp hình 1\/3/);
  assert.match(a.profile.en, /loss 9\.0%/);
  assert.match(a.summary.vi, /Đường truyền yếu/);
  assert.equal(a.steps.length, 4);
  assert.ok(a.steps.every((s) => s.vi.length > 10 && s.en.length > 10));
  assert.match(a.steps.map((s) => s.vi).join(' '), /cáp mạng/);
});

test('a fair link keeps the first two steps', () => {
  const a = linkAdvice([stream({ lossRate: 0.03, rtt: 120 })], 'ls-bacson')!;
  assert.equal(a.quality, 'fair');
  assert.equal(a.steps.length, 2);
});

test('the path: direct or through TURN, as the hall reports it; a weak relayed hall is told to open UDP', () => {
  const direct = linkAdvice([stream({ relayed: false })], 'ls-bacson')!;
  assert.match(direct.profile.vi, /kết nối trực tiếp$/);
  assert.match(direct.profile.en, /direct$/);
  const relayed = linkAdvice([stream({ relayed: true, lossRate: 0.04, rtt: 180 })], 'ls-bacson')!;
  assert.match(relayed.profile.vi, /qua máy chủ chuyển tiếp \(TURN\)$/);
  assert.match(relayed.profile.en, /through the TURN relay$/);
  assert.equal(relayed.steps.length, 3);
  assert.match(relayed.steps[2]!.vi, /mở cổng UDP/);
  // no word from the hall yet: no path named
  assert.doesNotMatch(linkAdvice([stream({})], 'ls-bacson')!.profile.en, /direct|TURN/);
});
