// Child processes of the launcher and of the tests: spawn with output to a
// log file, wait until an HTTP port answers, stop (TERM, then KILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServiceOptions {
  /** Label used in messages. */
  name: string;
  /** TypeScript entry relative to the repo root, run with `node --import tsx`. */
  entry?: string;
  /** Or any program with its arguments (e.g. turnserver). */
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  /** File receiving stdout+stderr (absolute, or relative to the repo root). */
  logFile: string;
  /** Sees every chunk of stdout+stderr as it is logged (tests read what a process said). */
  onOutput?: (chunk: Buffer) => void;
  /** Called when the process exits without stop() having been called. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** Run inside this network namespace (`ip netns exec`, which execs: the pid is the process's own). */
  netns?: string;
}

export class Service {
  private child: ChildProcess | null = null;
  private stopping = false;
  constructor(readonly opts: ServiceOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) return;
    const logFile = resolve(REPO_ROOT, this.opts.logFile);
    mkdirSync(dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    this.stopping = false;
    const argv = this.opts.command ? [...this.opts.command] : [process.execPath, '--import', 'tsx', this.opts.entry!, ...(this.opts.args ?? [])];
    if (this.opts.netns) argv.unshift('ip', 'netns', 'exec', this.opts.netns);
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const onOutput = this.opts.onOutput;
    if (onOutput) {
      child.stdout!.on('data', onOutput);
      child.stderr!.on('data', onOutput);
    }
    child.once('exit', (code, signal) => {
      log.end();
      if (!this.stopping) this.opts.onUnexpectedExit?.(code, signal);
    });
    this.child = child;
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. Idempotent. */
  async stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.stopping = true;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(t);
  }
}

/** Polls `url` until any HTTP answer arrives (whatever its status). */
export async function waitHttp(url: string, timeoutMs = 30_000, isAlive?: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (isAlive && !isAlive()) throw new Error(`process behind ${url} exited`);
      if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}
