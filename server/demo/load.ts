// Loads the demo conference into Redis if it is absent (idempotent, safe with
// several instances starting together).
import { Readable } from 'node:stream';
import type { BlobStore } from '../blobstore.js';
import type { Ctx } from '../context.js';
import { replaceAgenda } from '../store/agenda.js';
import { setExpected } from '../store/attendance.js';
import { conferenceExists, putConference, putGroups, putSites } from '../store/conference.js';
import { getMaterial, uploadMaterial } from '../store/materials.js';
import { withLock } from '../store/util.js';
import { DEMO_CONF, demoAgenda, demoConference, demoExpected, demoGroups, demoSites } from './data.js';
import { demoMaterials } from './materials.js';

export async function loadDemo(ctx: Ctx, blobs: BlobStore): Promise<boolean> {
  return withLock(ctx, `demo:${DEMO_CONF}`, async () => {
    let loaded = false;
    if (!(await conferenceExists(ctx, DEMO_CONF))) {
      await putConference(ctx, DEMO_CONF, demoConference);
      await putGroups(ctx, DEMO_CONF, demoGroups);
      const sites = demoSites();
      await putSites(ctx, DEMO_CONF, sites);
      for (const s of sites) {
        const e = demoExpected(s);
        if (Object.keys(e).length) await setExpected(ctx, DEMO_CONF, s.id, e, 'demo');
      }
      await replaceAgenda(ctx, DEMO_CONF, demoAgenda());
      loaded = true;
    }
    for (const m of demoMaterials()) {
      const have = await getMaterial(ctx, DEMO_CONF, m.id).catch(() => null);
      if (have && (await blobs.size(have.sha256)) !== null) continue;
      await uploadMaterial(ctx, blobs, DEMO_CONF, { id: m.id, title: m.title, filename: m.filename, targets: 'all', mime: m.mime }, Readable.from([Buffer.from(m.body, 'utf8')]));
      loaded = true;
    }
    ctx.log.info({ conf: DEMO_CONF, loaded }, loaded ? 'demo conference loaded' : 'demo conference already present');
    return loaded;
  }, 60_000);
}
