// A pool of mediasoup workers (one per core), each with a WebRtcServer so a
// hall needs a single UDP port (and TCP on the same port as fallback).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';

export type WorkerPoolOptions = {
  /** How many workers; default one per core. */
  count?: number;
  /** WebRtcServer ports: one per worker, or the first port (next workers +1), 0 = free ports. */
  rtcPort: number | number[];
  listenIp: string;
  announcedIp: string;
  logLevel: ms.WorkerLogLevel;
  log: Logger;
  /** Called if a worker dies: the node cannot serve reliably anymore. */
  onDied: (err: Error) => void;
};

export type PooledWorker = { worker: ms.Worker; webRtcServer: ms.WebRtcServer; port: number; routers: number };

/** Finds a port free for both UDP and TCP on `ip` (WebRtcServer binds both). */
export async function freeUdpTcpPort(ip: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, ip, () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpOk = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, ip, () => s.close(() => resolve(true)));
    });
    if (udpOk) return port;
  }
  throw new Error('no free UDP+TCP port');
}

export class WorkerPool {
  private constructor(readonly workers: PooledWorker[]) {}

  static async create(o: WorkerPoolOptions): Promise<WorkerPool> {
    const count = o.count ?? availableParallelism();
    const ports = Array.isArray(o.rtcPort) ? o.rtcPort : [];
    const workers: PooledWorker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const worker = await mediasoup.createWorker({ logLevel: o.logLevel, appData: { index: i } });
        worker.on('died', (err) => {
          o.log.error({ pid: worker.pid, err: String(err) }, 'mediasoup worker died');
          o.onDied(err);
        });
        let port = ports[i] ?? (typeof o.rtcPort === 'number' && o.rtcPort > 0 ? o.rtcPort + i : 0);
        if (port === 0) port = await freeUdpTcpPort(o.listenIp);
        const listen = (protocol: 'udp' | 'tcp'): ms.TransportListenInfo => ({
          protocol,
          ip: o.listenIp,
          announcedAddress: o.announcedIp,
          port,
        });
        const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
        workers.push({ worker, webRtcServer, port, routers: 0 });
      }
    } catch (err) {
      for (const w of workers) w.worker.close();
      throw err;
    }
    return new WorkerPool(workers);
  }

  /** The worker hosting the fewest routers. */
  pick(): PooledWorker {
    let best = this.workers[0]!;
    for (const w of this.workers) if (w.routers < best.routers) best = w;
    return best;
  }

  /** A router on `on` (default: the least loaded worker). */
  async createRouter(mediaCodecs: ms.RouterRtpCodecCapability[], appData: ms.AppData, on?: PooledWorker): Promise<{ router: ms.Router; pooled: PooledWorker }> {
    const pooled = on ?? this.pick();
    pooled.routers++;
    const router = await pooled.worker.createRouter({ mediaCodecs, appData });
    router.observer.once('close', () => pooled.routers--);
    return { router, pooled };
  }

  close(): void {
    for (const w of this.workers) w.worker.close();
  }
}

export const mediaCodecs: ms.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    preferredPayloadType: 101,
    parameters: { 'x-google-start-bitrate': 1000 },
  },
  // Hardware encoders and the national feed send H.264: forwarded as it comes, never transcoded.
  // Constrained baseline, packetization-mode 1: what every browser decodes. After VP8, so the
  // studio page (which takes the router's first codec it can send) keeps publishing VP8 simulcast.
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];
