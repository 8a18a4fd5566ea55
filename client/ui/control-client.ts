// The socket to the control service (`/control`): subscribes after every
// (re)connect, feeds the store from the snapshot and the pushes, and sends
// validated requests whose acks are validated too. An organizer's page also
// notices a roll-up or presence push it never got (seq-coverage.ts) and then
// re-reads the snapshot, keeping any newer push that arrives meanwhile.
import { io, type Socket } from 'socket.io-client';
import { signal } from '@preact/signals';
import type { z } from 'zod';
import {
  CONTROL_NAMESPACE, ControlEvents, ControlEventSchemas, ControlPushes, ControlPushSchemas,
  type PresencePush, type RollupPush, type SeqPush,
} from '../../signaling/control.js';
import { request, RpcError } from '../media/rpc.js';
import { UiError } from './errors.js';
import { ConferenceStore } from './store.js';
import { SeqCoverage } from './seq-coverage.js';

/** How long a known sequence number may stay unseen before the snapshot is read again (pushes of other instances travel over Redis). */
const GAP_GRACE_MS = 3000;
/** Back-to-back re-reads wait longer each time, up to this: a burst must not turn into a snapshot storm. */
const GAP_GRACE_MAX_MS = 30_000;

export type ClientKind = 'organizer' | 'console' | 'hall' | 'checkin' | 'viewer';
export type Connection = 'connecting' | 'online' | 'reconnecting' | 'unauthorized' | 'revoked';
type EventName = keyof typeof ControlEventSchemas;
type Req<E extends EventName> = z.input<(typeof ControlEventSchemas)[E]['req']>;
type Res<E extends EventName> = z.infer<(typeof ControlEventSchemas)[E]['res']>;

export interface ControlClientOptions {
  /** Control service origin; '' = this page's origin. */
  base?: string;
  token: string;
  /** What is connecting: 'hall' and 'console' count as the site being online. */
  client: ClientKind;
  /** Conference id (from the token). */
  conf: string;
  /** Called after each snapshot (first connect and every reconnect). */
  onSnapshot?: () => void;
  /** Called for pushes the store does not keep (e.g. a material to download). */
  onPush?: (event: string, payload: unknown) => void;
  /** A missed push is assumed once a known sequence number stays unseen this long (ms; default 3000). */
  gapGraceMs?: number;
}

export class ControlClient {
  readonly store = new ConferenceStore();
  readonly connection = signal<Connection>('connecting');
  /** How many times the snapshot was read again because a push was missed (not counting reconnects). */
  readonly resyncs = signal(0);
  readonly coverage = new SeqCoverage();
  private socket: Socket | null = null;
  private closed = false;
  private subscribing = false;
  private subscribed = false;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  /** Re-reads in a row that found the gap still there afterwards. */
  private backToBack = 0;

  constructor(readonly opts: ControlClientOptions) {}

