// Loads the two built-in demo conferences into Redis if they are absent
// (idempotent, safe with several instances starting together). Their site
// trees, kinds, delegate groups, expected counts and agendas come from the
// spreadsheets in this folder (make-sheets.ts writes them), imported through
// the same import as a user's file.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { AppError } from '../../signaling/common.js';
import type { ConferenceInput } from '../../signaling/control.js';
import type { BlobStore } from '../blobstore.js';
import type { Ctx } from '../context.js';
import { importAgenda } from '../site-tree/agenda.js';
import { importSites } from '../site-tree/apply.js';
import { conferenceExists, putConference } from '../store/conference.js';
import { getMaterial, uploadMaterial } from '../store/materials.js';
import { withLock } from '../store/util.js';
import { DEMO_CONF, demoConference } from './data.js';
import { DEMO_SHEETS } from './make-sheets.js';
import { demoMaterials } from './materials.js';
import { TWO_TIER_CONF, twoTierConference } from './two-tier.js';

/** Creates the conference and imports its spreadsheet (sites, kinds, groups, expected counts, agenda). */
async function loadSheet(ctx: Ctx, conf: string, input: ConferenceInput, path: string): Promise<void> {
  await putConference(ctx, conf, input);
  const req = { filename: path.split('/').pop()!, file: readFileSync(path).toString('base64'), apply: true };
  const tree = await importSites(ctx, conf, req);
  const agenda = await importAgenda(ctx, conf, req);
  if (!tree.applied || !agenda.applied) throw new AppError('INTERNAL', `demo ${conf}: the spreadsheet was not applied`);
}

export async function loadDemo(ctx: Ctx, blobs: BlobStore): Promise<boolean> {
  return withLock(ctx, `demo:${DEMO_CONF}`, async () => {
    let loaded = false;
    if (!(await conferenceExists(ctx, DEMO_CONF))) {
      await loadSheet(ctx, DEMO_CONF, demoConference, DEMO_SHEETS.langson135);
      loaded = true;
    }
    if (!(await conferenceExists(ctx, TWO_TIER_CONF))) {
      await loadSheet(ctx, TWO_TIER_CONF, twoTierConference, DEMO_SHEETS.langson2026);
      loaded = true;
    }
    for (const m of demoMaterials()) {
      const have = await getMaterial(ctx, DEMO_CONF, m.id).catch(() => null);
      if (have && (await blobs.size(have.sha256)) !== null) continue;
      await uploadMaterial(ctx, blobs, DEMO_CONF, { id: m.id, title: m.title, filename: m.filename, targets: 'all', mime: m.mime }, Readable.from([Buffer.from(m.body, 'utf8')]));
      loaded = true;
    }
    ctx.log.info({ conf: DEMO_CONF, twoTier: TWO_TIER_CONF, loaded }, loaded ? 'demo conferences loaded' : 'demo conferences already present');
    return loaded;
  }, 60_000);
}
