// In-process cache of site records and delegate groups, which the hot paths
// (every headcount, every presence change) read. Any change to a conference's
// tree or groups drops that conference's entries on every instance.
import type { DelegateGroup, Site } from '../../signaling/control.js';
import type { Ctx } from '../context.js';

export class TreeCache {
  private sites = new Map<string, Map<string, Site>>();
  private groups = new Map<string, DelegateGroup[]>();

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

  drop(conf: string) {
    this.sites.delete(conf);
    this.groups.delete(conf);
  }
}

/** Drops the conference locally at once and on the other instances via the bus; bumps its tree version. */
export async function treeChanged(ctx: Ctx, conf: string) {
  ctx.cache.drop(conf);
  // the tree version an editor or an import preview checks against (site-tree/store.ts)
  await ctx.redis.incr(`${ctx.keys.prefix}treever:${conf}`);
  await ctx.bus.publish(ctx.keys.treeChannel, conf);
}
