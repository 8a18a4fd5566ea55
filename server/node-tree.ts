// The planned tree of media nodes, from the site tree: a node's parent is the
// node serving the parent site of its sites. Control tells every node its
// ancestors on that plan (with the URLs the nodes reported), so a node whose
// configured parent is wrong, down when it starts, or dead later still finds
// the nearest live node above it (media/parent-link.ts).
import type { Site } from '../signaling/control-model.js';
import type { AncestorsCommand } from '../signaling/control-media.js';

/** node → planned parent node, from one conference's sites (the highest crossing wins). */
export function plannedParents(sites: readonly Site[]): Map<string, string> {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const best = new Map<string, { parent: string; depth: number }>();
  for (const s of sites) {
    const p = s.parent ? byId.get(s.parent) : undefined;
    if (!p || !s.mediaNode || !p.mediaNode || p.mediaNode === s.mediaNode) continue;
    const depth = s.path.length;
    const cur = best.get(s.mediaNode);
    if (!cur || depth < cur.depth) best.set(s.mediaNode, { parent: p.mediaNode, depth });
  }
  return new Map([...best].map(([n, b]) => [n, b.parent]));
}

/** Merges per-conference plans; the first conference naming a node's parent wins (they agree in practice). */
export function mergePlans(plans: Iterable<Map<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const plan of plans) for (const [n, p] of plan) if (!out.has(n)) out.set(n, p);
  return out;
}

/** `nodeId`'s ancestors, nearest first, those with a known URL (at most 16, no cycles). */
export function ancestorsOf(nodeId: string, parents: ReadonlyMap<string, string>, urls: ReadonlyMap<string, string>): AncestorsCommand['ancestors'] {
  const out: AncestorsCommand['ancestors'] = [];
  const seen = new Set([nodeId]);
  let cur = parents.get(nodeId);
  while (cur && !seen.has(cur) && out.length < 16) {
    seen.add(cur);
    const url = urls.get(cur);
    if (url) out.push({ nodeId: cur, url });
    cur = parents.get(cur);
  }
  return out;
}
