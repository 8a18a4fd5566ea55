// A weak relay hop carries one simulcast layer instead of all: the province
// node runs in a network namespace whose link from the centre is capped at the
// weak profile's 1 Mbps (tbf on the veth, as the impairment harness shapes; the
// harness's userspace relay cannot carry a pipe, whose ends accept packets only
// from the address they connected to). The studio's three layers (~1.7 Mbps)
// do not fit: the province asks the centre for one layer, its hall plays that
// one smoothly; once the link is good again the hop carries every layer after
// its hold-down, and neither node holds a leaked transport or consumer.
// Real node processes, a libwebrtc studio at the centre and a libwebrtc hall.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { NodeObjects, StreamStats } from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { PROFILES } from '../support/impair.js';
import { NetNs } from '../support/netns.js';
import { videoStats } from './hop-stats.js';
import { HallPeer, ProducerPeer } from './peer.js';
import { NodeProc, sleep, waitFor } from './procs.js';

const CONF = 'ls-hop';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const tok = (role: 'organizer' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1 };
const UP_AFTER_MS = 12_000;

describe('the simulcast layers over a weak relay hop', { timeout: 150_000 }, () => {
  let ns: NetNs;
  let centre: NodeProc, langson: NodeProc;
  let studio: ProducerPeer;
  let hall: HallPeer;
  const steady = new Map<string, NodeObjects>();

  /** The centre's video stream towards the province: spatialLayer set only while the hop is capped. */
  const hopOut = async (): Promise<StreamStats | undefined> =>
    (await centre.stats(tok('organizer'))).streams.find((x) => x.hop === 'pipe' && x.direction === 'out' && x.kind === 'video');
  const shape = (rateKbps: number | null) => {
    const tc = (...args: string[]) => execFileSync('tc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try { tc('qdisc', 'del', 'dev', ns.hostIf, 'root'); } catch { /* none yet */ }
    // the centre → province direction, where the relayed media goes; the same tbf as the harness
    if (rateKbps !== null) tc('qdisc', 'add', 'dev', ns.hostIf, 'root', 'tbf', 'rate', `${rateKbps}kbit`, 'burst', String(Math.max(3200, Math.round((rateKbps * 1000) / 8 / 100))), 'latency', '300ms');
  };
  /** The hall's video over `ms`: frames decoded per second, loss, and the picture width. */
  const playing = async (ms: number) => {
    const read = async () => {
      const c = hall.consumers.find((x) => x.kind === 'video' && !x.closed);
      let r = { frames: 0, lost: 0, got: 0, width: 0 };
      (await videoStats(hall, c?.rtpParameters.encodings?.[0]?.ssrc))?.forEach((s: any) => {
        r = { frames: s.framesDecoded ?? 0, lost: s.packetsLost ?? 0, got: s.packetsReceived ?? 0, width: s.frameWidth ?? 0 };
      });
      return { id: c?.id, ...r };
    };
    const a = await read();
    await sleep(ms);
    const b = await read();
    if (a.id !== b.id) return { fps: 0, loss: 1, width: 0 };
    const lost = b.lost - a.lost;
    return { fps: ((b.frames - a.frames) * 1000) / ms, loss: lost / Math.max(1, lost + b.got - a.got), width: b.width };
  };

  beforeAll(async () => {
    ns = NetNs.create('hop');
    centre = await new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'], listenIp: '0.0.0.0', announcedIp: ns.hostIp }, 'hop-centre').start();
    const child = new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url, listenIp: ns.nsIp, announcedIp: ns.nsIp }, 'hop-langson', ns.name);
    child.env = { MEDIA_HOP_UP_AFTER_MS: String(UP_AFTER_MS) };
    langson = await child.start();
    studio = await ProducerPeer.start({ url: centre.url, token: tok('organizer'), site: 'tw', role: 'studio', simulcast: true, fps: 25 });
    hall = new HallPeer({ url: langson.url, token: tok('viewer', 'ls'), site: 'ls' });
    await waitFor('the hall decoding the studio', async () => {
      const v = (await hall.inbound()).find((x) => x.kind === 'video');
      return (v?.framesDecoded ?? 0) > 10;
    }, 40_000, 200);
    // every layer crosses the good hop (a pipe: no single layer chosen)
    await waitFor('three layers over the hop', async () => {
      const s = await hopOut();
      return s && s.spatialLayer === undefined && s.bitrate > 0;
    }, 20_000);
    await sleep(3000);
    for (const n of [centre, langson]) steady.set(n.nodeId, (await n.health()).objects);
  });

  afterAll(async () => {
    await hall?.close();
    await studio?.close();
    for (const n of [langson, centre]) await n?.stop();
    ns?.close();
  });

  test('weak: one layer that fits, played smoothly; good again: every layer, nothing leaked', async () => {
    const before = await playing(4000);
    const allKbps = (await hopOut())?.bitrate ?? 0;
    console.log(`[hop-layers] good hop, every layer: ${Math.round(allKbps / 1000)} kbit/s over the hop, hall ${before.fps.toFixed(1)} fps, width ${before.width}`);

    shape(PROFILES.weak.rateKbps);
    const capped = await waitFor('the hop capped to one layer', async () => {
      const s = await hopOut();
      return s?.spatialLayer !== undefined ? s : undefined;
    }, 30_000, 250);
    const layer = capped.spatialLayer!;
    assert.ok(layer < 2, `capped at layer ${layer}: a lower one than the top`);
    // the halls re-consumed the swapped producer; give the new stream a keyframe's time
    await waitFor('the hall decoding the capped stream', async () => (await playing(1000)).fps > 10, 20_000, 0);
    const weak = await playing(5000);
    const hopKbps = (await hopOut())?.bitrate ?? 0;
    console.log(`[hop-layers] weak hop capped at layer ${layer}: ${Math.round(hopKbps / 1000)} kbit/s over the hop, hall ${weak.fps.toFixed(1)} fps, loss ${(weak.loss * 100).toFixed(1)} %, width ${weak.width}`);
    assert.ok(weak.fps >= 20, `the hall plays the capped layer at ${weak.fps.toFixed(1)} fps`);
    assert.ok(weak.loss < 0.02, `little loss below the capped hop: ${(weak.loss * 100).toFixed(1)} %`);
    assert.ok(weak.width > 0 && weak.width < before.width, `a lower layer's picture (${weak.width} px wide, top ${before.width})`);
    // the province node's /health says so: the hop from its parent carries one layer
    const hops = (await langson.health()).parent?.hops ?? [];
    assert.deepEqual(hops.map((h) => h.layer), [layer], JSON.stringify(hops));

    shape(null);
    const t0 = Date.now();
    await waitFor('every layer over the hop again', async () => {
      const s = await hopOut();
      return s && s.spatialLayer === undefined && s.bitrate > 0;
    }, 60_000, 250);
    console.log(`[hop-layers] good again: every layer after ${Date.now() - t0} ms (hold-down ${UP_AFTER_MS} ms, doubled after each failed try)`);
    await waitFor('/health: every layer over the hop', async () => (await langson.health()).parent?.hops?.every((h) => h.layer === null), 10_000, 250);
    await waitFor('the hall playing every layer\'s top again', async () => (await playing(1000)).width === before.width, 30_000, 0);

    for (const n of [centre, langson]) {
      await n.backTo(steady.get(n.nodeId)!);
    }
  });
});
