// This node's connection to its parent, with failover. A province server that
// dies must not leave every district and commune under it dark: each parent
// tells its children its own ancestors when they register, so a child whose
// parent dies (socket gone, or no heartbeat answer while no media arrives)
// re-attaches at once to the nearest live ancestor, and keeps trying the
// planned parent in the background. It goes back once the planned parent has
// been healthy (linked upward itself) for `returnAfterMs`: the tree then
// matches the plan again (the centre's egress is sized for its own children,
// and each province's technicians follow their subtree on their node). The
// hold-down keeps a flapping link from moving the subtree back and forth.
import type { Logger } from 'pino';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, NODE_NAMESPACE, NodeEvents, NodeHealth, NodeIdentity, NodeRegisterRes, type NodeRef } from '../signaling/media.js';
import { signToken } from '../signaling/token.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { Cascade } from './cascade.js';
import { Link, type Wire } from './link.js';

export type ParentConnection = {
  state(): NonNullable<NodeHealth['parent']>;
  /** What this node tells its children: its planned parent and that one's ancestors, nearest first. */
  ancestors(): NodeRef[];
  /** The planned ancestors from the control service (tried after those the parent told). */
  setPlanned(ancestors: readonly NodeRef[]): void;
  /** An enrolled node's new token (or sites): told to the parent on the open link. */
  tokenChanged(token: string, sites: string[]): void;
  close(): void;
};

export type ParentOptions = {
  nodeId: string;
  sites: string[];
  /** Signs this node's token (NODE_SECRET), or gives the enrolled node's control-signed token. */
  nodeSecret: string | (() => string);
  cascade: Cascade;
  log: Logger;
  /** Reconnection backoff once every candidate failed; the link is retried forever. */
  retry?: BackoffOptions;
  /**
   * An enrolled node: checks the parent's control-signed token (NodeIdentity) for the id it
   * registered with; throws to refuse that parent.
   */
  verifyParent?: (parentId: string, token: string) => void;
  /** How long the planned parent must stay healthy before the subtree goes back to it; 0 = stay on the ancestor. Default 10 s. */
  returnAfterMs?: number;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
};

type State = NonNullable<NodeHealth['parent']>['state'];

export function connectParent(planned: string, o: ParentOptions): ParentConnection {
  return new ParentLink(planned, o);
}

class ParentLink implements ParentConnection {
  private socket: ClientSocket | null = null;
  private link: Link | null = null;
  private url: string;
  private st: State = 'connecting';
  private parentId: string | undefined;
  private plannedId: string | undefined;
  /** The planned parent's ancestors (from its answer): the failover candidates. */
  private learned: NodeRef[] = [];
  /**
   * The plan from control (site tree): the planned parent and its ancestors. They let a node whose
   * configured parent is wrong or down at start still find a node above it.
   */
  private plan: NodeRef[] = [];
  private failedAttempts = 0;
  private readonly backoff: Backoff;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private probe: NodeJS.Timeout | undefined;
  private healthySince = 0;
  /** The node nearer the plan that answers healthy, and since when (healthySince). */
  private better: string | undefined;
  private probing = false;
  private closed = false;
  private readonly returnAfterMs: number;

  constructor(private readonly planned: string, private readonly o: ParentOptions) {
    this.url = planned;
    this.backoff = new Backoff({ ...DEFAULT_BACKOFF, ...o.retry });
    this.returnAfterMs = o.returnAfterMs ?? 10_000;
    this.open(planned);
  }

  private candidates(): string[] {
    // the configured parent, then control's plan (nearest first), then what the nodes above said
    return [...new Set([this.planned, ...this.plan.map((a) => a.url), ...this.learned.map((a) => a.url)])];
  }

  setPlanned(ancestors: readonly NodeRef[]): void {
    const before = JSON.stringify(this.plan);
    this.plan = ancestors.filter((a) => a.nodeId !== this.o.nodeId).slice(0, 16);
    if (JSON.stringify(this.plan) !== before) this.o.log.info({ ancestors: this.plan.map((a) => a.nodeId) }, 'planned ancestors from the control service');
    // waiting out a backoff with nowhere to go: there may be somewhere now
    if (this.retry && this.st !== 'connected' && this.plan.length) {
      clearTimeout(this.retry);
      this.retry = undefined;
      this.open(this.candidates()[0]!);
    }
  }

