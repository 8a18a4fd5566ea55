// The publisher: sends a camera + microphone to a media node, as the central
// studio (the programme source at the root) or as a contributor (a site that
// takes the floor). Video is VP8 simulcast in three layers (¼, ½, full) so
// every hop can forward the layer its halls can take. Recovers like the hall:
// socket reconnect → rejoin → new transport → produce again, same tracks.
import type { Socket } from 'socket.io-client';
import type { types, Device } from 'mediasoup-client';
import { RpcError } from './rpc.js';
import { openSocket, joinSite, createTransport, handshakeRefusal, REFUSALS, type SessionOptions } from './session.js';
import type { Phase } from './status.js';
import { HallEvents, Programme } from '../../signaling/media.js';

export interface PublisherOptions extends Omit<SessionOptions, 'role'> {
  role: 'studio' | 'contributor';
  /** Camera + microphone, owned by the caller (the publisher never stops its tracks). */
  stream: MediaStream;
  onPhase?: (phase: Phase) => void;
  /** The conference programme as the node reports it (who is on air, who holds the floor). */
  onProgramme?: (programme: Programme) => void;
  log?: (line: string) => void;
  /** Ask the node for TCP-only transports (UDP blocked). */
  forceTcp?: boolean;
}

/** The three simulcast layers, low to high. */
export const SIMULCAST: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 200_000, maxFramerate: 15 },
  { scaleResolutionDownBy: 2, maxBitrate: 600_000, maxFramerate: 30 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_800_000, maxFramerate: 30 },
];

export interface PublisherStats {
  video: { bytesSent: number; framesEncoded: number; layers: number };
  audio: { bytesSent: number; packetsSent: number };
}

export class Publisher {
  phase: Phase = 'connecting';
  /** How many times the media was (re)published. */
  publishCount = 0;
  private socket: Socket | null = null;
  private device: Device | null = null;
  private transport: types.Transport | null = null;
  private producers: types.Producer[] = [];
  private generation = 0;
  private chain: Promise<void> = Promise.resolve();
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(private readonly opts: PublisherOptions) {}

  start(): void {
    if (this.socket || this.closed) return;
    const socket = openSocket(this.opts);
    this.socket = socket;
    socket.on('connect', () => {
      const gen = ++this.generation;
      this.enqueue(() => this.setup(gen));
    });
    socket.on('disconnect', () => {
      this.generation++;
      this.dropMedia();
      this.setPhase('reconnecting');
    });
    socket.on(HallEvents.programme, (payload: unknown) => {
      const p = Programme.safeParse(payload);
      if (p.success) this.opts.onProgramme?.(p.data);
    });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (handshakeRefusal(err)) this.setPhase('unauthorized');
      else if (this.phase !== 'connecting') this.setPhase('reconnecting');
      if (!socket.active) this.later(() => socket.connect(), handshakeRefusal(err) ? 10_000 : 2_000);
    });
  }

  /** Stops publishing and disconnects; the caller's tracks stay open. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dropMedia();
    this.socket?.removeAllListeners();
    this.socket?.close();
    this.socket = null;
  }

  async stats(): Promise<PublisherStats> {
    const out: PublisherStats = { video: { bytesSent: 0, framesEncoded: 0, layers: 0 }, audio: { bytesSent: 0, packetsSent: 0 } };
    for (const p of this.producers) {
      if (p.closed) continue;
      const report = await p.getStats().catch(() => null);
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'outbound-rtp') return;
        const n = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : 0);
        if (s.kind === 'video') {
          out.video.bytesSent += n('bytesSent');
          out.video.framesEncoded += n('framesEncoded');
          if (n('bytesSent') > 0) out.video.layers++;
        } else if (s.kind === 'audio') {
          out.audio.bytesSent += n('bytesSent');
          out.audio.packetsSent += n('packetsSent');
        }
      });
    }
    return out;
  }

  private async setup(gen: number): Promise<void> {
    const socket = this.socket;
    if (!socket || gen !== this.generation) return;
    this.dropMedia();
    try {
      const { device, joined } = await joinSite(socket, this.opts);
      this.opts.onProgramme?.(joined.programme);
      if (gen !== this.generation) return;
      this.device = device;
      await this.publish(gen);
    } catch (err) {
      if (gen !== this.generation) return;
      this.log(`setup failed: ${(err as Error).message}`);
      // Refused (wrong site or role for this link): say so, and only retry slowly.
      const refused = err instanceof RpcError && REFUSALS.has(err.code);
      this.setPhase(refused || this.phase === 'unauthorized' ? 'unauthorized' : 'reconnecting');
      this.later(() => { if (gen === this.generation) this.enqueue(() => this.setup(gen)); }, refused ? 10_000 : 2000);
    }
  }

  private async publish(gen: number): Promise<void> {
    const socket = this.socket, device = this.device;
    if (!socket || !device) return;
    this.closeTransport();
    const transport = await createTransport(socket, device, 'send', this.opts.forceTcp);
    if (gen !== this.generation) { transport.close(); return; }
    this.transport = transport;
    transport.on('connectionstatechange', (state) => {
      if (transport !== this.transport || state !== 'failed' || gen !== this.generation) return;
      // A fresh socket session makes the node drop the dead transport and its producers.
      this.log('send transport failed: new session');
      this.setPhase('reconnecting');
      socket.disconnect().connect();
    });
    const video = this.opts.stream.getVideoTracks()[0];
    const audio = this.opts.stream.getAudioTracks()[0];
    if (video && device.canProduce('video')) {
      const vp8 = device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
      this.producers.push(await transport.produce({
        track: video,
        encodings: SIMULCAST.map((e) => ({ ...e })),
        codecOptions: { videoGoogleStartBitrate: 1000 },
        ...(vp8 ? { codec: vp8 } : {}),
        stopTracks: false,
        appData: { source: 'camera' },
      }));
    }
    if (audio && device.canProduce('audio')) {
      this.producers.push(await transport.produce({
        track: audio,
        codecOptions: { opusStereo: false, opusDtx: false, opusFec: true },
        stopTracks: false,
        appData: { source: 'microphone' },
      }));
    }
    if (gen !== this.generation) return;
    this.publishCount++;
    this.setPhase('publishing');
  }

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((err: unknown) => this.log(`step failed: ${(err as Error).message}`));
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); if (!this.closed) fn(); }, ms);
    this.timers.add(t);
  }

  private closeTransport(): void {
    for (const p of this.producers) p.close();
    this.producers = [];
    this.transport?.close();
    this.transport = null;
  }

  private dropMedia(): void {
    this.closeTransport();
    this.device = null;
  }

  private setPhase(phase: Phase): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.opts.onPhase?.(phase);
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}
