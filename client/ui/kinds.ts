// The conference's site kinds (data per conference; signaling/site-import.ts)
// and the level its charts group by. Screens that know the conference load
// them once (loadKinds); until then the default kinds name the old four levels.
import { signal } from '@preact/signals';
import { DEFAULT_KINDS, type KindsDoc, type SiteKind } from '../../signaling/site-import.js';
import type { ControlApi } from './api.js';
import { T } from './i18n.js';

export const siteKinds = signal<SiteKind[]>(DEFAULT_KINDS);
/** The kind roll-ups and charts group by (null: the root's children, provinces and districts). */
export const reportKind = signal<string | null>(null);
export const treeVersion = signal(0);

export function setKinds(doc: KindsDoc): void {
  siteKinds.value = doc.kinds;
  reportKind.value = doc.reportKind;
  treeVersion.value = doc.version;
}

export async function loadKinds(api: ControlApi, conf: string): Promise<void> {
  setKinds(await api.call('getKinds', { params: { conf } }));
}

/** The name of a kind in the current language (its code when unknown). */
export function kindName(id: string): string {
  const k = siteKinds.value.find((x) => x.id === id) ?? DEFAULT_KINDS.find((x) => x.id === id);
  return k ? T(k.name, k.nameEn ?? k.name) : id;
}

/** Rank of a kind (its level in charts); unknown kinds last. */
export function kindRank(id: string): number {
  return siteKinds.value.find((x) => x.id === id)?.rank ?? DEFAULT_KINDS.find((x) => x.id === id)?.rank ?? 99;
}
