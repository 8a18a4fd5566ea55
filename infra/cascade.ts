// Starts a cascade of media nodes (media/main.ts), parents first, each as its
// own process with a JSON config. Shared by the demo launcher, the browser
// tests and the benches. Two modes: each node's sites, parent and keys written
// in its config with the shared NODE_SECRET (tests, benches), or enrolled
// (`enrol`): each node gets only its id, the control URL and a one-time code,
// and everything else from the control service (the demo).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeHealth } from '../signaling/media.js';
import type { DemoNode } from './demo-sites.js';
import { Service, freePort, waitHttp } from './proc.js';

export interface CascadeOptions {
  nodes: DemoNode[];
  /** How the nodes check people's tokens: the control host's public keys (kid → PEM), or a shared secret. */
  tokenSecret?: string;
  tokenPublicKeys?: Record<string, string>;
  /** The nodes' shared secret (nodes started from a config); unused with `enrol`. */
  nodeSecret?: string;
  /**
   * Enrolled mode: `code(nodeId)` gives a one-time enrolment code for the node (the operator's
   * "add a media node"); each node keeps its credential under `dataDir/<nodeId>`. Needs controlUrl.
   */
  enrol?: { code: (nodeId: string) => Promise<string>; dataDir: string };
  /** node id → HTTP port; absent = a free port. */
  ports?: Record<string, number>;
  /** Directory for the nodes' logs, relative to the repo root. */
  logDir: string;
  /** mediasoup workers per node. Default 1. */
  workers?: number;
  logLevel?: 'debug' | 'warn' | 'error' | 'none';
  /** Control service URL the nodes report to and take the floor from (signaling/control-media.ts). */
  controlUrl?: string;
  /** A node died without being asked to. */
  onUnexpectedExit?: (nodeId: string, code: number | null) => void;
  /** TURN relays the nodes hand to halls (coturn, infra/turn.ts). */
  turn?: { urls: string[]; secret: string };
  /** Nodes accept only short-lived media tokens exchanged at control (signaling/media-token.ts). */
  requireMediaTokens?: boolean;
  /** Serve https/wss with this certificate (infra/tls.ts); `caFile` is trusted by every node. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

interface Running {
  node: DemoNode;
  port: number;
  url: string;
  service: Service;
}

export class Cascade {
  private readonly running = new Map<string, Running>();
  private readonly configDir = mkdtempSync(join(tmpdir(), 'diemcau-cascade-'));
  private closed = false;

  private constructor(private readonly opts: CascadeOptions) {}

  static async start(opts: CascadeOptions): Promise<Cascade> {
    const c = new Cascade(opts);
    try {
      for (const node of c.ordered()) {
        const fixed = opts.ports?.[node.nodeId]; // 0 = a free one
        for (let attempt = 1; ; attempt++) {
          const port = fixed || (await freePort());
          if (opts.enrol) c.prepare(node, port, await opts.enrol.code(node.nodeId));
          else c.prepare(node, port);
          try {
            await c.startNode(node.nodeId);
            break;
          } catch (err) {
            // a port found free can be taken before the node listens on it (another process's
            // ephemeral port): try another one; an enrolment code is single-use, so not then
            if (fixed || opts.enrol || attempt >= 3) throw err;
            await c.get(node.nodeId).service.stop();
          }
        }
      }
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  /** node id → base URL (http(s)://127.0.0.1:port). */
  get urls(): Record<string, string> {
    return Object.fromEntries([...this.running].map(([id, r]) => [id, r.url]));
  }

  nodeOfSite(site: string): string {
    for (const [id, r] of this.running) if (r.node.sites.includes(site)) return id;
    throw new Error(`no node serves site ${site}`);
  }

  urlOfSite(site: string): string {
    return this.running.get(this.nodeOfSite(site))!.url;
  }

