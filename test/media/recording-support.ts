// Helpers of the recording tests: an ffmpeg feed with a white flash and a
// 1 kHz beep at the start of every second (VP8 + Opus RTP into an ingest),
// and what a recorded file holds, decoded with ffmpeg: flash and beep onsets,
// the colour of each stretch, and whether it decodes at all. Plus playing a
// file in real Chromium.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import type { IngestRes } from '../../signaling/media.js';
import { launchChromium } from '../support/browser.js';

const exec = promisify(execFile);

/** Background colours of the feeds (RGB hex) and how they decode: blue has U > V, red V > U. */
export const COLOURS = { blue: '0x2050c0', red: '0xc03020' } as const;
export type Colour = keyof typeof COLOURS;

export class FlashFeed {
  private proc: ChildProcess | null = null;
  startedAt = 0;
  endedAt = 0;
  output = '';
  readonly done: Promise<void>;
  private resolveDone: () => void = () => undefined;

  /** `seconds`: media length sent (then ffmpeg ends by itself); omit for until stop(). */
  /** `codec` H264: libx264 constrained baseline, as a hardware encoder sends (the ingest's codec must match). */
  constructor(readonly ingest: IngestRes, readonly opts: { colour: Colour; seconds?: number; size?: string; codec?: 'VP8' | 'H264' }) {
    this.done = new Promise((r) => { this.resolveDone = r; });
  }

  start(): this {
    const v = this.ingest.streams.find((s) => s.kind === 'video')!;
    const a = this.ingest.streams.find((s) => s.kind === 'audio')!;
    const flash = "enable='lt(mod(t\\,1)\\,0.1)'";
    // the length limits each input, so both outputs end together
    const length = this.opts.seconds ? ['-t', String(this.opts.seconds)] : [];
    const args = ['-hide_banner', '-loglevel', 'warning', '-re',
      ...length, '-f', 'lavfi', '-i', `color=c=${COLOURS[this.opts.colour]}:s=${this.opts.size ?? '320x180'}:r=25,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:${flash}`,
      ...length, '-f', 'lavfi', '-i', "aevalsrc=exprs='if(lt(mod(t\\,1)\\,0.1)\\,0.5*sin(2*PI*1000*t)\\,0)':s=48000",
      '-map', '0:v', ...(this.opts.codec === 'H264'
        ? ['-c:v', 'libx264', '-profile:v', 'baseline', '-level', '3.1', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bsf:v', 'dump_extra']
        : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8']),
      '-pix_fmt', 'yuv420p', '-b:v', '400k', '-g', '25', '-keyint_min', '25',
      '-ssrc', String(v.ssrc), '-payload_type', String(v.payloadType), '-f', 'rtp', `rtp://${v.ip}:${v.port}?rtcpport=${v.rtcpPort}&pkt_size=1200`,
      '-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-b:a', '48k',
      '-ssrc', String(a.ssrc), '-payload_type', String(a.payloadType), '-f', 'rtp', `rtp://${a.ip}:${a.port}?rtcpport=${a.rtcpPort}&pkt_size=1200`];
    const p = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (b: Buffer) => { this.output = (this.output + b.toString()).slice(-4000); });
    p.once('exit', () => {
      this.endedAt = Date.now();
      this.resolveDone();
    });
    this.startedAt = Date.now();
    this.proc = p;
    return this;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await this.done;
  }
}

export type Decoded = {
  /** Media duration of the file (s). */
  duration: number;
  /** Times (s) where a white flash starts. */
  flashes: number[];
  /** Times (s) where a beep starts. */
  beeps: number[];
  /** Colour stretches in order (flash frames skipped), with their first frame time. */
  colours: { colour: Colour | 'other'; from: number; frames: number }[];
};

/** Decodes `file` and finds flashes (luma), beeps (silence ends) and background colours (chroma). */
export async function decode(file: string): Promise<Decoded> {
  const { stdout: probe } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  const { stdout: frames } = await exec('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-map', '0:v', '-vf', 'signalstats,metadata=mode=print:file=-', '-f', 'null', '-'], { maxBuffer: 512 * 1024 * 1024 });
  const flashes: number[] = [];
  const colours: Decoded['colours'] = [];
  let t = 0;
  let y = 0;
  let u = 0;
  let prevBright = true;
  const frame = () => {
    const bright = y > 150;
    if (bright && !prevBright) flashes.push(t);
    prevBright = bright;
    if (bright) return;
    const colour: Colour | 'other' = u - 128 > 25 ? 'blue' : u - 128 < -10 ? 'red' : 'other';
    const last = colours.at(-1);
    if (last?.colour === colour) last.frames++;
    else colours.push({ colour, from: t, frames: 1 });
  };
  let started = false;
  for (const line of frames.split('\n')) {
    const f = /^frame:\d+\s+pts:\S+\s+pts_time:(\S+)/.exec(line);
    if (f) {
      if (started) frame();
      started = true;
      t = Number(f[1]);
      continue;
    }
    const m = /^lavfi\.signalstats\.(YAVG|UAVG)=(\S+)/.exec(line);
    if (m) {
      if (m[1] === 'YAVG') y = Number(m[2]);
      else u = Number(m[2]);
    }
  }
  if (started) frame();
  const { stderr } = await exec('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:a', '-af', 'silencedetect=n=-30dB:d=0.3', '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 });
  const beeps = [...stderr.matchAll(/silence_end: (\S+)/g)].map((m) => Number(m[1]));
  return { duration: Number(probe.trim()), flashes, beeps, colours };
}

/** Pairs each flash with the nearest beep (within 0.5 s): audio minus video, in ms. */
export function avOffsets(d: Decoded): number[] {
  const out: number[] = [];
  for (const f of d.flashes) {
    let best: number | null = null;
    for (const b of d.beeps) if (Math.abs(b - f) < 0.5 && (best === null || Math.abs(b - f) < Math.abs(best - f))) best = b;
    if (best !== null) out.push(Math.round((best - f) * 1000));
  }
  return out;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

/** Joins segments into one WebM without re-encoding (ffmpeg's concat demuxer). */
export async function concat(files: string[], out: string): Promise<void> {
  const list = join(dirname(out), `${basename(out)}.txt`);
  writeFileSync(list, files.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n'));
  await exec('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', out]);
}

/** Whether every packet of `file` decodes without an error. */
export async function decodesCleanly(file: string): Promise<{ ok: boolean; errors: string }> {
  try {
    // ffprobe decodes every frame and prints decoding or demuxing errors only (no output muxer whose
    // own frame-rate rounding would complain about the file's millisecond timestamps)
    const { stderr } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'frame=pts_time', '-of', 'csv', file], { maxBuffer: 256 * 1024 * 1024 });
    return { ok: stderr.trim() === '', errors: stderr.trim() };
  } catch (err) {
    return { ok: false, errors: String(err) };
  }
}

