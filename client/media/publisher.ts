// The publisher: sends a camera + microphone to a media node, as the central
// studio (the programme source at the root) or as a contributor (a site that
// takes the floor). Video is VP8 simulcast in three layers (¼, ½, full) so
// every hop can forward the layer its halls can take. Recovers like the hall:
// socket reconnect → rejoin → new transport → produce again, same tracks.
import type { types, Device } from 'mediasoup-client';
import { MediaSession, type JoinResult, type MediaSessionOptions } from './session.js';
import { Programme } from '../../signaling/media.js';

export interface PublisherOptions extends MediaSessionOptions {
  role: 'studio' | 'contributor';
  /** Camera + microphone, owned by the caller (the publisher never stops its tracks). */
  stream: MediaStream;
  /** The conference programme as the node reports it (who is on air, who holds the floor). */
  onProgramme?: (programme: Programme) => void;
}

/**
 * The three simulcast layers, low to high. Each at the full frame rate: a hall on a weak link
 * drops to a smaller picture, never to a jerky one (media/layer-policy.ts).
 */
export const SIMULCAST: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 200_000, maxFramerate: 30 },
  { scaleResolutionDownBy: 2, maxBitrate: 600_000, maxFramerate: 30 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_800_000, maxFramerate: 30 },
];

/** One simulcast encoding as the browser sends it: its frame rate, height, and what limits it. */
export interface EncodingStats { rid: string; framesEncoded: number; frameHeight: number; qualityLimitationReason: string }

export interface PublisherStats {
  video: { bytesSent: number; framesEncoded: number; layers: number; encodings: EncodingStats[] };
  audio: { bytesSent: number; packetsSent: number };
}

/** close() stops publishing and disconnects; the caller's tracks stay open. */
export class Publisher extends MediaSession<PublisherOptions> {
  /** How many times the media was (re)published. */
  publishCount = 0;
  private producers: types.Producer[] = [];

  constructor(opts: PublisherOptions) {
    super(opts, opts.role);
  }

  async stats(): Promise<PublisherStats> {
    const out: PublisherStats = { video: { bytesSent: 0, framesEncoded: 0, layers: 0, encodings: [] }, audio: { bytesSent: 0, packetsSent: 0 } };
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
          out.video.encodings.push({ rid: String(s.rid ?? ''), framesEncoded: n('framesEncoded'), frameHeight: n('frameHeight'), qualityLimitationReason: String(s.qualityLimitationReason ?? 'none') });
        } else if (s.kind === 'audio') {
          out.audio.bytesSent += n('bytesSent');
          out.audio.packetsSent += n('packetsSent');
        }
      });
    }
    return out;
  }

  protected async joined(gen: number, joined: JoinResult, device: Device): Promise<void> {
    this.opts.onProgramme?.(joined.programme);
    if (gen !== this.generation) return;
    this.device = device;
    await this.publish(gen);
  }

  protected onProgramme(payload: unknown): void {
    const p = Programme.safeParse(payload);
    if (p.success) this.opts.onProgramme?.(p.data);
  }

  private async publish(gen: number): Promise<void> {
    const device = this.device;
    const transport = await this.openTransport(gen, 'send');
    if (!transport || !device) return;
    transport.on('connectionstatechange', (state) => {
      if (transport !== this.transport || state !== 'failed') return;
      // A fresh socket session makes the node drop the dead transport and its producers.
      this.resession(gen, 'send transport failed');
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

  protected override closeTransport(): void {
    for (const p of this.producers) p.close();
    this.producers = [];
    super.closeTransport();
  }
}
