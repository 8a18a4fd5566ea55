// Weak links: a hall in Chromium behind each link profile (good, adsl, weak,
// poor; test/support/impair.ts) plays the studio's simulcast relayed centre →
// langson; over a stretch of `--seconds` (default 60) after it settled, its
// frames per second, the layer langson forwards, visible freezes and audio gaps
// (one-second windows with over 20 % of the sound concealed), from the hall's
// own receiver stats. The firewall profiles (udp-blocked, only-443) are
// pass/fail paths, tested in test/e2e/udp-blocked.test.ts and turn.test.ts.
// `node --import tsx bench/p7-links.ts [--seconds 60] [--profiles good,weak]` → bench/results/p7-links.json
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../infra/proc.js';
import { PROFILES, type ProfileName } from '../test/support/impair.js';
import { sampleHall, startLinkBed, type HallFigures } from '../test/e2e/link-bed.js';
import { waitDecoding } from '../test/e2e/harness.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, profiles: { type: 'string', default: 'good,adsl,weak,poor' } } });
const seconds = Math.max(5, Number(values.seconds));
const profiles = values.profiles.split(',').map((p) => p.trim()) as ProfileName[];
for (const p of profiles) if (!PROFILES[p] || PROFILES[p].blockUdp) throw new Error(`not a link profile for this bench: ${p}`);

async function main(): Promise<void> {
  const bed = await startLinkBed('p7', 'good');
  const results: Record<string, Omit<HallFigures, 'perSecondFps' | 'resilience'> & { medianFps: number }> = {};
  try {
    for (const name of profiles) {
      await bed.link.setProfile(name);
      const page = await bed.openHall();
      const first = await waitDecoding(page, `hall decoding on ${name}`, 60_000);
      await waitDecoding(page, 'frames advancing', 30_000, first.stats!.video.framesDecoded + 20);
      await new Promise((r) => setTimeout(r, 8000)); // the bandwidth estimate settles
      const f = await sampleHall(page, seconds, () => bed.forwardedLayer());
      await page.context().close();
      const { perSecondFps, resilience: _r, ...rest } = f;
      const sorted = [...perSecondFps].sort((a, b) => a - b);
      results[name] = { ...rest, medianFps: sorted[Math.floor(sorted.length / 2)]! };
      const r = results[name]!;
      console.log(`${name.padEnd(5)} fps ${r.fps.toFixed(1)} (median ${r.medianFps}, min ${r.minFps.toFixed(1)}) layer ${r.layer} ${r.frameHeight}p · freezes ${r.freezes} · audio gaps ${r.audioGaps} · concealed ${r.concealedPct.toFixed(1)} % · loss ${r.lossPct.toFixed(1)} %`);
    }
  } finally {
    await bed.close();
  }
  const out = {
    bench: 'p7-links',
    at: new Date().toISOString(),
    machine: { cores: cpus().length, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) },
    seconds,
    profiles: Object.fromEntries(profiles.map((p) => [p, { ...PROFILES[p], ...results[p] }])),
  };
  mkdirSync(resolve(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(REPO_ROOT, 'bench/results/p7-links.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log('→ bench/results/p7-links.json');
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
