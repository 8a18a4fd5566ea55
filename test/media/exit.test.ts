// close() leaves nothing running: a process that starts nodes (a relaying pair
// and a node whose parent never answers) and closes them exits by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'vitest';
import { REPO_ROOT } from './procs.js';

test('a process exits by itself once its media nodes are closed', { timeout: 60_000 }, async () => {
  const p = spawn(process.execPath, ['--import', 'tsx', 'test/media/exit-check.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  p.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  let closedAt = 0;
  p.stdout!.on('data', () => {
    if (!closedAt && out.includes('closed;')) closedAt = Date.now();
  });
  const code = await new Promise<number | null>((res) => {
    const kill = setTimeout(() => p.kill('SIGKILL'), 45_000);
    p.once('exit', (c) => {
      clearTimeout(kill);
      res(c);
    });
  });
  assert.equal(code, 0, out.slice(-3000));
  assert.match(out, /closed; conferences left: 0,0/);
  assert.doesNotMatch(out, /still alive/);
  assert.ok(Date.now() - closedAt < 3000, 'exited promptly after close');
});
