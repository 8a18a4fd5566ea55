// The enrolled nodes on this instance's control ↔ media channel: each is told
// the sites it serves now and given a fresh node token (link:sites) whenever
// its sites or its subtree change and well before its token expires, so an
// operator's re-assignment takes effect without restarting any node. Each
// node's last state is kept in Redis for a few seconds, for the operator's
// node list on any instance.
import type { Socket } from 'socket.io';
import { AppError, parseOrThrow, type Ack } from '../../signaling/common.js';
import { MediaLinkEvents, SitesCommand, type NodeReport } from '../../signaling/control-media.js';
import { NODE_TOKEN_TTL_S, type MediaNodeEntry } from '../../signaling/media-nodes.js';
import { z } from 'zod';
import type { Ctx } from '../context.js';
import { nodeToken, readPlan, subtreeSites, type NodePlan } from './assign.js';
import { getNode, listNodes } from './store.js';

/** How long the plan read from the site trees is reused (a change drops it at once on this instance). */
const PLAN_TTL_MS = 2000;
/** A node's state expires this long after its last report. */
const STATUS_TTL_MS = 5000;

interface Told { socket: Socket; key: string; at: number; sending: boolean }
interface Status { parent: string | null; root: boolean; url: string | null; halls: number; cpuPercent: number | null; memoryMb: number | null }

const SitesAck = z.object({ sites: z.array(z.string()) });

export class NodeSites {
  private plan: { at: number; p: Promise<NodePlan> } | null = null;
  private readonly told = new Map<string, Told>();

  constructor(private readonly ctx: Ctx) {}

  treeChanged(): void {
    this.plan = null;
  }

  private current(): Promise<NodePlan> {
    if (!this.plan || Date.now() - this.plan.at > PLAN_TTL_MS) {
      const p = readPlan(this.ctx);
      this.plan = { at: Date.now(), p };
      p.catch(() => { this.plan = null; });
    }
    return this.plan.p;
  }

  /** Tells the node its sites and a fresh token when they changed or the token is a third through its life. */
  async reconcile(nodeId: string, socket: Socket): Promise<void> {
    let t = this.told.get(nodeId);
    if (t && t.socket !== socket) { this.told.delete(nodeId); t = undefined; }
    if (t?.sending) return;
    const plan = await this.current();
    const sites = plan.served.get(nodeId) ?? [];
    const subtree = subtreeSites(plan, nodeId);
    const key = `${sites.join()}|${subtree.join()}`;
    if (t && t.key === key && Date.now() - t.at < (NODE_TOKEN_TTL_S * 1000) / 3) return;
    const n = await getNode(this.ctx, nodeId);
    if (!n || n.revokedAt) return;
    const entry: Told = t ?? { socket, key: '', at: 0, sending: false };
    this.told.set(nodeId, entry);
    entry.sending = true;
    try {
      const cmd = parseOrThrow(SitesCommand, { sites, token: nodeToken(this.ctx, n, subtree) });
      const r = (await socket.timeout(10_000).emitWithAck(MediaLinkEvents.sites, cmd)) as Ack<unknown>;
      if (!r.ok) throw new AppError(r.error.code, r.error.message);
      parseOrThrow(SitesAck, r.data);
      if (entry.key !== key) this.ctx.log.info({ nodeId, sites: sites.length, subtree: subtree.length }, 'media node told its sites');
      entry.key = key;
      entry.at = Date.now();
    } catch (err) {
      this.ctx.log.warn({ nodeId, err: String(err) }, 'telling the media node its sites failed; retried on its next report');
    } finally {
      entry.sending = false;
    }
  }

  unlinked(nodeId: string, socket: Socket): void {
    if (this.told.get(nodeId)?.socket === socket) this.told.delete(nodeId);
  }

  /** Keeps the node's last state (any node, enrolled or not) for the operator's list. */
  async noteReport(nodeId: string, r: NodeReport, halls: number): Promise<void> {
    const s: Status = { parent: r.parent, root: r.root, url: r.url ?? null, halls, cpuPercent: r.load?.cpuPercent ?? null, memoryMb: r.load?.memoryMb ?? null };
    await this.ctx.redis.set(this.ctx.keys.mediaNodeStatus(nodeId), JSON.stringify(s), 'PX', STATUS_TTL_MS);
  }

  /** The operator's node list: every entry with its state now. */
  async list(): Promise<MediaNodeEntry[]> {
    const plan = await this.current();
    const out: MediaNodeEntry[] = [];
    for (const n of await listNodes(this.ctx)) {
      const raw = await this.ctx.redis.get(this.ctx.keys.mediaNodeStatus(n.id));
      const st = raw ? (JSON.parse(raw) as Status) : null;
      out.push({
        id: n.id,
        name: n.name,
        state: n.revokedAt ? 'revoked' : n.credHash ? 'enrolled' : 'waiting',
        createdAt: n.createdAt,
        enrolledAt: n.enrolledAt,
        codeExpiresAt: n.codeExpiresAt && n.codeExpiresAt > Date.now() ? n.codeExpiresAt : null,
        online: !!st && !n.revokedAt,
        parentUp: st ? (st.root ? null : st.parent !== null) : null,
        parent: st?.parent ?? plan.parents.get(n.id) ?? null,
        url: st?.url ?? plan.urls.get(n.id) ?? null,
        sites: plan.served.get(n.id) ?? [],
        halls: st?.halls ?? 0,
        cpuPercent: st?.cpuPercent ?? null,
        memoryMb: st?.memoryMb ?? null,
      });
    }
    return out;
  }
}
