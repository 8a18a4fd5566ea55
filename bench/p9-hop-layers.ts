// A hall below a weak relay hop, every layer vs one layer over the hop. The
// province node runs in a network namespace whose link from the centre is
// capped at the weak profile's rate (tbf, 1 Mbps); the studio (libwebrtc, VP8
// simulcast in three layers, 25 fps) publishes at the centre, a libwebrtc hall
// plays at the province. Run twice: with the hop's layer cap off
// (MEDIA_HOP_LAYERS=off: every layer crosses the pipe, as before) and on; each
// time the hall's frames per second and loss are sampled every second for
// `--seconds`, once the hop has settled.
// `node --import tsx bench/p9-hop-layers.ts [--seconds 30]` → bench/results/p9-hop-layers.json
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../infra/proc.js';
import { signToken } from '../signaling/token.js';
import { PROFILES } from '../test/support/impair.js';
import { NetNs } from '../test/support/netns.js';
import { videoStats } from '../test/media/hop-stats.js';
import { HallPeer, ProducerPeer } from '../test/media/peer.js';
import { NodeProc, sleep, waitFor } from '../test/media/procs.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' } } });
const seconds = Math.max(5, Number(values.seconds));
const CONF = 'ls-p9';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const tok = (role: 'organizer' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1 };
const rateKbps = PROFILES.weak.rateKbps!;

type Run = { mode: 'every-layer' | 'capped'; layer: number | null; hopKbps: number; fpsMean: number; fpsP10: number; secondsBelow15fps: number; lossPct: number; width: number };

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
};

async function run(mode: Run['mode']): Promise<Run> {
  const ns = NetNs.create('p9');
  const closers: (() => Promise<unknown> | void)[] = [() => ns.close()];
  try {
    const centre = await new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'], listenIp: '0.0.0.0', announcedIp: ns.hostIp }, `p9-centre-${mode}`).start();
    closers.unshift(() => centre.stop());
    const child = new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url, listenIp: ns.nsIp, announcedIp: ns.nsIp }, `p9-langson-${mode}`, ns.name);
    child.env = mode === 'capped' ? { MEDIA_HOP_UP_AFTER_MS: '60000' } : { MEDIA_HOP_LAYERS: 'off' };
    const langson = await child.start();
    closers.unshift(() => langson.stop());
    const studio = await ProducerPeer.start({ url: centre.url, token: tok('organizer'), site: 'tw', role: 'studio', simulcast: true, fps: 25 });
    closers.unshift(() => studio.close());
    const hall = new HallPeer({ url: langson.url, token: tok('viewer', 'ls'), site: 'ls' });
    closers.unshift(() => hall.close());
    await waitFor('the hall decoding', async () => ((await hall.inbound()).find((x) => x.kind === 'video')?.framesDecoded ?? 0) > 10, 40_000, 200);
    await sleep(5000); // every layer up at the studio
    const hopOut = async () => (await centre.stats(tok('organizer'))).streams.find((x) => x.hop === 'pipe' && x.direction === 'out' && x.kind === 'video');
    // the centre → province direction, shaped as the impairment harness shapes
    execFileSync('tc', ['qdisc', 'add', 'dev', ns.hostIf, 'root', 'tbf', 'rate', `${rateKbps}kbit`, 'burst', String(Math.max(3200, Math.round((rateKbps * 1000) / 8 / 100))), 'latency', '300ms']);
    if (mode === 'capped') await waitFor('the hop capped', async () => (await hopOut())?.spatialLayer !== undefined, 30_000, 250);
    await sleep(8000); // settled: the halls re-consumed, the bandwidth estimate moved
    const fps: number[] = [];
    let lost = 0, got = 0, width = 0;
    let last: { frames: number; lost: number; got: number; id: string } | undefined;
    for (let i = 0; i <= seconds; i++) {
      const c = hall.consumers.find((x) => x.kind === 'video' && !x.closed);
      let r = { frames: 0, lost: 0, got: 0 };
      (await videoStats(hall, c?.rtpParameters.encodings?.[0]?.ssrc))?.forEach((s: any) => {
        r = { frames: s.framesDecoded ?? 0, lost: s.packetsLost ?? 0, got: s.packetsReceived ?? 0 };
        width = s.frameWidth ?? width;
      });
      if (last && c && last.id === c.id) {
        fps.push(r.frames - last.frames);
        lost += r.lost - last.lost;
        got += r.got - last.got;
      } else if (last) fps.push(0);
      last = c ? { ...r, id: c.id } : undefined;
      await sleep(1000);
    }
    const hop = await hopOut();
    return {
      mode,
      layer: hop?.spatialLayer ?? null,
      hopKbps: Math.round((hop?.bitrate ?? 0) / 1000),
      fpsMean: Math.round((fps.reduce((a, b) => a + b, 0) / Math.max(1, fps.length)) * 10) / 10,
      fpsP10: quantile(fps, 0.1),
      secondsBelow15fps: fps.filter((f) => f < 15).length,
      lossPct: Math.round((lost / Math.max(1, lost + got)) * 1000) / 10,
      width,
    };
  } finally {
    for (const c of closers) await Promise.resolve(c()).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  for (const mode of ['every-layer', 'capped'] as const) {
    const r = await run(mode);
    runs.push(r);
    console.log(`${mode.padEnd(12)} layer ${r.layer ?? 'all'}  hop ${r.hopKbps} kbit/s  hall ${r.fpsMean} fps (p10 ${r.fpsP10}, ${r.secondsBelow15fps} s below 15)  loss ${r.lossPct} %  width ${r.width}`);
  }
  const out = { bench: 'p9-hop-layers', at: new Date().toISOString(), hopRateKbps: rateKbps, seconds, runs };
  mkdirSync(resolve(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(REPO_ROOT, 'bench/results/p9-hop-layers.json'), `${JSON.stringify(out, null, 2)}\n`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
