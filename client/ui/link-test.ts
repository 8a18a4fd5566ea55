// The link test a technician runs before the day: send the camera to the
// site's media node for a few seconds and measure what arrives — bitrate,
// loss, round-trip time, jitter — from the browser's RTCP reports and the
// node's own figures. The result becomes the site's rehearsal record.
import type { types } from 'mediasoup-client';
import { HallEvents, StatsReq, StatsRes } from '../../signaling/media.js';
import { request } from '../media/rpc.js';
import { openSocket, joinSite, createTransport } from '../media/session.js';
import { UiError } from './errors.js';

export interface LinkTestOptions {
  nodeUrl: string;
  token: string;
  site: string;
  /** A video track to send (camera, or a synthetic one when there is none). */
  track: MediaStreamTrack;
  /** Seconds of sending. Default 10. */
  seconds?: number;
  onProgress?: (fraction: number, live: LinkFigures) => void;
}

export interface LinkFigures {
  bitrateKbps: number;
  rttMs?: number;
  lossPct?: number;
  jitterMs?: number;
}

export interface LinkTestResult extends LinkFigures {
  passed: boolean;
  /** Why it failed, when it did (short, for the note). */
  reasons: string[];
}

/** Thresholds for a hall to join live. */
export const PASS = { minKbps: 300, maxLossPct: 5, maxRttMs: 400 };

export async function runLinkTest(o: LinkTestOptions): Promise<LinkTestResult> {
  const seconds = o.seconds ?? 10;
  const socket = openSocket({ nodeUrl: o.nodeUrl, token: o.token, site: o.site, role: 'contributor' });
  let transport: types.Transport | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new UiError('UNAVAILABLE', 'media node did not answer')), 8000);
      socket.once('connect', () => { clearTimeout(t); resolve(); });
      socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
        if (err.data?.code === 'UNAUTHORIZED' || err.data?.code === 'FORBIDDEN') { clearTimeout(t); reject(new UiError(err.data.code, err.message)); }
      });
    });
    const { device } = await joinSite(socket, { nodeUrl: o.nodeUrl, token: o.token, site: o.site, role: 'contributor' });
    transport = await createTransport(socket, device, 'send');
    const producer = await transport.produce({ track: o.track, encodings: [{ maxBitrate: 1_500_000 }], appData: { linkTest: true } });
    const samples: LinkFigures[] = [];
    let prev: { bytes: number; at: number } | null = null;
    let firstLost: number | null = null, firstPackets = 0;
    for (let i = 1; i <= seconds; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const fig: LinkFigures = { bitrateKbps: 0 };
      let bytes = 0, packets = 0, lost: number | null = null;
      const report = await producer.getStats();
      report.forEach((s: Record<string, unknown>) => {
        const n = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
        if (s.type === 'outbound-rtp') { bytes += n('bytesSent') ?? 0; packets += n('packetsSent') ?? 0; }
        if (s.type === 'remote-inbound-rtp') {
          const rtt = n('roundTripTime'); if (rtt !== undefined) fig.rttMs = rtt * 1000;
          const j = n('jitter'); if (j !== undefined) fig.jitterMs = j * 1000;
          const l = n('packetsLost'); if (l !== undefined) lost = (lost ?? 0) + l;
        }
        if (s.type === 'candidate-pair' && s.nominated && fig.rttMs === undefined) {
          const rtt = n('currentRoundTripTime'); if (rtt !== undefined) fig.rttMs = rtt * 1000;
        }
      });
      const now = performance.now();
      if (prev) fig.bitrateKbps = Math.max(0, ((bytes - prev.bytes) * 8) / (now - prev.at));
      prev = { bytes, at: now };
      if (lost !== null) {
        if (firstLost === null) { firstLost = lost; firstPackets = packets; }
        const sent = packets - firstPackets;
        fig.lossPct = sent > 0 ? Math.max(0, Math.min(100, ((lost - firstLost) / sent) * 100)) : 0;
      }
      if (i > 1) samples.push(fig);
      o.onProgress?.(i / seconds, fig);
    }
    // The node's own view of what arrived (loss as it counts it).
    const nodeStats = await request(socket, HallEvents.stats, StatsReq, {}, StatsRes).catch(() => null);
    const mine = nodeStats?.streams.find((x) => x.producerId === producer.id);
    producer.close();
    const avg = (k: keyof LinkFigures) => {
      const v = samples.map((x) => x[k]).filter((x): x is number => typeof x === 'number');
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
    };
    const last = samples[samples.length - 1];
    const res: LinkTestResult = {
      bitrateKbps: Math.round(avg('bitrateKbps') ?? 0),
      rttMs: avg('rttMs') !== undefined ? Math.round(avg('rttMs')!) : undefined,
      lossPct: mine ? +(mine.lossRate * 100).toFixed(2) : last?.lossPct !== undefined ? +last.lossPct.toFixed(2) : undefined,
      jitterMs: avg('jitterMs') !== undefined ? +avg('jitterMs')!.toFixed(1) : undefined,
      passed: true,
      reasons: [],
    };
    if (res.bitrateKbps < PASS.minKbps) res.reasons.push(`bitrate ${res.bitrateKbps} < ${PASS.minKbps} kbit/s`);
    if ((res.lossPct ?? 0) > PASS.maxLossPct) res.reasons.push(`loss ${res.lossPct}% > ${PASS.maxLossPct}%`);
    if ((res.rttMs ?? 0) > PASS.maxRttMs) res.reasons.push(`RTT ${res.rttMs} ms > ${PASS.maxRttMs} ms`);
    res.passed = res.reasons.length === 0;
    return res;
  } finally {
    transport?.close();
    socket.close();
  }
}

/** A moving test pattern, for a laptop without a camera. */
export function syntheticVideo(): MediaStreamTrack {
  const c = document.createElement('canvas');
  c.width = 640; c.height = 360;
  const g = c.getContext('2d')!;
  let f = 0;
  const t = setInterval(() => {
    f++;
    g.fillStyle = `hsl(${(f * 3) % 360} 60% 35%)`; g.fillRect(0, 0, 640, 360);
    g.fillStyle = '#fff'; g.font = '40px sans-serif'; g.fillText(`Điểm Cầu ${f}`, 40 + (f % 200), 190);
  }, 1000 / 25);
  const track = c.captureStream(25).getVideoTracks()[0]!;
  track.addEventListener('ended', () => clearInterval(t));
  return track;
}