  private open(url: string): void {
    if (this.closed) return;
    this.url = url;
    this.st = 'connecting';
    const secret = this.o.nodeSecret;
    const token = () => (typeof secret === 'function' ? secret() : signToken(secret, { role: 'node', conf: '*', site: this.o.nodeId, ttlSeconds: 3600 }));
    // one socket per attempt: this class decides where the next attempt goes
    const socket: ClientSocket = io(new URL(NODE_NAMESPACE, url).toString(), {
      auth: (cb) => cb({ token: token() }), transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000,
    });
    this.socket = socket;
    socket.on('connect', () => this.onConnect(socket, url));
    socket.on('disconnect', (why) => this.onLost(socket, `disconnected: ${why}`));
    socket.on('connect_error', (err) => {
      if (err.message.startsWith('UNAUTHORIZED')) {
        if (this.st !== 'refused') this.o.log.error({ url, err: err.message }, 'parent node refused this node (check NODE_SECRET)');
        this.st = 'refused';
      }
      this.onLost(socket, err.message);
    });
  }

  private onConnect(socket: ClientSocket, url: string): void {
    if (socket !== this.socket || this.closed) return;
    this.link?.close();
    const l = new Link('parent', socket as unknown as Wire, this.o.log);
    this.link = l;
    this.o.cascade.attach(l);
    l.request(NodeEvents.register, { nodeId: this.o.nodeId, sites: this.o.sites }, NodeRegisterRes)
      .then(async (res) => {
        if (this.o.verifyParent) {
          // the parent proves who it is with its own control-signed token before any media flows
          const who = await l.request(NodeEvents.identify, {}, NodeIdentity);
          try {
            if (who.nodeId !== res.nodeId) throw new Error(`it registered as ${res.nodeId} but shows a token of ${who.nodeId}`);
            this.o.verifyParent(res.nodeId, who.token);
          } catch (err) {
            this.o.log.error({ url, parent: res.nodeId, err: (err as Error).message }, 'parent node refused: it did not prove its id with a token from the control service');
            this.st = 'refused';
            throw err;
          }
        }
        if (l.closed || socket !== this.socket) return;
        l.peerId = res.nodeId;
        this.parentId = res.nodeId;
        this.st = 'connected';
        this.failedAttempts = 0;
        this.backoff.reset();
        // what the node above says of itself and its ancestors: where to go if it dies
        if (url === this.planned) this.plannedId = res.nodeId;
        this.learned = [{ nodeId: res.nodeId, url }, ...(res.ancestors ?? [])].filter((a) => a.url !== this.planned && a.nodeId !== this.o.nodeId);
        if (this.candidates().indexOf(url) === 0) {
          this.stopProbe();
          this.o.log.info({ parent: res.nodeId, url }, 'registered with parent node');
        } else {
          this.o.log.warn({ ancestor: res.nodeId, url, planned: this.planned }, 'parent node unreachable: attached to the nearest live node above');
          this.startProbe();
        }
        this.startHeartbeat(l);
        this.o.cascade.parentReady(l);
      })
      .catch((err) => {
        this.o.log.error({ url, err: String(err) }, 'register with parent failed');
        socket.disconnect();
        this.onLost(socket, 'register failed');
      });
  }

