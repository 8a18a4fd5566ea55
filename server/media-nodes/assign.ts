// What an enrolled media node is told: the sites it serves (the site records
// whose media node it is, in every conference not ended), its planned parent
// (server/node-tree.ts) and a node token signed by control carrying its id and
// the sites of its subtree, which its parent checks every contribution against.
import { AppError } from '../../signaling/common.js';
import { NODE_TOKEN_TTL_S, type NodeSetup } from '../../signaling/media-nodes.js';
import { signToken } from '../../signaling/token.js';
import type { Ctx } from '../context.js';
import { mergePlans, plannedParents } from '../node-tree.js';
import { getConference, listSites } from '../store/conference.js';
import { nodeJti, type NodeRecord } from './store.js';

export interface NodePlan {
  /** node → sites it serves, conference root sites first */
  served: Map<string, string[]>;
  /** node → planned parent node */
  parents: Map<string, string>;
  /** node → the URL it reported */
  urls: Map<string, string>;
}

/** Reads every conference not ended (site records are cached per conference). */
export async function readPlan(ctx: Ctx): Promise<NodePlan> {
  const roots = new Map<string, Set<string>>();
  const rest = new Map<string, Set<string>>();
  const plans: Map<string, string>[] = [];
  for (const conf of (await ctx.redis.smembers(ctx.keys.confs)).sort()) {
    const c = await getConference(ctx, conf).catch(() => null);
    if (!c || c.state === 'ended') continue;
    const sites = await listSites(ctx, conf);
    plans.push(plannedParents(sites));
    for (const s of sites) {
      if (!s.mediaNode) continue;
      const into = s.id === c.rootSite ? roots : rest;
      if (!into.has(s.mediaNode)) into.set(s.mediaNode, new Set());
      into.get(s.mediaNode)!.add(s.id);
    }
  }
  const served = new Map<string, string[]>();
  for (const node of new Set([...roots.keys(), ...rest.keys()])) {
    const r = [...(roots.get(node) ?? [])].sort();
    served.set(node, [...r, ...[...(rest.get(node) ?? [])].filter((s) => !r.includes(s)).sort()]);
  }
  const urls = new Map([...Object.entries(ctx.opts.mediaNodes), ...Object.entries(await ctx.redis.hgetall(ctx.keys.mediaUrls))]);
  return { served, parents: mergePlans(plans), urls };
}

/** Sites served by `node` and every node planned below it. */
export function subtreeSites(plan: NodePlan, node: string): string[] {
  const out = new Set(plan.served.get(node) ?? []);
  for (const other of plan.served.keys()) {
    let cur: string | undefined = other;
    for (let hops = 0; cur && hops < 64; hops++) {
      if (cur === node) { for (const s of plan.served.get(other) ?? []) out.add(s); break; }
      cur = plan.parents.get(cur);
    }
  }
  return [...out].sort();
}

/** A node token signed by control: 'node' role, site = node id, its subtree's sites, the generation in its id. */
export function nodeToken(ctx: Ctx, n: Pick<NodeRecord, 'id' | 'gen'>, subtree: string[]): string {
  if (typeof ctx.tokenKey === 'string' || !ctx.tokenKey.signer) {
    throw new AppError('UNAVAILABLE', 'Dịch vụ điều hành chưa có khoá ký (TOKEN_KEYS_FILE) nên chưa nhận được máy chủ tự đăng ký. / The control service has no signing key (TOKEN_KEYS_FILE): nodes cannot enrol.');
  }
  return signToken(ctx.tokenKey, { role: 'node', conf: '*', site: n.id, jti: nodeJti(n.id, n.gen), sites: subtree, ttlSeconds: NODE_TOKEN_TTL_S });
}

/** Everything a node needs at start. */
export async function setupOf(ctx: Ctx, n: NodeRecord, plan?: NodePlan): Promise<NodeSetup> {
  const p = plan ?? (await readPlan(ctx));
  const token = nodeToken(ctx, n, subtreeSites(p, n.id));
  const keyring = ctx.tokenKey as Exclude<Ctx['tokenKey'], string>;
  const publicKeys = Object.fromEntries([...keyring.verifiers].map(([kid, key]) => [kid, key.export({ type: 'spki', format: 'pem' }).toString()]));
  const parentId = p.parents.get(n.id);
  return {
    nodeId: n.id,
    publicKeys,
    parent: parentId ? { nodeId: parentId, url: p.urls.get(parentId) ?? null } : null,
    sites: p.served.get(n.id) ?? [],
    token,
  };
}
