// Builds bench/raw-forwarder.c with the system cc and runs it: the raw UDP
// fan-out (the floor P2 measures mediasoup against) or a sink that never reads.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Compiles the forwarder into a scratch directory; `dispose` removes it. */
export function buildRawForwarder(): { bin: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-rawfwd-'));
  const bin = join(dir, 'raw-forwarder');
  execFileSync('cc', ['-O2', '-o', bin, join(HERE, '..', 'raw-forwarder.c')], { stdio: 'inherit' });
  return { bin, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the binary; resolves once it prints "ready". Other lines go to `onLine`. */
export function runRaw(bin: string, args: string[], onLine: (l: string) => void = () => undefined): Promise<ChildProcess> {
  const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    p.once('error', reject);
    p.once('exit', (code) => reject(new Error(`raw-forwarder exited with ${code}`)));
    p.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'ready') resolve(p);
        else onLine(line);
      }
    });
  });
}

/** A free loopback UDP port (bound and released). */
export async function freeUdpPort(): Promise<number> {
  const { createSocket } = await import('node:dgram');
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
