// One node-to-node connection (to the parent, or from a child) over socket.io,
// and the per-conference PipeTransport it carries. Request/ack helpers wrap
// socket.io acks in the shared Ack envelope.
import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { z } from 'zod';
import { AppError, parseOrThrow, toErrorBody, type Ack } from '../signaling/common.js';
import type { Logger } from 'pino';

/** The part of a socket.io socket (server or client side) a link uses. */
export type Wire = {
  id: string | undefined;
  on(event: string, fn: (...args: any[]) => void): unknown;
  off(event: string, fn: (...args: any[]) => void): unknown;
  emit(event: string, ...args: any[]): unknown;
  timeout(ms: number): { emitWithAck(event: string, ...args: any[]): Promise<any> };
};

type Deferred<T> = { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void };
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const REQUEST_TIMEOUT_MS = 10_000;

export class Link {
  /** Unique per connection: a reconnecting peer is a new link. */
  readonly key = randomUUID();
  peerId = '?';
  sites: string[] = [];
  /** On a child link: the node id its token proves (register must name it). */
  provenId: string | null = null;
  /** On a child link of an enrolled node: the sites of the child's subtree, from its control-signed token. */
  subtree: Set<string> | null = null;
  closed = false;
  /** conf → this side's PipeTransport (resolved once both ends are connected). */
  private readonly pipes = new Map<string, Deferred<ms.PipeTransport>>();
  /** `${conf} ${producerId}` → pipe consumer sending that producer to the peer. */
  readonly out = new Map<string, ms.Consumer>();
  /** `${conf} ${producerId}` → pipe producer receiving it from the peer. */
  readonly in = new Map<string, ms.Producer>();
  /** On a child link: the conferences the child's subtree needs; null until it says (then everything goes down). */
  carries: Set<string> | null = null;
  private readonly handlers: [string, (...args: any[]) => void][] = [];
  private readonly closeFns: (() => void)[] = [];

  constructor(
    readonly role: 'parent' | 'child',
    readonly wire: Wire,
    readonly log: Logger,
  ) {}

  /** Registers `fn` for `event`, validating the payload and acking with the Ack envelope. */
  handle<S extends z.ZodType>(event: string, schema: S, fn: (data: z.infer<S>) => Promise<unknown> | unknown): void {
    const h = async (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (a: Ack<unknown>) => void) : () => undefined;
      try {
        if (this.closed) throw new AppError('UNAVAILABLE', 'link closed');
        const data = parseOrThrow(schema, payload);
        reply({ ok: true, data: (await fn(data)) ?? {} });
      } catch (err) {
        if (!(err instanceof AppError)) this.log.warn({ event, peer: this.peerId, err: String(err) }, 'node event failed');
        reply({ ok: false, error: err instanceof AppError ? err.toBody() : { ...toErrorBody(err), message: String((err as Error)?.message ?? err) } });
      }
    };
    this.wire.on(event, h);
    this.handlers.push([event, h]);
  }

  /** Sends `event` and resolves with the ack's data (parsed with `schema`), throwing AppError on error acks. */
  async request<S extends z.ZodType>(event: string, payload: unknown, schema?: S): Promise<z.infer<S>> {
    if (this.closed) throw new AppError('UNAVAILABLE', 'link closed');
    let res: Ack<unknown>;
    try {
      res = await this.wire.timeout(REQUEST_TIMEOUT_MS).emitWithAck(event, payload);
    } catch {
      throw new AppError('UNAVAILABLE', `${event}: no answer from node ${this.peerId}`);
    }
    if (!res || typeof res !== 'object') throw new AppError('INTERNAL', `${event}: malformed ack`);
    if (!res.ok) throw new AppError(res.error?.code ?? 'INTERNAL', `${event} at ${this.peerId}: ${res.error?.message}`);
    return schema ? parseOrThrow(schema, res.data) : (res.data as z.infer<S>);
  }

  /** The pipe for `conf`, waiting for it to be set up if needed. */
  pipe(conf: string): Promise<ms.PipeTransport> {
    let d = this.pipes.get(conf);
    if (!d) {
      d = deferred();
      this.pipes.set(conf, d);
    }
    return d.promise;
  }

  hasPipe(conf: string): boolean {
    return this.pipes.has(conf);
  }

  /** Records the pipe for `conf` (closing a stale one) and resolves waiters. */
  setPipe(conf: string, transport: ms.PipeTransport): void {
    if (this.closed) {
      // set up while the link went away: nobody would ever close it
      transport.close();
      throw new AppError('UNAVAILABLE', 'link closed');
    }
    const d = this.pipes.get(conf);
    if (d) {
      d.promise.then((old) => old !== transport && old.close(), () => undefined);
      d.resolve(transport);
      // a resolved deferred cannot change: replace it when the pipe is swapped
      const fresh = deferred<ms.PipeTransport>();
      fresh.resolve(transport);
      this.pipes.set(conf, fresh);
    } else {
      const fresh = deferred<ms.PipeTransport>();
      fresh.resolve(transport);
      this.pipes.set(conf, fresh);
    }
  }

  /** Marks that a pipe for `conf` is being set up (so concurrent callers wait for it). */
  reservePipe(conf: string): boolean {
    if (this.pipes.has(conf)) return false;
    this.pipes.set(conf, deferred());
    return true;
  }

  failPipe(conf: string, err: Error): void {
    const d = this.pipes.get(conf);
    this.pipes.delete(conf);
    d?.reject(err);
  }

  /** Closes and forgets everything of `conf` on this link: its pipe and the producers and consumers relayed over it. */
  dropConference(conf: string): void {
    const d = this.pipes.get(conf);
    this.pipes.delete(conf);
    if (d) {
      d.reject(new AppError('CONFLICT', 'conference ended'));
      d.promise.then((t) => t.close(), () => undefined);
    }
    for (const map of [this.out, this.in] as Map<string, { close(): void }>[]) {
      for (const [k, x] of [...map]) if (k.startsWith(`${conf} `)) { x.close(); map.delete(k); }
    }
  }

  onClose(fn: () => void): void {
    this.closeFns.push(fn);
  }

  /** Idempotent: unhooks handlers and closes every pipe (their producers and consumers with them). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [ev, h] of this.handlers) this.wire.off(ev, h);
    for (const d of this.pipes.values()) {
      d.reject(new AppError('UNAVAILABLE', 'link closed'));
      d.promise.then((t) => t.close(), () => undefined);
    }
    this.pipes.clear();
    this.out.clear();
    this.in.clear();
    for (const fn of this.closeFns.splice(0)) fn();
  }
}