  start(): this {
    if (this.socket || this.closed) return this;
    const base = (this.opts.base ?? '').replace(/\/+$/, '');
    const socket = io(`${base}${CONTROL_NAMESPACE}`, {
      auth: { token: this.opts.token, client: this.opts.client },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
    });
    this.socket = socket;
    socket.on('connect', () => void this.subscribe());
    socket.on('disconnect', () => {
      // the reconnect subscribes again, which re-reads everything
      this.subscribed = false;
      this.clearGapTimer();
      if (this.connection.value !== 'revoked') this.connection.value = 'reconnecting';
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') {
        this.connection.value = 'unauthorized';
        // The server refused the handshake; retry slowly in case the link is restored.
        setTimeout(() => { if (!this.closed && !socket.connected) socket.connect(); }, 15_000);
      } else if (this.connection.value !== 'connecting') {
        this.connection.value = 'reconnecting';
      }
    });
    for (const [event, schema] of Object.entries(ControlPushSchemas)) {
      socket.on(event, (payload: unknown) => {
        const p = (schema as z.ZodType).safeParse(payload);
        if (!p.success) { console.warn('[diemcau] ignored malformed push', event); return; }
        this.applyPush(event, p.data);
      });
    }
    return this;
  }

  get connected(): boolean {
    return !!this.socket?.connected;
  }

  /** Sends a client→server event; resolves with the validated ack data. */
  async emit<E extends EventName>(event: E, payload: Req<E>, timeoutMs = 10_000): Promise<Res<E>> {
    const schemas = ControlEventSchemas[event];
    const socket = this.socket;
    if (!socket) throw new UiError('DISCONNECTED', event);
    try {
      return (await request(socket, event, schemas.req, payload, schemas.res, { timeoutMs })) as Res<E>;
    } catch (err) {
      // Same codes, re-raised as the error type the UI knows how to explain.
      throw err instanceof RpcError ? new UiError(err.code, err.message) : err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearGapTimer();
    this.socket?.removeAllListeners();
    this.socket?.close();
    this.socket = null;
  }

  private async subscribe(): Promise<void> {
    if (this.subscribing) return;
    this.subscribing = true;
    try {
      // every number known now was read from Redis before this request: a snapshot below it means the
      // sequence went back (writes lost in a failover), so numbers seen before mean nothing any more
      const known = this.coverage.top;
      const snap = await this.emit(ControlEvents.subscribe, { conf: this.opts.conf });
      const back = snap.seq < known;
      this.store.loadSnapshot(snap, back);
      if (back) this.coverage.reset(snap.seq);
      else this.coverage.snapshot(snap.seq);
      this.subscribed = true;
      if (!this.coverage.missing) this.backToBack = 0;
      this.connection.value = 'online';
      this.opts.onSnapshot?.();
      this.watchGap();
    } catch (err) {
      const code = (err as UiError).code;
      if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') { this.connection.value = 'unauthorized'; return; }
      console.warn('[diemcau] subscribe failed', err);
      setTimeout(() => { if (!this.closed && this.socket?.connected) void this.subscribe(); }, 2000);
    } finally {
      this.subscribing = false;
    }
  }

  /**
   * Once a sequence number is known but unseen, waits a grace period for the push that carries it
   * (another instance's comes over Redis); still unseen then, it was lost: read the snapshot again.
   */
  private watchGap(): void {
    if (this.gapTimer || !this.subscribed || !this.coverage.missing) return;
    const target = this.coverage.top;
    const grace = Math.min(GAP_GRACE_MAX_MS, (this.opts.gapGraceMs ?? GAP_GRACE_MS) * 2 ** this.backToBack);
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.closed || !this.subscribed) return;
      if (this.coverage.upTo >= target) { this.backToBack = 0; this.watchGap(); return; }
      this.backToBack = Math.min(this.backToBack + 1, 4);
      this.resync();
    }, grace);
  }

  private resync(): void {
    if (this.subscribing || !this.subscribed) return;
    this.clearGapTimer();
    this.resyncs.value++;
    void this.subscribe();
  }

  private clearGapTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  private applyPush(event: string, data: unknown): void {
    const s = this.store;
    switch (event) {
      case ControlPushes.rollup: {
        const p = data as RollupPush;
        s.applyRollups(p.seq, p.rollups, p.sites);
        if (p.covers) { this.coverage.cover(p.covers); this.coverage.known(p.seq); }
        break;
      }
      case ControlPushes.presence: {
        const p = data as PresencePush;
        s.applyPresence(p.changes);
        if (p.covers) this.coverage.cover(p.covers);
        break;
      }
      // only a service that sends covers sends this
      case ControlPushes.seq: {
        const { seq } = data as SeqPush;
        this.coverage.tracking = true;
        // below what this page has seen: the sequence went back, or (rarely) this arrived late; re-read either way
        if (seq < this.coverage.upTo) this.resync();
        else this.coverage.known(seq);
        break;
      }
      case ControlPushes.watch: s.applyWatch((data as { changes: never[] }).changes); break;
      case ControlPushes.agenda: s.applyAgenda(data as never); break;
      case ControlPushes.conference: s.conference.value = data as never; break;
      case ControlPushes.floor: s.applyFloor(data as never); break;
      case ControlPushes.delivery: s.applyDeliveries((data as { changes: never[] }).changes); break;
      case ControlPushes.materials: for (const m of data as never[]) s.upsertMaterial(m); break;
      case ControlPushes.materialNotify: s.upsertMaterial((data as { material: never }).material); break;
      case ControlPushes.incident: s.upsertIncident(data as never); break;
      case ControlPushes.rehearsal: s.setRehearsals([data as never]); break;
      case ControlPushes.replay: s.upsertReplays([data as never]); break;
      case ControlPushes.reportReminder: s.reminder.value = data as never; break;
      case ControlPushes.revoked: this.connection.value = 'revoked'; break;
    }
    this.watchGap();
    this.opts.onPush?.(event, data);
  }
}

/** Reads the (unverified) claims of a token: which conference, role and site it is for. */
export function tokenClaims(token: string): { role: string; conf: string; site?: string; exp: number } | null {
  try {
    // HMAC tokens are body.mac; Ed25519 tokens (deployments, the demo) are header.body.signature
    const parts = token.split('.');
    const body = (parts.length === 3 ? parts[1] : parts[0]) ?? '';
    const json = atob(body.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const c = JSON.parse(new TextDecoder().decode(bytes)) as { role?: unknown; conf?: unknown; site?: unknown; exp?: unknown };
    if (typeof c.role !== 'string' || typeof c.conf !== 'string') return null;
    return { role: c.role, conf: c.conf, site: typeof c.site === 'string' ? c.site : undefined, exp: Number(c.exp) };
  } catch {
    return null;
  }
}
