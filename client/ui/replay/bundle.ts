// What the replay page needs from the control service — the conference, agenda,
// the site's branch and groups (the snapshot), the recordings with their
// chapters and pushes, the materials sent to the site — kept in the browser
// after every successful load so the page still opens when the link is down.
import type { Material, Snapshot } from '../../../signaling/control.js';
import type { Recording } from '../../../signaling/recording.js';
import type { ControlApi } from '../api.js';
import { toUiError } from '../errors.js';

export interface ReplayBundle { snapshot: Snapshot; recordings: Recording[]; materials: Material[]; savedAt: number }
export interface Loaded { bundle: ReplayBundle | null; online: boolean; error?: unknown }

const key = (conf: string, site: string) => `diemcau.replay:${conf}:${site}`;

export async function loadBundle(api: ControlApi, conf: string, site: string): Promise<Loaded> {
  try {
    const [snapshot, recordings] = await Promise.all([
      api.call('snapshot', { params: { conf } }),
      api.call('listRecordings', { params: { conf } }),
    ]);
    const bundle: ReplayBundle = { snapshot, recordings, materials: snapshot.materials, savedAt: Date.now() };
    try { localStorage.setItem(key(conf, site), JSON.stringify(bundle)); } catch { /* storage full or off: online only */ }
    return { bundle, online: true };
  } catch (error) {
    const code = toUiError(error).code;
    // a refused link must say so, not show yesterday's copy
    if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') return { bundle: null, online: true, error };
    let saved: ReplayBundle | null = null;
    try { saved = JSON.parse(localStorage.getItem(key(conf, site)) ?? 'null') as ReplayBundle | null; } catch { saved = null; }
    return { bundle: saved, online: false, error };
  }
}

/** The materials a recording was pushed to sites as, by material id: which item (null = whole). */
export function pushedCopies(b: ReplayBundle, recording: Recording): { material: Material; item: string | null }[] {
  const mats = new Map(b.materials.map((m) => [m.id, m]));
  const out: { material: Material; item: string | null }[] = [];
  for (const p of recording.pushes) {
    const m = mats.get(p.material);
    if (m) out.push({ material: m, item: p.item });
  }
  return out;
}
