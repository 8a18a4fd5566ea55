// The studio's recording indicator: "● Đang ghi hình / Recording" while the
// control service says the conference is being recorded, and the recorder's
// alarm when it stopped. Plain DOM (the studio page has no framework); polls
// the status route with the page's own token.
import { RecordingStatus } from '../../signaling/recording.js';
import { confOfToken } from './media-token.js';

const POLL_MS = 3000;

function text(el: HTMLElement, vi: string, en: string): void {
  const a = document.createElement('span');
  a.lang = 'vi';
  a.textContent = vi;
  const b = document.createElement('span');
  b.lang = 'en';
  b.textContent = ` / ${en}`;
  el.replaceChildren(a, b);
}

export function render(el: HTMLElement, st: RecordingStatus | null): void {
  const cur = st?.current ?? null;
  const alarm = st?.recorder?.state === 'alarm' ? st.recorder.alarm : cur?.alarm ?? null;
  el.hidden = !cur;
  el.dataset.state = !cur ? 'off' : alarm ? 'alarm' : 'recording';
  if (!cur) return;
  if (alarm === 'disk-full') text(el, '■ Ghi hình đã dừng: ổ đĩa sắp đầy', 'Recording stopped: disk nearly full');
  else if (alarm) text(el, '■ Ghi hình đã dừng', 'Recording stopped');
  else text(el, '● Đang ghi hình', 'Recording');
}

/** Polls `base` (the control service, '' = this origin) and keeps `el` current; returns a stop function. */
export function mountRecordingIndicator(el: HTMLElement, opts: { base: string; token: string }): () => void {
  const conf = confOfToken(opts.token);
  if (!conf) return () => undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const r = await fetch(`${opts.base.replace(/\/+$/, '')}/api/conferences/${encodeURIComponent(conf)}/recording`, { headers: { authorization: `Bearer ${opts.token}` }, signal: AbortSignal.timeout(POLL_MS * 2) });
      const j = (await r.json()) as { ok: boolean; data?: unknown };
      const st = j.ok ? RecordingStatus.safeParse(j.data) : null;
      if (!stopped && st?.success) render(el, st.data);
    } catch (err) {
      console.debug('[studio] recording status', err);
    }
  };
  void tick();
  const t = setInterval(tick, POLL_MS);
  return () => { stopped = true; clearInterval(t); };
}