export type Played = { duration: number; advanced: number; frames: number; seekedAdvanced: number; seekedFrames: number; error: string | null };

/**
 * Plays each file in Chromium's <video> (served over HTTP with ranges): how far currentTime
 * moves in ~2 s from the start and again after a seek near the end, and the frames decoded.
 */
export async function playInChromium(files: string[]): Promise<Played[]> {
  const app = express();
  const dirs = new Map(files.map((f, i) => [String(i), f]));
  app.get('/', (_req, res) => void res.type('html').send('<!doctype html><title>play</title><body></body>'));
  app.get('/f/:i', (req, res) => void res.sendFile(dirs.get(req.params.i)!));
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const chrome = await launchChromium();
  try {
    const page = await chrome.page({ viewport: { width: 640, height: 360 }, permissions: [] });
    await page.goto(`${base}/`);
    const out: Played[] = [];
    for (const i of dirs.keys()) {
      out.push(await page.evaluate(async (src) => {
        const v = document.createElement('video');
        v.muted = true;
        v.src = src;
        document.body.replaceChildren(v);
        const until = (ms: number) => new Promise((r) => setTimeout(r, ms));
        const error = () => (v.error ? `${v.error.code} ${v.error.message}` : null);
        await new Promise<void>((r) => {
          v.onloadedmetadata = () => r();
          v.onerror = () => r();
          setTimeout(r, 15_000);
        });
        if (v.error || !(v.duration > 0)) return { duration: 0, advanced: 0, frames: 0, seekedAdvanced: 0, seekedFrames: 0, error: error() ?? 'no metadata' };
        // play() settles only once playing: never wait on it for long
        await Promise.race([v.play().catch(() => undefined), until(5000)]);
        const t0 = v.currentTime;
        await until(2500);
        const advanced = v.currentTime - t0;
        const frames = v.getVideoPlaybackQuality().totalVideoFrames;
        v.currentTime = Math.max(0, v.duration - 3);
        await new Promise<void>((r) => { v.onseeked = () => r(); setTimeout(r, 5000); });
        const t1 = v.currentTime;
        await Promise.race([v.play().catch(() => undefined), until(5000)]);
        await until(1500);
        return {
          duration: v.duration,
          advanced,
          frames,
          seekedAdvanced: v.currentTime - t1,
          seekedFrames: v.getVideoPlaybackQuality().totalVideoFrames - frames,
          error: error(),
        };
      }, `${base}/f/${i}`));
    }
    return out;
  } finally {
    await chrome.close();
    server.close();
  }
}
