// The libwebrtc inbound-rtp stats of one stream a HallPeer receives (frames
// decoded, packets lost, picture width): mediasoup-client's per-consumer
// getStats is not implemented over node-webrtc, the transport's is.
import type { HallPeer } from './peer.js';

export async function videoStats(hall: HallPeer, ssrc: number | undefined): Promise<Record<string, any>[]> {
  const t = (hall as unknown as { transport: { closed: boolean; getStats(): Promise<RTCStatsReport> } | null }).transport;
  if (!t || t.closed || ssrc === undefined) return [];
  const rows: Record<string, any>[] = [];
  (await t.getStats().catch(() => null))?.forEach((s: any) => {
    if (s.type === 'inbound-rtp' && s.ssrc === ssrc) rows.push(s);
  });
  return rows;
}
