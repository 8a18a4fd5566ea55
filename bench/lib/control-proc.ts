// A control service process for the benches: its own Redis prefix and data
// dir, a free port; resolves with its URL once it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function startControlProcess(o: { prefix: string; redisUrl: string; tokenSecret: string }): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CONTROL_PORT: '0', REDIS_URL: o.redisUrl, REDIS_PREFIX: o.prefix, TOKEN_SECRET: o.tokenSecret, LOG_LEVEL: 'warn', DATA_DIR: `.cache/bench-data/${o.prefix.slice(0, -1)}` },
  });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /control listening (\S+)/.exec(out);
      if (m) res({ child, url: m[1]! });
    });
    child.once('exit', (c) => rej(new Error(`service exited ${c}`)));
  });
}
