// In-process cache of site records and delegate groups, which the hot paths
// (every headcount, every presence change) read. Any change to a conference's
// tree or groups drops that conference's entries on every instance.
import type { DelegateGroup, Site } from '../../signaling/control.js';
import type { Ctx } from '../context.js';

/** A conference's whole tree, sorted as listSites sorts it, with each site's children. */
export interface TreeIndex { list: Site[]; byId: Map<string, Site>; children: Map<string, Site[]> }

export class TreeCache {
  private sites = new Map<string, Map<string, Site>>();
  private groups = new Map<string, DelegateGroup[]>();
  private trees = new Map<string, TreeIndex>();
  /** Bumped by every drop: a tree read that started before a drop is not kept. */
  private gen = 0;

  site(conf: string, id: string): Site | undefined {
    return this.sites.get(conf)?.get(id);
  }

  putSite(conf: string, s: Site) {
    let m = this.sites.get(conf);
    if (!m) this.sites.set(conf, (m = new Map()));
    m.set(s.id, s);
  }

  getGroups(conf: string): DelegateGroup[] | undefined {
    return this.groups.get(conf);
  }

  putGroups(conf: string, g: DelegateGroup[]) {
    this.groups.set(conf, g);
  }

  getTree(conf: string): TreeIndex | undefined {
    return this.trees.get(conf);
  }

  generation(): number {
    return this.gen;
  }

  /** Keeps a tree read at generation `gen` unless the tree changed since. */
  putTree(conf: string, list: Site[], gen: number): TreeIndex {
    const byId = new Map(list.map((s) => [s.id, s]));
    const children = new Map<string, Site[]>();
    for (const s of list) {
      if (s.parent === null) continue;
      const l = children.get(s.parent);
      if (l) l.push(s);
      else children.set(s.parent, [s]);
    }
    const t = { list, byId, children };
    if (gen === this.gen) this.trees.set(conf, t);
    return t;
  }

  drop(conf: string) {
    this.gen++;
    this.sites.delete(conf);
    this.groups.delete(conf);
    this.trees.delete(conf);
  }
}

/** Drops the conference locally at once and on the other instances via the bus; bumps its tree version. */
export async function treeChanged(ctx: Ctx, conf: string) {
  ctx.cache.drop(conf);
  // the tree version an editor or an import preview checks against (site-tree/store.ts)
  await ctx.redis.incr(`${ctx.keys.prefix}treever:${conf}`);
  await ctx.bus.publish(ctx.keys.treeChannel, conf);
}
