// The libwebrtc side of a Node test peer, in a child process of its own.
// @roamhq/wrtc is known to crash (SIGSEGV) around peer connection close and
// at process teardown; here such a crash ends this process, not the test file
// that drives it. The parent (RtcRemote in rtc-remote.ts) keeps the socket.io
// signalling and asks this process for mediasoup-client's Device, transports,
// consumers, synthetic producers and stats over the IPC channel.
import wrtc from '@roamhq/wrtc';
import type { HostEvent, HostReply, HostRequest } from './rtc-remote.js';

Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
});
// the addon crashes in Node's environment teardown once a peer has decoded video: leave from 'exit'
process.once('exit', (code) => (process as unknown as { reallyExit(c: number): never }).reallyExit(code));
// the parent is gone (its test ended or it crashed): nothing here is of use any more
process.on('disconnect', () => process.exit(0));

const { Device } = await import('mediasoup-client');
const { Chrome111 } = await import('mediasoup-client/handlers/Chrome111');
type MsDevice = InstanceType<typeof Device>;
type Transport = ReturnType<MsDevice['createRecvTransport']> | ReturnType<MsDevice['createSendTransport']>;
type Consumer = Awaited<ReturnType<ReturnType<MsDevice['createRecvTransport']>['consume']>>;

const device: MsDevice = new Device({ handlerFactory: Chrome111.createFactory({}) });
const transports = new Map<string, Transport>();
/** Each consumer with the transport it came on (closing a transport closes its consumers). */
const consumers = new Map<string, { c: Consumer; transportId: string }>();
const timers: NodeJS.Timeout[] = [];

const send = (m: HostReply | HostEvent) => process.send?.(m);

/** Parent answers to this process's own questions (the transport's connect and produce events). */
let nextAsk = 1;
const asks = new Map<number, { ok: (data: any) => void; fail: (e: Error) => void }>();
function ask(event: HostEvent['event'], transportId: string, data: unknown): Promise<any> {
  const cb = nextAsk++;
  return new Promise((ok, fail) => {
    asks.set(cb, { ok, fail });
    send({ event, transportId, cb, data });
  });
}

function transportOf(id: string): Transport {
  const t = transports.get(id);
  if (!t) throw new Error(`no transport ${id} in the rtc host`);
  return t;
}

/** Synthetic camera (a moving luma ramp) and a 440 Hz tone, as a studio or contributor sends. */
async function produceSynthetic(t: Transport, o: { width: number; height: number; fps: number; simulcast: boolean }): Promise<string[]> {
  const { width: w, height: h } = o;
  const video = new wrtc.nonstandard.RTCVideoSource();
  const frame = { width: w, height: h, data: new Uint8ClampedArray((w * h * 3) / 2) as unknown as Uint8Array };
  let n = 0;
  timers.push(setInterval(() => {
    n++;
    for (let y = 0; y < h; y += 2) frame.data.fill((y + n * 4) & 0xff, y * w, y * w + w);
    video.onFrame(frame);
  }, 1000 / o.fps));
  const audio = new wrtc.nonstandard.RTCAudioSource();
  const samples = new Int16Array(480);
  let phase = 0;
  timers.push(setInterval(() => {
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((phase++ * 2 * Math.PI * 440) / 48000));
    audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  }, 10));
  const sender = t as ReturnType<MsDevice['createSendTransport']>;
  const vp = await sender.produce({
    track: video.createTrack() as never,
    ...(o.simulcast
      ? { encodings: [
          { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
          { scaleResolutionDownBy: 2, maxBitrate: 400_000 },
          { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
        ] }
      : {}),
  });
  const ap = await sender.produce({ track: audio.createTrack() as never });
  return [vp.id, ap.id];
}

async function handle(r: HostRequest): Promise<unknown> {
  switch (r.op) {
    case 'load':
      if (!device.loaded) await device.load({ routerRtpCapabilities: r.routerRtpCapabilities as never });
      return { recvRtpCapabilities: device.recvRtpCapabilities };
    case 'createTransport': {
      const opts = { id: r.info.id, iceParameters: r.info.iceParameters as never, iceCandidates: r.info.iceCandidates as never, dtlsParameters: r.info.dtlsParameters as never };
      const t: Transport = r.direction === 'recv' ? device.createRecvTransport(opts) : device.createSendTransport(opts);
      t.on('connect', ({ dtlsParameters }, ok, fail) => void ask('connect', t.id, { dtlsParameters }).then(() => ok(), fail));
      if (r.direction === 'send') {
        (t as ReturnType<MsDevice['createSendTransport']>).on('produce', ({ kind, rtpParameters, appData }, ok, fail) =>
          void ask('produce', t.id, { kind, rtpParameters, appData }).then(ok, fail));
      }
      transports.set(t.id, t);
      return { id: t.id };
    }
    case 'consume': {
      const t = transportOf(r.transportId) as ReturnType<MsDevice['createRecvTransport']>;
      const c = await t.consume({ id: r.info.id, producerId: r.info.producerId, kind: r.info.kind, rtpParameters: r.info.rtpParameters as never });
      consumers.set(c.id, { c, transportId: t.id });
      return { id: c.id, kind: c.kind, producerId: c.producerId, rtpParameters: c.rtpParameters };
    }
    case 'closeConsumer':
      consumers.get(r.id)?.c.close();
      consumers.delete(r.id);
      return null;
    case 'closeTransport': {
      const t = transports.get(r.id);
      transports.delete(r.id);
      for (const [id, x] of consumers) if (x.transportId === r.id) consumers.delete(id);
      t?.close();
      return null;
    }
    case 'stats': {
      const t = transports.get(r.transportId);
      if (!t || t.closed) return [];
      const rows: Record<string, unknown>[] = [];
      (await t.getStats()).forEach((s: any) => { if (s.type === r.type) rows.push({ ...s }); });
      return rows;
    }
    case 'produceSynthetic':
      return produceSynthetic(transportOf(r.transportId), r);
  }
}

process.on('message', (m: HostRequest | { reply: number; ok: boolean; data?: unknown; error?: string }) => {
  if ('reply' in m) {
    const a = asks.get(m.reply);
    asks.delete(m.reply);
    if (m.ok) a?.ok(m.data);
    else a?.fail(new Error(m.error));
    return;
  }
  handle(m).then(
    (data) => send({ reply: m.id, ok: true, data }),
    (err) => send({ reply: m.id, ok: false, error: String((err as Error)?.message ?? err) }),
  );
});
send({ event: 'ready', transportId: '', cb: 0, data: null });
