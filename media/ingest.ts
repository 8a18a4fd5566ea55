// External RTP ingest: a PlainTransport per stream (comedia, or an explicit
// sender address) so a VP8/Opus feed, e.g. from ffmpeg, becomes a producer.
import { randomBytes, randomInt } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import { AppError } from '../signaling/common.js';
import type { IngestRes, IngestStreamReq } from '../signaling/media.js';
import type { z } from 'zod';
import { keyframeCoalesceMs, type Session, type Tag } from './session.js';
import type { StatsRegistry } from './stats.js';

export type IngestOptions = {
  session: Session;
  site: string;
  tag: Tag;
  /** contributor only: the contribution id a floor grant names to put this feed on air. */
  contribution?: string;
  streams: z.infer<typeof IngestStreamReq>[];
  listenIp: string;
  announcedIp: string;
  portRange?: { min: number; max: number };
  stats: StatsRegistry;
};

export type Ingest = { id: string; res: IngestRes; close(): void };

type IngestCodec = { mimeType: string; clockRate: number; payloadType: number; channels?: number; parameters?: Record<string, string | number> };
const CODECS: Record<'VP8' | 'H264' | 'opus', IngestCodec> = {
  VP8: { mimeType: 'video/VP8', clockRate: 90000, payloadType: 101 },
  // as the router lists it (media/workers.ts), so halls and relays take it unchanged
  H264: { mimeType: 'video/H264', clockRate: 90000, payloadType: 102, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } },
  // in-band FEC announced to every hall below, so a lost packet is rebuilt from the next one's
  // redundancy on a lossy link; the encoder must produce it (ffmpeg libopus `-fec 1 -packet_loss 10`)
  opus: { mimeType: 'audio/opus', clockRate: 48000, payloadType: 100, channels: 2, parameters: { useinbandfec: 1 } },
};

export async function createIngest(o: IngestOptions): Promise<Ingest> {
  const kinds = o.streams.map((s) => s.kind);
  if (new Set(kinds).size !== kinds.length) throw new AppError('BAD_REQUEST', 'one stream per kind');
  const { router } = await o.session.router(o.site);
  const transports: ms.PlainTransport[] = [];
  const id = randomBytes(8).toString('hex');
  const contribution = o.contribution ?? `ingest-${id}`;
  const cname = `ingest-${id}`;
  const close = () => {
    for (const t of transports) t.close();
  };
  try {
    const streams: IngestRes['streams'] = [];
    for (const s of o.streams) {
      const codec = CODECS[s.kind === 'audio' ? 'opus' : (s.codec ?? 'VP8')];
      const t = await router.createPlainTransport({
        listenInfo: {
          protocol: 'udp',
          ip: o.listenIp,
          announcedAddress: o.announcedIp,
          ...(o.portRange ? { portRange: o.portRange } : {}),
        },
        rtcpMux: false,
        comedia: !s.remote,
        appData: { ingest: id },
      });
      transports.push(t);
      if (s.remote) await t.connect({ ip: s.remote.ip, port: s.remote.port, ...(s.remote.rtcpPort ? { rtcpPort: s.remote.rtcpPort } : {}) });
      const payloadType = s.payloadType ?? codec.payloadType;
      // below 2^31: ffmpeg takes the ssrc as a signed 32-bit option
      const ssrc = s.ssrc ?? randomInt(1, 0x7fffffff);
      const producer = await t.produce({
        kind: s.kind,
        rtpParameters: {
          codecs: [
            {
              mimeType: codec.mimeType,
              clockRate: codec.clockRate,
              payloadType,
              ...(codec.channels ? { channels: codec.channels } : {}),
              ...(codec.parameters ? { parameters: codec.parameters } : {}),
              rtcpFeedback: s.kind === 'video' ? [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] : [],
            },
          ],
          encodings: [{ ssrc }],
          rtcp: { cname, reducedSize: false },
        },
        // an encoder is a camera like the studio's: its keyframe requests are coalesced the same way
        ...(s.kind === 'video' ? { keyFrameRequestDelay: keyframeCoalesceMs() } : {}),
        appData: { ingest: id, site: o.site },
      });
      const hub = await o.session.addLocal(o.site, producer, o.tag, contribution);
      o.stats.track({ conf: o.session.conf, site: o.site, hop: 'source', direction: 'in', peer: cname, producerId: hub.producer.id, target: { kind: 'producer', producer } });
      streams.push({
        kind: s.kind,
        producerId: hub.producer.id,
        ip: o.announcedIp,
        port: t.tuple.localPort,
        rtcpPort: t.rtcpTuple?.localPort ?? t.tuple.localPort,
        payloadType,
        ssrc,
        mimeType: codec.mimeType,
        clockRate: codec.clockRate,
        ...(codec.channels ? { channels: codec.channels } : {}),
        ...(codec.parameters ? { parameters: codec.parameters } : {}),
      });
    }
    return { id, res: { id, site: o.site, conf: o.session.conf, streams, ...(o.tag === 'contributor' ? { contribution } : {}) }, close };
  } catch (err) {
    close();
    throw err;
  }
}
