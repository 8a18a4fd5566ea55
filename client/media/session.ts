// What the hall receiver and the publisher share: opening the socket to a
// media node, joining a site's router, loading a Device, creating transports
// whose DTLS/produce callbacks go through validated requests, and the
// session lifecycle around them (MediaSession: rejoin on every reconnect,
// slow retries when refused, a fresh session when the transport dies).
import { io, type Socket } from 'socket.io-client';
import { Device, type types } from 'mediasoup-client';
import { z } from 'zod';
import {
  HALL_NAMESPACE, HallEvents, HallRole, JoinReq, JoinRes, CreateTransportReq, TransportInfo,
  ConnectTransportReq, ProduceReq, ProduceRes,
} from '../../signaling/media.js';
import { request, RpcError } from './rpc.js';
import type { TokenSource } from './media-token.js';
import { REFRESH_TOKEN_EVENT } from '../../signaling/media-token.js';
import type { Phase } from './status.js';

export type JoinResult = z.infer<typeof JoinRes>;

export interface SessionOptions {
  /** Media node base URL (http://host:port); '' or undefined means this page's origin. */
  nodeUrl?: string;
  /** Access token, sent in the socket.io handshake (the invitation when no control service gives media tokens). */
  token: string;
  /** Short-lived media tokens from the control service (client/media/media-token.ts): used instead of `token`. */
  tokens?: TokenSource;
  /** Site whose router to join. */
  site: string;
  role: z.infer<typeof HallRole>;
  /** contributor: this console's contribution id (stable across reconnects), which a floor grant binds. */
  contribution?: string;
}

const Ok = z.unknown();

/** Opens (but does not wait for) a socket to the node's `/hall` namespace; it reconnects by itself. */
export function openSocket(opts: SessionOptions): Socket {
  const base = (opts.nodeUrl ?? '').replace(/\/+$/, '');
  return io(`${base}${HALL_NAMESPACE}`, {
    // read on every (re)connect: a reconnect presents the freshest media token
    auth: (cb) => cb({ token: opts.tokens?.current ?? opts.token }),
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    randomizationFactor: 0.3,
    timeout: 8000,
  });
}

/** Joins the site and returns a Device loaded with that router's capabilities. */
export async function joinSite(socket: Socket, opts: SessionOptions): Promise<{ joined: JoinResult; device: Device }> {
  const joined = await request(socket, HallEvents.join, JoinReq, { site: opts.site, role: opts.role, ...(opts.contribution ? { contribution: opts.contribution } : {}) }, JoinRes);
  const device = new Device();
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as types.RtpCapabilities });
  return { joined, device };
}

/** Creates a send or recv transport on the node and its local twin. */
export async function createTransport(
  socket: Socket,
  device: Device,
  direction: 'send' | 'recv',
  forceTcp = false,
): Promise<types.Transport> {
  const info = await request(socket, HallEvents.createTransport, CreateTransportReq, { direction, forceTcp }, TransportInfo);
  const params = {
    id: info.id,
    iceParameters: info.iceParameters as unknown as types.IceParameters,
    iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
    dtlsParameters: info.dtlsParameters as unknown as types.DtlsParameters,
    // TURN (over TLS on 443 where only that is open): the browser tries it beside the node's own candidates
    ...(info.iceServers ? { iceServers: info.iceServers as RTCIceServer[] } : {}),
  };
  const transport = direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    request(socket, HallEvents.connectTransport, ConnectTransportReq, { transportId: transport.id, dtlsParameters }, Ok)
      .then(() => done(), fail);
  });
  if (direction === 'send') {
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      request(socket, HallEvents.produce, ProduceReq, {
        transportId: transport.id, kind, rtpParameters: rtpParameters as unknown as Record<string, unknown>, appData,
      }, ProduceRes).then(({ id }) => done({ id }), fail);
    });
  }
  return transport;
}

/** Why a connect attempt was refused, when the node said so in the handshake. */
export function handshakeRefusal(err: Error & { data?: unknown }): 'UNAUTHORIZED' | 'FORBIDDEN' | null {
  const code = (err.data as { code?: unknown } | undefined)?.code;
  return code === 'UNAUTHORIZED' || code === 'FORBIDDEN' ? code : null;
}

/** Answers meaning "this link may not do that here" rather than "try again". */
export const REFUSALS: ReadonlySet<string> = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND']);

/** What every media session takes besides the role, which the kind of session fixes. */
export interface MediaSessionOptions extends Omit<SessionOptions, 'role'> {
  /** Called on every phase change. */
  onPhase?: (phase: Phase) => void;
  /** Diagnostic lines (kept out of the UI). */
  log?: (line: string) => void;
  /** Ask the node for TCP-only transports (UDP blocked). */
  forceTcp?: boolean;
  /**
   * The node no longer serves this site (the operator moved it to another node): it said so, or
   * it refuses the join as not served here. The page asks control where the site went.
   */
  onSiteMoved?: () => void;
}

