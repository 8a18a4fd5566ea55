// Test helpers: media node processes and ffmpeg RTP feeds, each a real child
// process on 127.0.0.1, logging to test-artifacts/media/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, Service } from '../../infra/proc.js';
import { waitFor as pollUntil } from '../support/wait.js';
import type { NodeConfigInput } from '../../media/config.js';
import type { IngestReq, IngestRes, NodeHealth, StatsRes } from '../../signaling/media.js';

export { REPO_ROOT };
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'media');

const configDir = mkdtempSync(join(tmpdir(), 'diemcau-media-test-'));
process.once('exit', () => rmSync(configDir, { recursive: true, force: true }));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` (sync or async) until it returns a truthy value; throws with `what` after timeoutMs. */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 250): Promise<T> {
  return pollUntil(what, async () => fn(), timeoutMs, everyMs);
}

/** A media node running as its own process (`media/main.ts --config <file>`). */
export class NodeProc {
  private service: Service | null = null;
  url = '';
  output = '';
  /** Extra environment (e.g. NODE_EXTRA_CA_CERTS for nodes linked over TLS). */
  env: Record<string, string> = {};

  /** `netns`: run the node inside that network namespace (test/support/netns.ts). */
  constructor(readonly config: NodeConfigInput, readonly tag = config.nodeId, readonly netns?: string) {}

  get nodeId(): string {
    return this.config.nodeId;
  }

  get pid(): number | undefined {
    return this.service?.pid;
  }

  /** True while the process runs (false once it exited, crashed or was stopped). */
  get running(): boolean {
    return this.service?.running ?? false;
  }

  async start(timeoutMs = 30_000): Promise<this> {
    const file = join(configDir, `${this.tag}.json`);
    writeFileSync(file, JSON.stringify(this.config), { mode: 0o600 });
    this.output = '';
    let ready: (url: string) => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    const started = new Promise<string>((res, rej) => { ready = res; failed = rej; });
    const service = new Service({
      name: this.tag,
      entry: 'media/main.ts',
      args: ['--config', file],
      env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...this.env },
      logFile: join(ARTIFACTS, `${this.tag}.log`),
      ...(this.netns ? { netns: this.netns } : {}),
      onOutput: (b) => {
        this.output += b.toString();
        const m = /media node (\S+) listening (\S+)/.exec(this.output);
        if (m) ready(m[2]!);
      },
      onUnexpectedExit: (code) => failed(new Error(`${this.tag} exited with ${code}:\n${this.output.slice(-2000)}`)),
    });
    this.service = service;
    service.start();
    const t = setTimeout(() => failed(new Error(`${this.tag} did not start:\n${this.output.slice(-2000)}`)), timeoutMs);
    try {
      this.url = await started;
    } finally {
      clearTimeout(t);
    }
    return this;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.service?.stop(5000, signal);
    this.service = null;
  }

  async health(): Promise<NodeHealth> {
    const r = await fetch(`${this.url}/health`);
    return (await r.json()) as NodeHealth;
  }

  /**
   * Waits until the node holds again what `before` (an earlier `health().objects`) counted: the same
   * transports, consumers, producers and ports. A test that disturbs a link ends with this check that
   * nothing leaked; the error shows both counts.
   */
  async backTo(before: NodeHealth['objects'], timeoutMs = 20_000): Promise<void> {
    await waitFor(`${this.nodeId} back to what it held`, async () => {
      const o = (await this.health()).objects;
      return o.transports === before.transports && o.consumers === before.consumers && o.producers === before.producers && o.portsInUse === before.portsInUse;
    }, timeoutMs, 250).catch(async (err: Error) => {
      throw new Error(`${err.message}: before ${JSON.stringify(before)}, now ${JSON.stringify((await this.health()).objects)}`);
    });
  }

  async stats(token: string): Promise<StatsRes> {
    const r = await fetch(`${this.url}/stats`, { headers: { authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(`stats ${r.status}: ${await r.text()}`);
    return (await r.json()) as StatsRes;
  }

  async ingest(token: string, body: IngestReq): Promise<IngestRes> {
    const r = await fetch(`${this.url}/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new Error(`ingest ${r.status}: ${await r.text()}`);
    return (await r.json()) as IngestRes;
  }

  async post(path: string, token: string, body: unknown): Promise<{ status: number; json: any }> {
    const r = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, json: await r.json() };
  }
}

/**
 * Streams a generated test pattern (VP8) and tone (Opus) as RTP to an ingest,
 * realtime. `pattern` picks the lavfi source so feeds differ.
 */
export class FfmpegFeed {
  private proc: ChildProcess | null = null;
  output = '';

  constructor(
    readonly ingest: IngestRes,
    readonly opts: {
      pattern?: 'testsrc2' | 'smptebars' | 'rgbtestsrc';
      size?: string;
      fps?: number;
      tone?: number;
      /** Video codec; must match the ingest's (default VP8). H.264: libx264 constrained baseline, as hardware encoders send. */
      codec?: 'VP8' | 'H264';
      /** Send from these local ports (RTP, RTCP = +1) per kind: for ingests told the sender's address. */
      fromPorts?: { video?: number; audio?: number };
    } = {},
  ) {}

  start(): this {
    const v = this.ingest.streams.find((s) => s.kind === 'video');
    const a = this.ingest.streams.find((s) => s.kind === 'audio');
    const args = ['-hide_banner', '-loglevel', 'warning', '-re'];
    const inputs: string[] = [];
    if (v) inputs.push('-f', 'lavfi', '-i', `${this.opts.pattern ?? 'testsrc2'}=size=${this.opts.size ?? '640x360'}:rate=${this.opts.fps ?? 25}`);
    if (a) inputs.push('-f', 'lavfi', '-i', `sine=frequency=${this.opts.tone ?? 440}:sample_rate=48000`);
    args.push(...inputs);
    let idx = 0;
    if (v) {
      const enc = this.opts.codec === 'H264'
        ? ['-c:v', 'libx264', '-profile:v', 'baseline', '-level', '3.1', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bsf:v', 'dump_extra']
        : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'];
      args.push('-map', `${idx++}:v`, ...enc, '-pix_fmt', 'yuv420p', '-b:v', '600k', '-g', '25', '-keyint_min', '25',
        '-ssrc', String(v.ssrc), '-payload_type', String(v.payloadType), '-f', 'rtp', `rtp://${v.ip}:${v.port}?rtcpport=${v.rtcpPort}&pkt_size=1200${this.from('video')}`);
    }
    if (a) {
      // in-band FEC, as the ingest announces it to the halls (useinbandfec=1)
      const fec = Number(a.parameters?.useinbandfec) === 1 ? ['-fec:a', '1', '-packet_loss:a', '10'] : [];
      args.push('-map', `${idx++}:a`, '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-b:a', '48k', ...fec,
        '-ssrc', String(a.ssrc), '-payload_type', String(a.payloadType), '-f', 'rtp', `rtp://${a.ip}:${a.port}?rtcpport=${a.rtcpPort}&pkt_size=1200${this.from('audio')}`);
    }
    const p = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-4000);
    });
    this.proc = p;
    return this;
  }

  private from(kind: 'video' | 'audio'): string {
    const port = this.opts.fromPorts?.[kind];
    return port ? `&localrtpport=${port}&localrtcpport=${port + 1}` : '';
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
    this.proc = null;
  }
}
