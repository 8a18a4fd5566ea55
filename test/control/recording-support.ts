// Fixtures of the recording tests: real WebM segments made by ffmpeg from a
// test pattern and a tone, uploaded through the real node route with a node
// token, and a media node's control channel as a real socket.io client.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { io as ioClient, type Socket } from 'socket.io-client';
import { MEDIA_LINK_NAMESPACE } from '../../signaling/control-media.js';
import type { SegmentMeta } from '../../signaling/recording.js';
import { signToken } from '../../signaling/token.js';
import { api, type Res } from './helpers.js';

const run = promisify(execFile);
export const NODE_SECRET = `node-${randomBytes(12).toString('hex')}`;
export const nodeToken = (node = 'centre') => signToken(NODE_SECRET, { role: 'node', conf: '*', site: node, ttlSeconds: 3600 });

export interface SegmentFile { path: string; bytes: Buffer; sha256: string; durationMs: number }

/** Media duration of a file in ms (ffprobe, container duration). */
export async function probeMs(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', path]);
  return Math.round(Number(stdout.trim()) * 1000);
}

/** Codec names of a file's streams, e.g. ['vp8', 'opus']. */
export async function probeCodecs(path: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'default=nw=1:nk=1', path]);
  return stdout.trim().split('\n').filter(Boolean);
}

/**
 * `count` WebM files (VP8 + Opus, 25 fps, a keyframe every second) of `seconds` each, as a
 * recorder writes them; each a different test pattern, so they are different files.
 */
export async function makeSegments(dir: string, count: number, seconds: number): Promise<SegmentFile[]> {
  await mkdir(dir, { recursive: true });
  const out: SegmentFile[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `seg-${i}.webm`);
    await run('ffmpeg', [
      '-y', '-v', 'error',
      '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=${440 + 110 * i}:sample_rate=48000:duration=${seconds}`,
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '25', '-keyint_min', '25',
      '-c:a', 'libopus', '-b:a', '48k', '-shortest', path,
    ]);
    const bytes = await readFile(path);
    out.push({ path, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), durationMs: await probeMs(path) });
  }
  return out;
}

export function segmentMeta(f: SegmentFile, recording: string, run: string, index: number, startedAt: number, extra: Partial<SegmentMeta> = {}): SegmentMeta {
  return { recording, run, index, startedAt, durationMs: f.durationMs, bytes: f.bytes.length, sha256: f.sha256, source: 'root', video: true, audio: true, ...extra };
}

/** PUT the segment through the node route, as the root node does. */
export function uploadSegment(base: string, tok: string | null, conf: string, meta: SegmentMeta, body: Buffer, opts: { name?: string; header?: string } = {}): Promise<Res> {
  const name = opts.name ?? `${meta.run}-${meta.index}`;
  return api(base, tok, 'PUT', `/api/media/recordings/${conf}/segments/${name}`, new Uint8Array(body), {
    'content-type': 'video/webm',
    'x-segment': opts.header ?? JSON.stringify(meta),
  });
}

/** A media node's control channel: reports like a root node and answers record commands. */
export function linkNode(base: string, tok: string): Promise<Socket> {
  const s = ioClient(base + MEDIA_LINK_NAMESPACE, { auth: { token: tok }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => { s.close(); reject(e); });
  });
}