/**
 * One link to a media node that survives reconnects: every (re)connect bumps the
 * generation and runs setup() again (join, then `joined()`), one step at a time.
 * Subclasses say what to do once joined, with `programme` pushes, and what to close
 * with the transport.
 */
export abstract class MediaSession<O extends MediaSessionOptions> {
  phase: Phase = 'connecting';
  protected socket: Socket | null = null;
  protected device: Device | null = null;
  protected transport: types.Transport | null = null;
  /** Bumped on every rejoin and on close, so work begun for an older session stops. */
  protected generation = 0;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  protected closed = false;

  constructor(protected readonly opts: O, private readonly role: z.infer<typeof HallRole>) {}

  /** Joined with a loaded Device: take it (unless `gen` is stale) and start the media. */
  protected abstract joined(gen: number, joined: JoinResult, device: Device): Promise<void>;
  /** A `programme` push from the node, not yet validated. */
  protected abstract onProgramme(payload: unknown): void;

  start(): void {
    if (this.socket || this.closed) return;
    const socket = openSocket(this.sessionOptions());
    this.socket = socket;
    // a fresh media token goes to the node on the open socket, which then outlives the old one
    this.unsubscribe = this.opts.tokens?.onChange((token) => {
      if (socket.connected) socket.timeout(5000).emit(REFRESH_TOKEN_EVENT, { token }, () => undefined);
    });
    socket.on('connect', () => {
      const gen = ++this.generation;
      this.enqueue(() => this.setup(gen));
    });
    socket.on('disconnect', () => {
      this.generation++;
      this.dropMedia();
      this.setPhase('reconnecting');
    });
    socket.on(HallEvents.programme, (payload: unknown) => this.onProgramme(payload));
    socket.on(HallEvents.siteMoved, () => { this.log('the node no longer serves this site'); this.opts.onSiteMoved?.(); });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (handshakeRefusal(err)) this.setPhase('unauthorized');
      else if (this.phase !== 'connecting') this.setPhase('reconnecting');
      // A refusal by the node's middleware stops socket.io's own retries; keep trying slowly.
      if (!socket.active) this.later(() => socket.connect(), handshakeRefusal(err) ? 10_000 : 2_000);
    });
  }

  /** Stops everything and disconnects; safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dropMedia();
    this.socket?.removeAllListeners();
    this.socket?.close();
    this.socket = null;
  }

  private sessionOptions(): SessionOptions {
    return { ...this.opts, role: this.role };
  }

  private async setup(gen: number): Promise<void> {
    const socket = this.socket;
    if (!socket || gen !== this.generation) return;
    this.dropMedia();
    try {
      const { joined, device } = await joinSite(socket, this.sessionOptions());
      await this.joined(gen, joined, device);
    } catch (err) {
      if (gen !== this.generation) return;
      this.log(`setup failed: ${(err as Error).message}`);
      // Refused (wrong site or role for this link): say so, and only retry slowly.
      const refused = err instanceof RpcError && REFUSALS.has(err.code);
      if (err instanceof RpcError && err.code === 'NOT_FOUND' && /not served/.test(err.message)) this.opts.onSiteMoved?.();
      this.setPhase(refused || this.phase === 'unauthorized' ? 'unauthorized' : 'reconnecting');
      // a failure after the join (the device, a transport) leaves the socket joined: start a fresh
      // session rather than join again on it (which the node refuses)
      this.later(() => {
        if (gen !== this.generation) return;
        if (refused) this.enqueue(() => this.setup(gen));
        else this.resession(gen, 'setup failed');
      }, refused ? 10_000 : 2000);
    }
  }

  /** Replaces the transport with a new one; null when `gen` went stale meanwhile. */
  protected async openTransport(gen: number, direction: 'send' | 'recv'): Promise<types.Transport | null> {
    const socket = this.socket;
    if (!socket || !this.device) return null;
    this.closeTransport();
    const transport = await createTransport(socket, this.device, direction, this.opts.forceTcp);
    if (gen !== this.generation) { transport.close(); return null; }
    this.transport = transport;
    return transport;
  }

  /**
   * Starts over with a fresh socket session: the node closes everything the old one held (a
   * recreated transport on the same socket would leave the dead one behind), then setup() runs.
   */
  protected resession(gen: number, why: string): void {
    if (gen !== this.generation || !this.socket) return;
    this.log(`new session: ${why}`);
    this.setPhase('reconnecting');
    this.socket.disconnect().connect();
  }

  protected enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((err: unknown) => this.log(`step failed: ${(err as Error).message}`));
  }

  protected later(fn: () => void, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); if (!this.closed) fn(); }, ms);
    this.timers.add(t);
  }

  /** Closes the transport; subclasses first close what they made on it. */
  protected closeTransport(): void {
    this.transport?.close();
    this.transport = null;
  }

  protected dropMedia(): void {
    this.closeTransport();
    this.device = null;
  }

  protected setPhase(phase: Phase): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.opts.onPhase?.(phase);
  }

  protected log(line: string): void {
    this.opts.log?.(line);
  }
}
