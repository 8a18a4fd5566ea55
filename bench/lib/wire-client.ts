// A bare socket.io client for load generation: engine.io v4 over one
// WebSocket, the socket.io v5 packet format written and read by hand, pushes
// left unparsed. A benchmark's load generator holds tens of thousands of site
// connections on the same two cores as the service it measures; with the full
// socket.io client each reporting site cost the generator about as much CPU as
// it cost the service, so the figures measured the generator as much as the
// service. Real halls and consoles run on their own machines. The measuring
// side (probes, the organizer) keeps the real socket.io client.
import WebSocket from 'ws';

export interface WireClientOptions {
  /** The service's base URL (http://host:port). */
  url: string;
  /** The socket.io namespace, e.g. "/control". */
  namespace: string;
  /** The namespace's handshake auth object. */
  auth: Record<string, unknown>;
  /** Local source address to bind (spreads connections over 127.0.0.x). */
  localAddress?: string;
  /** Give up connecting after this long (ms); default 120 000. */
  timeoutMs?: number;
}

type Ack = (res: unknown) => void;

export class WireClient {
  private ws: WebSocket;
  private nextId = 0;
  private acks = new Map<number, Ack>();
  private closed = false;
  /** Messages the service pushed (counted, not parsed). */
  pushes = 0;
  /** Why the connection ended ("<close code> <reason>"), once it has, and when (epoch ms). */
  ended: { why: string; at: number } | null = null;
  /** Called once when the connection ends by the service's or the network's doing (not by close()). */
  onEnd: ((why: string) => void) | null = null;

  private constructor(private o: WireClientOptions, ready: (err?: Error) => void) {
    const u = new URL(o.url);
    const wsUrl = `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}/socket.io/?EIO=4&transport=websocket`;
    this.ws = new WebSocket(wsUrl, { ...(o.localAddress ? { localAddress: o.localAddress } : {}), perMessageDeflate: false });
    const timer = setTimeout(() => ready(new Error('connect timeout')), o.timeoutMs ?? 120_000);
    const done = (err?: Error) => { clearTimeout(timer); ready(err); };
    const nsp = o.namespace;
    this.ws.on('message', (data: Buffer) => {
      const s = data.toString();
      const t = s.charCodeAt(0);
      if (t === 50 /* '2' ping */) { this.ws.send('3'); return; }
      if (t === 48 /* '0' open */) { this.ws.send(`40${nsp},${JSON.stringify(o.auth)}`); return; }
      if (t !== 52 /* '4' message */) return;
      const kind = s.charAt(1);
      const body = s.startsWith(`${nsp},`, 2) ? s.slice(2 + nsp.length + 1) : s.slice(2);
      if (kind === '0') done();
      else if (kind === '4') done(new Error(`refused: ${body}`));
      else if (kind === '3') {
        // ack: <id>[response]
        const i = body.indexOf('[');
        const id = Number(body.slice(0, i));
        const ack = this.acks.get(id);
        if (ack) {
          this.acks.delete(id);
          ack((JSON.parse(body.slice(i)) as unknown[])[0]);
        }
      } else if (kind === '2') this.pushes++;
      else if (kind === '1') { this.ended = { why: 'namespace disconnect', at: Date.now() }; this.onEnd?.(this.ended.why); }
    });
    this.ws.on('error', (e) => done(e));
    this.ws.on('close', (code: number, reason: Buffer) => {
      if (!this.closed) {
        this.ended = { why: `${code} ${reason.toString() || '-'}`, at: Date.now() };
        this.onEnd?.(this.ended.why);
      }
      this.closed = true;
      for (const ack of this.acks.values()) ack({ ok: false, error: { code: 'NO_ANSWER', message: 'connection closed' } });
      this.acks.clear();
    });
  }

  /** Connects and joins the namespace. */
  static connect(o: WireClientOptions): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const c: WireClient = new WireClient(o, (err) => (err ? (c.close(), reject(err)) : resolve(c)));
    });
  }

  /** Emits an event and resolves with the service's acknowledgement (or a NO_ANSWER error body after `timeoutMs`). */
  emitWithAck(event: string, payload: unknown, timeoutMs = 60_000): Promise<unknown> {
    if (this.closed) return Promise.resolve({ ok: false, error: { code: 'NO_ANSWER', message: 'closed' } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.acks.delete(id); resolve({ ok: false, error: { code: 'NO_ANSWER', message: 'timeout' } }); }, timeoutMs);
      this.acks.set(id, (r) => { clearTimeout(timer); resolve(r); });
      this.ws.send(`42${this.o.namespace},${id}${JSON.stringify([event, payload])}`);
    });
  }

  /** Emits without waiting for the acknowledgement (asks for none). */
  emit(event: string, payload: unknown): void {
    if (!this.closed) this.ws.send(`42${this.o.namespace},${JSON.stringify([event, payload])}`);
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.terminate();
  }
}
