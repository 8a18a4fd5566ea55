// What the hall receiver and the publisher share: opening the socket to a
// media node, joining a site's router, loading a Device, and creating
// transports whose DTLS/produce callbacks go through validated requests.
import { io, type Socket } from 'socket.io-client';
import { Device, type types } from 'mediasoup-client';
import { z } from 'zod';
import {
  HALL_NAMESPACE, HallEvents, HallRole, JoinReq, JoinRes, CreateTransportReq, TransportInfo,
  ConnectTransportReq, ProduceReq, ProduceRes,
} from '../../signaling/media.js';
import { request } from './rpc.js';

export type JoinResult = z.infer<typeof JoinRes>;

export interface SessionOptions {
  /** Media node base URL (http://host:port); '' or undefined means this page's origin. */
  nodeUrl?: string;
  /** Access token, sent in the socket.io handshake. */
  token: string;
  /** Site whose router to join. */
  site: string;
  role: z.infer<typeof HallRole>;
}

const Ok = z.unknown();

/** Opens (but does not wait for) a socket to the node's `/hall` namespace; it reconnects by itself. */
export function openSocket(opts: SessionOptions): Socket {
  const base = (opts.nodeUrl ?? '').replace(/\/+$/, '');
  return io(`${base}${HALL_NAMESPACE}`, {
    auth: { token: opts.token },
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
  const joined = await request(socket, HallEvents.join, JoinReq, { site: opts.site, role: opts.role }, JoinRes);
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
