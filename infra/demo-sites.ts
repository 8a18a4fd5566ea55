// Which media node serves which site in the demo, derived from the control
// service's demo data (server/demo/data.ts) so there is one site tree only.
import { DEMO_CONF, DEMO_ROOT, demoSites } from '../server/demo/data.js';

export const CONFERENCE_ID = DEMO_CONF;
export const CENTRE = DEMO_ROOT;

/** One media node of the demo cascade. */
export interface DemoNode {
  nodeId: string;
  /** Parent node id; null for the root. */
  parent: string | null;
  /** Sites it hosts, home site first. */
  sites: string[];
}

/**
 * Groups the demo sites by their `mediaNode`. A node's home site is the one
 * whose parent site lives on another node; that parent site's node is the
 * node's parent in the cascade.
 */
export function demoNodes(): DemoNode[] {
  const sites = demoSites();
  const nodeOf = new Map(sites.map((s) => [s.id, s.mediaNode]));
  const nodes = new Map<string, DemoNode>();
  for (const s of sites) {
    let n = nodes.get(s.mediaNode);
    if (!n) { n = { nodeId: s.mediaNode, parent: null, sites: [] }; nodes.set(s.mediaNode, n); }
    const parentNode = s.parent ? nodeOf.get(s.parent) ?? null : null;
    if (parentNode !== s.mediaNode) {
      // The home site: first in the list, and it says who the parent node is.
      n.sites.unshift(s.id);
      n.parent = parentNode;
    } else {
      n.sites.push(s.id);
    }
  }
  return [...nodes.values()];
}

/** The node serving a site, by the demo tree. */
export function nodeOfSite(site: string, nodes: DemoNode[] = demoNodes()): string {
  const n = nodes.find((x) => x.sites.includes(site));
  if (!n) throw new Error(`no demo node serves site ${site}`);
  return n.nodeId;
}
