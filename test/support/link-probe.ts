// Measures a link from inside a namespace (run there with `ip netns exec`):
//   link-probe.ts udp <port> <count>  → {"sent","received","rttsMs":[…]} (echo pings, 5 ms apart)
//   link-probe.ts tcp <port>          → {"bytes","ms"} (reads until the server closes)
// The far ends are echo / bulk servers the caller runs on the host (test/e2e/impair.test.ts).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

const [mode, portArg, countArg] = process.argv.slice(2);
const port = Number(portArg);

if (mode === 'udp') {
  const count = Number(countArg ?? 200);
  const sock = createSocket('udp4');
  const sentAt = new Map<number, number>();
  const rtts: number[] = [];
  sock.on('message', (m) => {
    const seq = m.readUInt32BE(0);
    const at = sentAt.get(seq);
    if (at !== undefined) { rtts.push(performance.now() - at); sentAt.delete(seq); }
  });
  sock.bind(0, () => {
    let seq = 0;
    const t = setInterval(() => {
      const b = Buffer.alloc(200);
      b.writeUInt32BE(seq, 0);
      sentAt.set(seq, performance.now());
      sock.send(b, port, '127.0.0.1');
      if (++seq >= count) {
        clearInterval(t);
        // late answers still count for a second
        setTimeout(() => { console.log(JSON.stringify({ sent: count, received: rtts.length, rttsMs: rtts })); sock.close(); }, 1500);
      }
    }, 5);
  });
} else if (mode === 'tcp') {
  const s = connect(port, '127.0.0.1');
  let bytes = 0;
  let first = 0;
  s.on('data', (b) => { if (!first) first = performance.now(); bytes += b.length; });
  s.on('end', () => console.log(JSON.stringify({ bytes, ms: performance.now() - first })));
} else {
  throw new Error('usage: link-probe.ts udp <port> <count> | tcp <port>');
}
