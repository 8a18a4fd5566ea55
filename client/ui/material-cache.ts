// Materials at a site: download with progress, verify the sha256, keep the
// file in Cache Storage so it opens without a link, and acknowledge receipt.
import { proofRange } from '../../signaling/receipt-proof.js';
import { signal } from '@preact/signals';
import { ControlEvents, type Material } from '../../signaling/control.js';
import type { ControlApi } from './api.js';
import type { ControlClient } from './control-client.js';
import { UiError, humanError } from './errors.js';

const CACHE = 'diemcau-materials-v1';

export type LocalState =
  | { state: 'missing' }
  | { state: 'downloading'; done: number; total: number }
  | { state: 'verifying' }
  | { state: 'cached'; sha256: string; at: number }
  | { state: 'failed'; error: string };

export async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class MaterialCache {
  /** material id → local state of its current version. */
  readonly local = signal<Map<string, LocalState>>(new Map());
  private running = new Set<string>();

  constructor(private readonly api: ControlApi, private readonly client: ControlClient, private readonly conf: string, private readonly site: string) {}

  private key(m: Material): string {
    return `${location.origin}/offline/${this.conf}/${m.id}/v${m.version}/${encodeURIComponent(m.filename)}`;
  }

  private set(id: string, st: LocalState): void {
    const m = new Map(this.local.value);
    m.set(id, st);
    this.local.value = m;
  }

  /** Marks what is already in the cache (after a reload, without a link). */
  async scan(materials: Material[]): Promise<void> {
    if (!('caches' in globalThis)) return;
    const cache = await caches.open(CACHE);
    for (const m of materials) {
      const hit = await cache.match(this.key(m));
      if (hit) this.set(m.id, { state: 'cached', sha256: hit.headers.get('x-sha256') ?? m.sha256, at: Number(hit.headers.get('x-cached-at')) || Date.now() });
      else if (!this.local.value.has(m.id)) this.set(m.id, { state: 'missing' });
    }
  }

  /** Downloads, verifies and caches every material not cached yet; re-acknowledges cached ones. */
  async syncAll(materials: Material[]): Promise<void> {
    await this.scan(materials).catch(() => undefined);
    for (const m of materials) {
      const st = this.local.value.get(m.id);
      if (st?.state === 'cached') void this.ackCached(m, st.sha256);
      else void this.fetch(m);
    }
  }

  /** One material: download with progress → sha256 → cache → receipt. */
  async fetch(m: Material): Promise<void> {
    const k = `${m.id}@${m.version}`;
    if (this.running.has(k)) return;
    this.running.add(k);
    try {
      this.set(m.id, { state: 'downloading', done: 0, total: m.size });
      const bytes = await this.api.download(m.url, (done, total) => this.set(m.id, { state: 'downloading', done, total: total || m.size }), m.size);
      this.set(m.id, { state: 'verifying' });
      const hash = await sha256Hex(bytes);
      if (hash !== m.sha256) throw new UiError('HASH_MISMATCH', `${m.id}: got ${hash}, want ${m.sha256}`);
      if ('caches' in globalThis) {
        const cache = await caches.open(CACHE);
        await cache.put(this.key(m), new Response(bytes, { headers: { 'content-type': m.mime, 'x-sha256': hash, 'x-cached-at': String(Date.now()) } }));
      }
      this.set(m.id, { state: 'cached', sha256: hash, at: Date.now() });
      await this.ack(m, hash, bytes);
    } catch (err) {
      this.set(m.id, { state: 'failed', error: humanError(err) });
    } finally {
      this.running.delete(k);
    }
  }

  /** Re-acknowledges a cached copy (its bytes come from the cache: the proof needs them). */
  private async ackCached(m: Material, sha256: string): Promise<void> {
    const hit = 'caches' in globalThis ? await (await caches.open(CACHE)).match(this.key(m)) : undefined;
    if (hit) await this.ack(m, sha256, await hit.arrayBuffer());
  }

  /** The receipt: the file's sha256, and the proof that the bytes are here (signaling/receipt-proof.ts). */
  private async ack(m: Material, sha256: string, bytes: ArrayBuffer): Promise<void> {
    try {
      const challenge = m.challenge ?? '';
      const range = proofRange(challenge, bytes.byteLength);
      const head = new TextEncoder().encode(challenge);
      const slice = range ? new Uint8Array(bytes, range.start, range.end - range.start + 1) : new Uint8Array();
      const msg = new Uint8Array(head.length + slice.length);
      msg.set(head, 0);
      msg.set(slice, head.length);
      const proof = await sha256Hex(msg.buffer);
      await this.client.emit(ControlEvents.receipt, { site: this.site, material: m.id, version: m.version, sha256, proof });
    } catch (err) {
      // Not fatal: the file is here; the receipt is sent again at the next sync.
      console.warn('[diemcau] receipt', humanError(err));
    }
  }

  /** The cached copy's bytes, or null when this version is not here (the replay page plays a pushed recording from it). */
  async blob(m: Material): Promise<Blob | null> {
    if (!('caches' in globalThis)) return null;
    const hit = await (await caches.open(CACHE)).match(this.key(m));
    return hit ? hit.blob() : null;
  }

  /** Opens the cached copy in a new tab (works without a link). */
  async open(m: Material): Promise<void> {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(this.key(m));
    if (!hit) throw new UiError('NOT_FOUND', `${m.id} not cached`);
    const url = URL.createObjectURL(await hit.blob());
    const a = document.createElement('a');
    a.href = url; a.target = '_blank'; a.rel = 'noopener';
    if (!/^(application\/pdf|text\/|image\/|video\/|audio\/)/.test(m.mime)) a.download = m.filename;
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
