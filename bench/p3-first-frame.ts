// First frame: time from a hall's join to its first painted frame, for a hall
// three hops down (commune ls-trangdinh-01: centre → langson → d-trangdinh)
// and one hop down (province ls: centre → langson), in the same run against
// the same studio. Prints the figures and writes bench/results/p3-first-frame.json.
// `node --import tsx bench/p3-first-frame.ts [--rounds 30]`
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../infra/proc.js';
import { hallView, startSpine, studioPhase, waitFor } from '../test/e2e/harness.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
const rounds = Math.max(1, Number(values.rounds));
const HALLS = { threeHops: 'ls-trangdinh-01', oneHop: 'ls' } as const;
type Which = keyof typeof HALLS;

interface Sample { joinToFirstFrameMs: number; loadToFirstFrameMs: number; joinMs: number }

const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, min: s[0]!, median: q(0.5), p90: q(0.9), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
};

async function main(): Promise<void> {
  const spine = await startSpine('bench-p3');
  try {
    const studio = await spine.page();
    await studio.goto(spine.studioUrl());
    await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing');
    // Let simulcast ramp up to all layers before measuring.
    await new Promise((r) => setTimeout(r, 4000));

    const samples: Record<Which, Sample[]> = { threeHops: [], oneHop: [] };
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first so warm-up effects fall on both equally.
      const order: Which[] = i % 2 === 0 ? ['threeHops', 'oneHop'] : ['oneHop', 'threeHops'];
      for (const which of order) {
        const page = await spine.page();
        await page.goto(spine.hallUrl(HALLS[which]));
        const v = await waitFor(`${which} first frame`, async () => {
          const h = await hallView(page);
          return h.timeline.firstFrameAt !== undefined ? h : null;
        }, 30_000, 20);
        const t = v.timeline;
        samples[which].push({
          joinToFirstFrameMs: t.firstFrameAt! - t.startedAt!,
          loadToFirstFrameMs: t.firstFrameAt!,
          joinMs: t.joinedAt! - t.startedAt!,
        });
        await page.context().close();
      }
    }
    const summary = Object.fromEntries((Object.keys(samples) as Which[]).map((k) => [k, {
      site: HALLS[k],
      joinToFirstFrameMs: stat(samples[k].map((s) => s.joinToFirstFrameMs)),
      loadToFirstFrameMs: stat(samples[k].map((s) => s.loadToFirstFrameMs)),
      joinMs: stat(samples[k].map((s) => s.joinMs)),
    }]));
    const result = {
      bench: 'p3-first-frame',
      at: new Date().toISOString(),
      what: 'hall page: socket open + join + transport + consume + first painted frame (ms)',
      rounds,
      summary,
      samples,
    };
    for (const k of Object.keys(samples) as Which[]) {
      const s = summary[k]!.joinToFirstFrameMs;
      console.log(`${k.padEnd(9)} ${HALLS[k].padEnd(16)} join→first frame ms: median ${s.median.toFixed(0)}  min ${s.min.toFixed(0)}  p90 ${s.p90.toFixed(0)}  max ${s.max.toFixed(0)}  (n=${s.n})`);
    }
    const out = resolve(REPO_ROOT, 'bench/results/p3-first-frame.json');
    mkdirSync(resolve(REPO_ROOT, 'bench/results'), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2));
    console.log('wrote bench/results/p3-first-frame.json');
  } finally {
    await spine.close();
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