  /** The node's /health answer (NodeHealth), or null while it does not answer. */
  async health(nodeId: string): Promise<NodeHealth | null> {
    try {
      const res = await fetch(`${this.get(nodeId).url}/health`, { signal: AbortSignal.timeout(2000) });
      const parsed = NodeHealth.safeParse(await res.json());
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Resolves once every node with a parent reports its parent link connected. */
  async waitLinked(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all([...this.running.values()].filter((r) => r.node.parent)
        .map(async (r) => (await this.health(r.node.nodeId))?.parent?.state === 'connected'));
      if (states.every(Boolean)) return;
      if (Date.now() > until) throw new Error('media nodes did not link to their parents in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The node's process id while it runs. */
  pid(nodeId: string): number | undefined {
    return this.get(nodeId).service.pid;
  }

  async startNode(nodeId: string): Promise<void> {
    const r = this.get(nodeId);
    r.service.start();
    await waitHttp(`${r.url}/health`, 60_000, () => r.service.running);
  }

  async stopNode(nodeId: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.get(nodeId).service.stop(5000, signal);
  }

  /** Kills a node (SIGKILL: no goodbye to its peers) and starts it again on the same port. */
  async restartNode(nodeId: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.stopNode(nodeId, signal);
    await this.startNode(nodeId);
  }

  /** Stops every node, children first. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.running.keys()].reverse()) await this.running.get(id)!.service.stop();
    rmSync(this.configDir, { recursive: true, force: true });
  }

  private get(nodeId: string): Running {
    const r = this.running.get(nodeId);
    if (!r) throw new Error(`unknown node ${nodeId}`);
    return r;
  }

  /** Parents before children. */
  private ordered(): DemoNode[] {
    const out: DemoNode[] = [];
    const done = new Set<string>();
    while (out.length < this.opts.nodes.length) {
      const next = this.opts.nodes.filter((n) => !done.has(n.nodeId) && (n.parent === null || done.has(n.parent)));
      if (next.length === 0) throw new Error('media node tree has a cycle or a missing parent');
      for (const n of next) { out.push(n); done.add(n.nodeId); }
    }
    return out;
  }

  private prepare(node: DemoNode, port: number, enrolCode?: string): void {
    const url = `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    const parent = node.parent ? this.get(node.parent).url : null;
    // enrolled: the id, control's URL and the code; sites, parent and keys come from control
    const given = enrolCode !== undefined
      ? { enrolCode, dataDir: join(this.opts.enrol!.dataDir, node.nodeId) }
      : {
        sites: node.sites,
        parent,
        ...(this.opts.tokenPublicKeys ? { tokenPublicKeys: this.opts.tokenPublicKeys } : { tokenSecret: this.opts.tokenSecret }),
        nodeSecret: this.opts.nodeSecret,
      };
    const config = {
      nodeId: node.nodeId,
      ...given,
      listenPort: port,
      listenIp: '127.0.0.1',
      announcedIp: '127.0.0.1',
      rtcPort: 0,
      workers: this.opts.workers ?? 1,
      logLevel: this.opts.logLevel ?? 'warn',
      ...(this.opts.controlUrl ? { controlUrl: this.opts.controlUrl } : {}),
      ...(this.opts.tls ? { tls: { certFile: this.opts.tls.certFile, keyFile: this.opts.tls.keyFile } } : {}),
      ...(this.opts.requireMediaTokens ? { requireMediaTokens: true } : {}),
      ...(this.opts.turn ? { turn: this.opts.turn } : {}),
    };
    const file = join(this.configDir, `${node.nodeId}.json`);
    writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
    const service = new Service({
      name: node.nodeId,
      entry: 'media/main.ts',
      args: ['--config', file],
      logFile: join(this.opts.logDir, `${node.nodeId}.log`),
      // the nodes call each other and control over https: they trust the demo's CA
      ...(this.opts.tls ? { env: { NODE_EXTRA_CA_CERTS: this.opts.tls.caFile } } : {}),
      onUnexpectedExit: (code) => this.opts.onUnexpectedExit?.(node.nodeId, code),
    });
    this.running.set(node.nodeId, { node, port, url, service });
  }
}