  /** The attempt or the link on `socket` is over: go to the next candidate, or wait and start over. */
  private onLost(socket: ClientSocket, why: string): void {
    if (socket !== this.socket || this.closed) return;
    const wasUp = this.st === 'connected';
    if (wasUp) this.o.log.warn({ url: this.url, why }, 'parent node connection lost');
    if (this.st !== 'refused') this.st = wasUp ? 'disconnected' : 'connecting';
    this.drop();
    this.failedAttempts++;
    const list = this.candidates();
    const at = list.indexOf(this.url);
    // a link that was up: its node is gone, try the next one up at once (from the planned parent,
    // that is the nearest ancestor); a failed attempt moves up too, until every one was tried
    if (at >= 0 && at + 1 < list.length) {
      this.open(list[at + 1]!);
      return;
    }
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.open(this.candidates()[0]!);
    }, this.backoff.next());
  }

  /** Closes the current socket and link (their pipes, and the media relayed over them). */
  private drop(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.link?.close();
    this.link = null;
    const s = this.socket;
    if (s) {
      s.removeAllListeners();
      s.close();
    }
  }

  /**
   * A parent that stops answering pings while no media arrives from it is dead, even when no TCP
   * reset ever comes (a host that froze, a cut WAN link): media still flowing means only the
   * signalling is slow, and the link is kept.
   */
  private startHeartbeat(l: Link): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    let inflight = false;
    let lastBytes = -1;
    const every = this.o.heartbeatMs ?? HEARTBEAT_MS;
    const timeout = this.o.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    this.heartbeat = setInterval(() => {
      if (inflight || l.closed) return;
      inflight = true;
      l.wire.timeout(timeout).emitWithAck(NodeEvents.ping, {})
        .then(async () => { lastBytes = await inboundBytes(l, this.o.cascade); })
        .catch(async () => {
          const bytes = await inboundBytes(l, this.o.cascade);
          if (l.closed) return;
          // media still arriving since the last answer (or the last miss): only the signalling is slow
          if (bytes > lastBytes) { lastBytes = bytes; return; }
          this.o.log.warn({ url: this.url, timeoutMs: timeout }, 'parent node stopped answering and sends no media');
          if (this.socket) this.onLost(this.socket, 'heartbeat');
        })
        .finally(() => { inflight = false; });
    }, every);
    this.heartbeat.unref();
  }

  /**
   * While attached further up than planned: watch the nodes before the current one in the list
   * (the planned parent first) and go to the first healthy one once it stayed healthy long enough.
   */
  private startProbe(): void {
    if (this.probe || this.returnAfterMs <= 0) return;
    this.healthySince = 0;
    this.better = undefined;
    this.probe = setInterval(() => {
      if (this.probing) return;
      this.probing = true;
      void this.checkBetter().finally(() => { this.probing = false; });
    }, 1000);
    this.probe.unref();
  }

  private stopProbe(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = undefined;
  }

  private async checkBetter(): Promise<void> {
    const list = this.candidates();
    const at = list.indexOf(this.url);
    if (at <= 0 || this.st !== 'connected') return;
    let best: string | undefined;
    for (const u of list.slice(0, at)) if (await healthy(u)) { best = u; break; }
    if (!best) { this.better = undefined; return; }
    if (best !== this.better) { this.better = best; this.healthySince = Date.now(); }
    if (Date.now() - this.healthySince < this.returnAfterMs || this.closed) return;
    this.o.log.info({ to: best, from: this.url, planned: this.planned }, 'a node nearer the plan is healthy again: going back to it');
    this.stopProbe();
    this.drop();
    this.open(best);
  }

  state(): NonNullable<NodeHealth['parent']> {
    return {
      url: this.url, state: this.st, failedAttempts: this.failedAttempts,
      ...(this.parentId ? { nodeId: this.parentId } : {}),
      planned: this.planned,
      fallbacks: this.candidates().slice(1),
    };
  }

  tokenChanged(token: string, sites: string[]): void {
    this.o.sites = sites;
    const l = this.link;
    if (!l || l.closed || this.st !== 'connected') return; // the next connection presents it
    l.request(NodeEvents.token, { token }).catch((err) => {
      this.o.log.warn({ err: String(err) }, 'the parent refused this node\'s new token; reconnecting');
      if (this.socket) this.onLost(this.socket, 'token refused');
    });
  }

  ancestors(): NodeRef[] {
    return this.plannedId ? [{ nodeId: this.plannedId, url: this.planned }, ...this.learned].slice(0, 16) : [...this.learned];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.stopProbe();
    this.drop();
    this.socket = null;
  }
}

/** Serving, and itself linked upward (or a root): otherwise it has nothing to give. */
async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(1000) });
    const h = NodeHealth.safeParse(await r.json());
    return r.ok && h.success && (h.data.parent === null || h.data.parent.state === 'connected');
  } catch {
    return false;
  }
}

/** Bytes received so far on the producers that came over `l` (RTP from the parent), and on its one-layer hop transports. */
async function inboundBytes(l: Link, cascade: Cascade): Promise<number> {
  let total = await cascade.hopInboundBytes(l);
  for (const p of l.in.values()) {
    if (p.closed) continue;
    const stats = await p.getStats().catch(() => []);
    for (const s of stats) total += (s as { byteCount?: number }).byteCount ?? 0;
  }
  return total;
}
