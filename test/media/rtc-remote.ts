// The test side of a Node WebRTC peer's libwebrtc process (rtc-host.ts): one
// child per peer, spoken to over the IPC channel. A crash of the addon ends
// that child only; the peer's calls then fail with "rtc host exited", which
// names the cause instead of taking the whole test file down with it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TransportInfo } from '../../signaling/media.js';

type ConsumeInfo = { id: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: unknown };

/** Test → host requests; each is answered by a HostReply with the same id. */
export type HostRequest = { id: number } & (
  | { op: 'load'; routerRtpCapabilities: unknown }
  | { op: 'createTransport'; direction: 'send' | 'recv'; info: TransportInfo }
  | { op: 'consume'; transportId: string; info: ConsumeInfo }
  | { op: 'closeConsumer'; id: string }
  | { op: 'closeTransport'; id: string }
  | { op: 'stats'; transportId: string; type: 'inbound-rtp' | 'outbound-rtp' }
  | { op: 'produceSynthetic'; transportId: string; width: number; height: number; fps: number; simulcast: boolean }
);
export type HostReply = { reply: number; ok: boolean; data?: unknown; error?: string };
/** Host → test: a transport needs the signalling (`connect`, `produce`), answered by `{ reply: cb }`. */
export type HostEvent = { event: 'connect' | 'produce' | 'ready'; transportId: string; cb: number; data: any };

type Ops = HostRequest extends infer R ? (R extends { op: infer O } ? O : never) : never;
type Args<O extends Ops> = Omit<Extract<HostRequest, { op: O }>, 'id' | 'op'>;

/** What a consumer in the host looks like from the test: its parameters, and whether it was closed. */
export type RemoteConsumer = { id: string; kind: 'audio' | 'video'; producerId: string; rtpParameters: { encodings?: { ssrc?: number }[] }; closed: boolean };

const HOST = fileURLToPath(new URL('./rtc-host.ts', import.meta.url));

export class RtcRemote {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { ok: (d: any) => void; fail: (e: Error) => void }>();
  /** The signalling for a transport's events, by transport id. */
  private readonly handlers = new Map<string, (event: 'connect' | 'produce', data: any) => Promise<unknown>>();
  private readonly ready: Promise<void>;
  /** Why the host ended on its own (a crash), else null. */
  died: string | null = null;
  private killed = false;

  constructor() {
    this.child = fork(HOST, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((ok, fail) => {
      this.child.once('message', () => ok());
      this.child.once('exit', () => fail(new Error(`rtc host exited before it was ready: ${this.died}`)));
    });
    this.ready.catch(() => undefined);
    this.child.on('message', (m: HostReply | HostEvent) => this.onMessage(m));
    this.child.on('exit', (code, signal) => {
      if (!this.killed) this.died = `rtc host exited (${signal ?? `code ${code}`})`;
      for (const p of this.pending.values()) p.fail(new Error(this.died ?? 'rtc host closed'));
      this.pending.clear();
    });
  }

  async request<O extends Ops, T = any>(op: O, args: Args<O>): Promise<T> {
    await this.ready;
    if (this.died || this.killed) throw new Error(this.died ?? 'rtc host closed');
    const id = this.nextId++;
    return new Promise<T>((ok, fail) => {
      this.pending.set(id, { ok, fail });
      this.child.send({ id, op, ...args } as unknown as HostRequest);
    });
  }

  /** Routes a transport's connect/produce events to the signalling. */
  onTransport(transportId: string, fn: (event: 'connect' | 'produce', data: any) => Promise<unknown>): void {
    this.handlers.set(transportId, fn);
  }

  private onMessage(m: HostReply | HostEvent): void {
    if ('reply' in m) {
      const p = this.pending.get(m.reply);
      this.pending.delete(m.reply);
      if (m.ok) p?.ok(m.data);
      else p?.fail(new Error(m.error));
      return;
    }
    if (m.event === 'ready') return;
    const fn = this.handlers.get(m.transportId);
    const answer = (r: { ok: boolean; data?: unknown; error?: string }) => {
      if (this.child.connected) this.child.send({ reply: m.cb, ...r });
    };
    if (!fn) { answer({ ok: false, error: `no signalling for transport ${m.transportId}` }); return; }
    fn(m.event, m.data).then((data) => answer({ ok: true, data }), (e) => answer({ ok: false, error: String((e as Error)?.message ?? e) }));
  }

  /**
   * Ends the host without closing its peer connections one by one (where the addon crashes):
   * the node sees the socket go and frees the transports on its side. Idempotent.
   */
  close(): void {
    if (this.killed) return;
    this.killed = true;
    this.child.kill('SIGKILL');
  }
}
