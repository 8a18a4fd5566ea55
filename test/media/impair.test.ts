// The impairment harness really imposes its profile: UDP echo pings from inside
// the namespace through the relay measure the round trip and the loss, and a
// TCP bulk read measures the rate cap (tbf). Bounds are wide: the figures are
// random by design (loss, jitter), the point is that the link is that profile
// and not loopback.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../../infra/proc.js';
import { ImpairedLink, PROFILES } from '../support/impair.js';

const run = promisify(execFile);

describe('impairment harness', { timeout: 90_000 }, () => {
  let link: ImpairedLink;
  let echo: UdpSocket;
  let bulk: Server;
  let port = 0;

  /** Runs the probe inside the namespace and parses its one line of JSON. */
  const probe = async (...args: string[]) => {
    const { stdout } = await run('ip', ['netns', 'exec', link.ns.name, process.execPath, '--import', 'tsx', join(REPO_ROOT, 'test/support/link-probe.ts'), ...args],
      { cwd: REPO_ROOT, timeout: 60_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  };

  beforeAll(async () => {
    port = await freePort();
    echo = createSocket('udp4');
    echo.on('message', (m, from) => echo.send(m, from.port, from.address));
    await new Promise<void>((r) => echo.bind(port, '0.0.0.0', () => r()));
    // 256 KB then close: at 1 Mbit/s about two seconds
    bulk = createServer((s) => s.end(Buffer.alloc(256 * 1024, 7)));
    await new Promise<void>((r) => bulk.listen(port, '0.0.0.0', () => r()));
    link = await ImpairedLink.start({ tag: 'probe', profile: 'weak', ports: [{ port, proto: ['udp', 'tcp'] }], logFile: 'test-artifacts/media/impair-probe.log' });
  });

  afterAll(async () => {
    await link?.close();
    echo?.close();
    bulk?.close();
  });

  test('weak: ~150 ms round trip, ~3 % loss each way, 1 Mbit/s', async () => {
    const p = PROFILES.weak;
    const udp = await probe('udp', String(port), '600') as { sent: number; received: number; rttsMs: number[] };
    const sorted = [...udp.rttsMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const lossRoundTrip = 1 - udp.received / udp.sent;
    const expectedLoss = 1 - (1 - p.loss) ** 2;
    console.log(`[impair] weak: median RTT ${median.toFixed(1)} ms (min ${sorted[0]!.toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}), round-trip loss ${(lossRoundTrip * 100).toFixed(1)} % (expected ${(expectedLoss * 100).toFixed(1)} %)`);
    assert.ok(median > p.rttMs * 0.85 && median < p.rttMs * 1.4, `median RTT ${median} ms`);
    assert.ok(sorted[0]! >= p.rttMs - p.jitterMs - 1, `no packet faster than the link: ${sorted[0]} ms`);
    assert.ok(lossRoundTrip > expectedLoss / 3 && lossRoundTrip < expectedLoss * 2.5, `loss ${lossRoundTrip}`);

    const tcp = await probe('tcp', String(port)) as { bytes: number; ms: number };
    const kbps = (tcp.bytes * 8) / tcp.ms;
    console.log(`[impair] weak: TCP ${tcp.bytes} bytes in ${tcp.ms.toFixed(0)} ms = ${kbps.toFixed(0)} kbit/s (cap ${p.rateKbps})`);
    assert.equal(tcp.bytes, 256 * 1024);
    assert.ok(kbps < p.rateKbps! * 1.15 && kbps > p.rateKbps! * 0.5, `rate ${kbps} kbit/s`);
  });

  test('switching to good in place lifts the delay, the loss and the cap', async () => {
    await link.setProfile('good');
    const udp = await probe('udp', String(port), '200') as { sent: number; received: number; rttsMs: number[] };
    const sorted = [...udp.rttsMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`[impair] good: median RTT ${median.toFixed(1)} ms, received ${udp.received}/${udp.sent}`);
    assert.ok(median < 20, `median RTT ${median} ms`);
    assert.equal(udp.received, udp.sent);
    const tcp = await probe('tcp', String(port)) as { bytes: number; ms: number };
    assert.ok((tcp.bytes * 8) / tcp.ms > PROFILES.weak.rateKbps! * 3, `uncapped rate ${(tcp.bytes * 8) / tcp.ms} kbit/s`);
  });
});
