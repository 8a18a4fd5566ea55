// The socket ends of the fuzzer: a reconnecting /hall or /node client, a fake
// parent that sends a node parent→child events, the handshake probe, and the
// socket.io encoder that can carry payloads nested too deep for JSON.stringify.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import * as parser from 'socket.io-parser';
import type { ErrorCode } from '../../../signaling/common.js';
import { NODE_NAMESPACE, NodeEvents } from '../../../signaling/media.js';
import { FRAME_LIMIT, PARENT_ID } from './config.js';
import { preview, toJson } from './json.js';
import { DROPPED, assertRefusedAck, refusedWith, sent, type Area } from './tally.js';

/** socket.io's packet encoding (text packets, which is all these tests send) over toJson. */
class DeepEncoder extends parser.Encoder {
  override encode(obj: parser.Packet): string[] {
    let str = `${obj.type}`;
    if (obj.nsp && obj.nsp !== '/') str += `${obj.nsp},`;
    if (obj.id != null) str += obj.id;
    if (obj.data != null) str += toJson(obj.data);
    return [str];
  }
}
const deepParser = { Encoder: DeepEncoder, Decoder: parser.Decoder };

type Reply = { kind: 'ack'; ack: unknown } | { kind: 'dropped' } | { kind: 'timeout' };

/**
 * One socket.io client that reconnects (and runs `setup` again) on next use when
 * the node dropped it, e.g. after a frame over FRAME_LIMIT.
 */
export class Client {
  socket: Socket | null = null;
  /** Ids this client made (its transports), refreshed by setup. */
  ids: { send?: string; recv?: string } = {};

  constructor(
    readonly name: string,
    readonly url: string,
    readonly nsp: string,
    readonly token: () => unknown,
    readonly setup: (c: Client) => Promise<void> = async () => undefined,
    readonly listen?: (s: Socket) => void,
  ) {}

  async open(): Promise<Socket> {
    if (this.socket?.connected) return this.socket;
    this.socket?.close();
    const s = io(new URL(this.nsp, this.url).toString(), { auth: { token: this.token() }, transports: ['websocket'], reconnection: false, forceNew: true, parser: deepParser });
    this.socket = s;
    this.listen?.(s);
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', (e) => rej(new Error(`${this.name}: connection refused: ${e.message}`)));
    });
    this.ids = {};
    await this.setup(this);
    return s;
  }

  async emit(event: string, payload: unknown, timeoutMs = 8000): Promise<Reply> {
    const s = await this.open();
    return new Promise<Reply>((res) => {
      let done = false;
      const finish = (r: Reply) => {
        if (done) return;
        done = true;
        s.off('disconnect', onDrop);
        res(r);
      };
      const onDrop = () => finish({ kind: 'dropped' });
      s.once('disconnect', onDrop);
      const onAck = (err: Error | null, ack: unknown) => {
        if (!err) finish({ kind: 'ack', ack });
        else finish(s.connected ? { kind: 'timeout' } : { kind: 'dropped' });
      };
      // no payload: (ack) alone, as clients call the events that take none (undefined would travel as null)
      if (payload === undefined) s.timeout(timeoutMs).emit(event, onAck);
      else s.timeout(timeoutMs).emit(event, payload, onAck);
    });
  }

  /** Emits and returns the ack (failing on a drop or a timeout). */
  async ack(event: string, payload: unknown): Promise<unknown> {
    const r = await this.emit(event, payload);
    assert.equal(r.kind, 'ack', `${this.name} ${event}: no ack (${r.kind})`);
    return (r as { ack: unknown }).ack;
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}

/** Sends a payload that must be refused, and counts it. */
export async function refuse(area: Area, c: { emit(e: string, p: unknown): Promise<Reply>; name: string }, event: string, payload: unknown, expect: readonly ErrorCode[], label: string): Promise<void> {
  const bytes = Buffer.byteLength(toJson([event, payload ?? null]));
  sent(area);
  const r = await c.emit(event, payload);
  const what = `${label} → ${c.name}`;
  if (r.kind === 'dropped') {
    assert.ok(bytes > FRAME_LIMIT - 1024, `${what}: connection dropped on a ${bytes}-byte frame`);
    refusedWith(DROPPED);
    return;
  }
  assert.equal(r.kind, 'ack', `${what}: no answer (${r.kind}) to ${preview(payload)}`);
  refusedWith(assertRefusedAck((r as { ack: unknown }).ack, expect, what));
}

/** Plays the parent of a media node on its `/node` namespace, to send it parent→child events. */
export class FakeParent {
  private readonly http = createServer();
  private readonly io = new Server(this.http, { maxHttpBufferSize: 4 * 1024 * 1024, parser: deepParser });
  child: ServerSocket | null = null;
  readonly name = 'binhgia (from its parent)';
  url = '';

  async start(): Promise<void> {
    this.io.of(NODE_NAMESPACE).on('connection', (s) => {
      s.on(NodeEvents.register, (_p: unknown, ack: unknown) => {
        this.child = s;
        if (typeof ack === 'function') ack({ ok: true, data: { nodeId: PARENT_ID } });
      });
      // a live parent answers the heartbeat; without it the child would rightly give this one up
      s.on(NodeEvents.ping, (_p: unknown, ack: unknown) => { if (typeof ack === 'function') ack({ ok: true, data: {} }); });
      s.on('disconnect', () => {
        if (this.child === s) this.child = null;
      });
    });
    await new Promise<void>((res) => this.http.listen(0, '127.0.0.1', () => res()));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  emit(event: string, payload: unknown, timeoutMs = 8000): Promise<Reply> {
    const s = this.child;
    if (!s) return Promise.resolve({ kind: 'dropped' });
    return new Promise<Reply>((res) => {
      s.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: unknown) => res(err ? { kind: 'timeout' } : { kind: 'ack', ack }));
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((res) => this.io.close(() => res()));
  }
}

/** Connects with `token` in the handshake; resolves with the refusal's data, or throws when let in. */
export async function handshakeRefusal(url: string, nsp: string, token: unknown): Promise<unknown> {
  const s = io(new URL(nsp, url).toString(), { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    return await new Promise<unknown>((res, rej) => {
      s.once('connect', () => rej(new Error(`let in with token ${preview(token)}`)));
      s.once('connect_error', (e: Error & { data?: unknown }) => res(e.data ?? { message: e.message }));
    });
  } finally {
    s.close();
  }
}
