// The libwebrtc inbound-rtp stats of one stream a HallPeer receives (frames
// decoded, packets lost, picture width): mediasoup-client's per-consumer
// getStats is not implemented over node-webrtc, the transport's is.
import type { HallPeer } from './peer.js';

export async function videoStats(hall: HallPeer, ssrc: number | undefined): Promise<Record<string, any>[]> {
  if (ssrc === undefined) return [];
  return (await hall.stats('inbound-rtp')).filter((s) => s.ssrc === ssrc);
}
