// Failover: the parent of a playing hall's node is killed (SIGKILL, not
// restarted during the measurement) again and again; each time, the time from
// the kill until the hall's video frames advance again (fresh consumers
// through the nearest live ancestor), and until its node is attached there.
// Between rounds the parent is started again and the subtree returns to it.
// Real node processes (centre → langson → d-trangdinh), an ffmpeg VP8/Opus
// source at the centre, a libwebrtc hall at the commune ls-trangdinh-01.
// `node --import tsx bench/p6-failover.ts [--rounds 12]` → bench/results/p6-failover.json
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { REPO_ROOT } from '../infra/proc.js';
import { freeUdpTcpPort } from '../media/workers.js';
import { signToken } from '../signaling/token.js';
import { HallPeer } from '../test/media/peer.js';
import { FfmpegFeed, NodeProc, waitFor } from '../test/media/procs.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '12' } } });
const rounds = Math.max(1, Number(values.rounds));
const CONF = 'ls-p6';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const tok = (role: 'organizer' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, returnAfterMs: 1000 };

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

async function main(): Promise<void> {
  const centre = await new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'] }, 'p6-centre').start();
  const langson = await new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url, listenPort: await freeUdpTcpPort('127.0.0.1'), rtcPort: await freeUdpTcpPort('127.0.0.1') }, 'p6-langson').start();
  const district = await new NodeProc({ ...base, nodeId: 'd-trangdinh', sites: ['ls-trangdinh', 'ls-trangdinh-01'], parent: langson.url }, 'p6-trangdinh').start();
  const ingest = await centre.ingest(tok('organizer'), { site: 'tw' });
  const ids = ingest.streams.map((s) => s.producerId).sort().join();
  const feed = new FfmpegFeed(ingest, { size: '640x360' }).start();
  const peer = new HallPeer({ url: district.url, token: tok('viewer', 'ls-trangdinh-01'), site: 'ls-trangdinh-01' });
  /** Frames decoded by consumers other than `old`, or 0. */
  const freshFrames = async (old: string[]) => {
    if (peer.programmeIds.slice().sort().join() !== ids || peer.consumers.some((c) => old.includes(c.id))) return 0;
    return (await peer.inbound()).find((x) => x.kind === 'video')?.framesDecoded ?? 0;
  };
  const underParent = async (id: string) => {
    const p = (await district.health()).parent;
    return p?.nodeId === id && p.state === 'connected';
  };
  const samples: { attachMs: number; videoMs: number }[] = [];
  try {
    await waitFor('the hall decoding', async () => (await freshFrames([])) > 10, 30_000, 100);
    for (let i = 0; i < rounds; i++) {
      const old = peer.consumers.map((c) => c.id);
      const killedAt = Date.now();
      await langson.stop('SIGKILL');
      let attachMs = 0;
      const attached = waitFor('attached to the centre', async () => (await underParent('centre')) && (attachMs = Date.now() - killedAt), 30_000, 20);
      // frames advancing on the new consumers (two readings apart), not a single keyframe
      const videoMs = await waitFor('video again', async () => {
        const f = await freshFrames(old);
        return f > 1 ? Date.now() - killedAt : false;
      }, 30_000, 20);
      await attached;
      samples.push({ attachMs, videoMs });
      const detour = peer.consumers.map((c) => c.id);
      console.log(`round ${i + 1}/${rounds}: attached to the centre ${attachMs} ms, video again ${videoMs} ms`);
      await langson.start();
      await waitFor('back under the province', () => underParent('langson'), 30_000, 100);
      await waitFor('decoding through the province', async () => (await freshFrames(detour)) > 10, 30_000, 100);
    }
  } finally {
    await peer.close();
    await feed.stop();
    for (const n of [district, langson, centre]) await n.stop();
  }
  const video = samples.map((s) => s.videoMs);
  const attach = samples.map((s) => s.attachMs);
  const result = {
    bench: 'p6-failover',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '' },
    what: 'SIGKILL of the province node above a playing commune hall (not restarted): ms until the district is attached to the centre, and until the hall decodes video frames again',
    n: samples.length,
    p50Ms: quantile(video, 0.5),
    p90Ms: quantile(video, 0.9),
    attachP50Ms: quantile(attach, 0.5),
    attachP90Ms: quantile(attach, 0.9),
    samples,
  };
  console.log(`video again after the kill: p50 ${result.p50Ms} ms, p90 ${result.p90Ms} ms; attached: p50 ${result.attachP50Ms} ms, p90 ${result.attachP90Ms} ms (n=${result.n})`);
  mkdirSync(resolve(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(REPO_ROOT, 'bench/results/p6-failover.json'), JSON.stringify(result, null, 2));
  console.log('wrote bench/results/p6-failover.json');
}

main().then(() => process.exit(process.exitCode ?? 0), (err) => { console.error(err); process.exit(1); });
