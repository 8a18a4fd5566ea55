// A userspace link impairer (this kernel's tc has no netem): forwards UDP and
// TCP ports to a target, adding one-way delay with jitter to both directions and
// dropping UDP datagrams at random. Run inside a hall's network namespace by
// test/support/impair.ts, which explains the layout and caps the rate with tbf.
//
//   node --import tsx test/support/impair-relay.ts <config.json>
//
// The config is read again on SIGHUP (a link that gets worse or recovers). TCP
// is delayed but never loses bytes: a real TCP link turns loss into
// retransmission delay, which the added delay stands in for.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';

export interface RelayForward {
  proto: 'udp' | 'tcp';
  /** Where the relay listens (inside the namespace). */
  listen: { host: string; port: number };
  /** Where it forwards to (across the shaped link). */
  target: { host: string; port: number };
}

export interface RelayConfig {
  forwards: RelayForward[];
  /** One-way delay added in each direction (ms): half the profile's RTT. */
  delayMs: number;
  /** Uniform extra delay 0..jitterMs per packet, order kept (ms). */
  jitterMs: number;
  /** Probability (0..1) that a UDP datagram is dropped, per direction. */
  loss: number;
}

const file = process.argv[2];
if (!file) throw new Error('usage: impair-relay.ts <config.json>');
let cfg: RelayConfig = JSON.parse(readFileSync(file, 'utf8')) as RelayConfig;
process.on('SIGHUP', () => {
  const next = JSON.parse(readFileSync(file, 'utf8')) as RelayConfig;
  cfg = { ...cfg, delayMs: next.delayMs, jitterMs: next.jitterMs, loss: next.loss };
  console.log(`impair-relay profile delay ${cfg.delayMs} ms jitter ${cfg.jitterMs} ms loss ${cfg.loss}`);
});

/**
 * A FIFO that releases each item after the delay: jitter varies the delay without reordering
 * (each item leaves no earlier than the one before it), as on a single path.
 */
class DelayLine<T> {
  private readonly q: { at: number; item: T }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = 0;
  constructor(private readonly out: (item: T) => void) {}

  push(item: T): void {
    const at = Math.max(this.last, Date.now() + cfg.delayMs + Math.random() * cfg.jitterMs);
    this.last = at;
    this.q.push({ at, item });
    this.arm();
  }

  private arm(): void {
    if (this.timer || !this.q.length) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = Date.now();
      while (this.q.length && this.q[0]!.at <= now + 1) this.out(this.q.shift()!.item);
      this.arm();
    }, Math.max(0, this.q[0]!.at - Date.now()));
  }
}

const dropped = () => Math.random() < cfg.loss;

function forwardUdp(f: RelayForward): Promise<void> {
  const front = createSocket('udp4');
  // one upstream socket per client flow, so the target sees each flow apart and answers to it
  const flows = new Map<string, { up: UdpSocket; toTarget: DelayLine<Buffer> }>();
  const toClient = new DelayLine<{ msg: Buffer; to: RemoteInfo }>(({ msg, to }) => front.send(msg, to.port, to.address));
  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const up = createSocket('udp4');
      const toTarget = new DelayLine<Buffer>((m) => up.send(m, f.target.port, f.target.host));
      up.on('message', (back) => { if (!dropped()) toClient.push({ msg: back, to: from }); });
      up.on('error', () => undefined);
      up.bind(0);
      flow = { up, toTarget };
      flows.set(key, flow);
    }
    if (!dropped()) flow.toTarget.push(msg);
  });
  front.on('error', (err) => console.error(`udp ${f.listen.port}: ${err.message}`));
  return new Promise((res) => front.bind(f.listen.port, f.listen.host, () => res()));
}

function forwardTcp(f: RelayForward): Promise<void> {
  const server = createServer((client: Socket) => {
    const up = connect(f.target.port, f.target.host);
    const pipe = (from: Socket, to: Socket) => {
      const line = new DelayLine<Buffer | null>((b) => (b ? to.write(b) : to.end()));
      from.on('data', (b) => line.push(b));
      from.on('end', () => line.push(null));
    };
    pipe(client, up);
    pipe(up, client);
    // a clean end travels through the delay line (after the bytes before it); an error cuts both
    for (const s of [client, up]) s.on('error', () => { client.destroy(); up.destroy(); });
  });
  return new Promise((res) => server.listen(f.listen.port, f.listen.host, () => res()));
}

await Promise.all(cfg.forwards.map((f) => (f.proto === 'udp' ? forwardUdp(f) : forwardTcp(f))));
console.log(`impair-relay ready: ${cfg.forwards.map((f) => `${f.proto} ${f.listen.host}:${f.listen.port}→${f.target.host}:${f.target.port}`).join(', ')}`);
