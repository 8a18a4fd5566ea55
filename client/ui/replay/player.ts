// The replay on the hall display: the recording full screen, the maket banner
// before the first item, between items and after the end (as the hall showed it
// live), the current item's bar, a chapter list to jump to an item (the current
// one highlighted), and the controls; they fade while it plays and come back
// with the mouse or a key.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Chapter } from '../../../signaling/recording.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDate, fmtTime } from '../format.js';
import { useNow } from '../hooks.js';
import { hallPlace, MaketView } from '../hall-overlay.js';
import type { AppSession } from '../app.js';
import type { Choice, Resolved } from './source.js';
import { clock, phaseAt, type Phase } from './timeline.js';

export interface PlayerProps {
  s: AppSession;
  choice: Choice;
  src: Resolved;
  onBack: () => void;
  /** The replay session form, with the items watched. */
  onRecord: (watched: string[] | 'all') => void;
}

// drawn, not typed: a hall PC's fonts may lack the media symbols
const PATHS: Record<string, string> = {
  prev: 'M6 5h2v14H6zM9.5 12 19 5v14z', next: 'M16 5h2v14h-2zM5 5l9.5 7L5 19z', play: 'M7 5v14l12-7z',
  pause: 'M6 5h4v14H6zM14 5h4v14h-4z', full: 'M4 4h6v2H6v4H4zm10 0h6v6h-2V6h-4zM4 14h2v4h4v2H4zm14 0h2v6h-6v-2h4z',
};
const icon = (name: string) => html`<svg aria-hidden="true" viewBox="0 0 24 24" width="1.2em" height="1.2em" style=${{ verticalAlign: '-0.2em' }}><path fill="currentColor" d=${PATHS[name]} /></svg>`;

/** Test and support hook: what the page plays now. */
export interface ReplayHook { currentTime: number; from: string; phase: Phase['kind']; chapter: string | null; watched: string[]; recording: string }

export function Player({ s, choice, src, onBack, onRecord }: PlayerProps) {
  const video = useRef<HTMLVideoElement>(null);
  const [t, setT] = useState(0);
  const [duration, setDuration] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [ended, setEnded] = useState(false);
  const [idle, setIdle] = useState(false);
  const [error, setError] = useState('');
  const watched = useRef(new Set<string>());
  const now = useNow(1000);
  const store = s.client.store;
  const conf = store.conference.value!;
  const sites = store.siteById.value;
  const me = sites.get(s.site ?? '');
  const agenda = new Map((store.agenda.value?.items ?? []).map((i) => [i.id, i]));
  const chapters = src.chapters;
  const phase = phaseAt(chapters, t, src.range, ended);

  useEffect(() => {
    const v = video.current!;
    const start = src.range ? src.range[0] / 1000 : 0;
    const onMeta = () => { setDuration(v.duration * 1000); if (start) v.currentTime = start; };
    const onTime = () => {
      const ms = v.currentTime * 1000;
      setT(ms);
      // an item counts as watched once it has played here (the form's items)
      const p = phaseAt(chapters, ms, src.range, false);
      if (!v.paused && p.kind === 'chapter') watched.current.add(p.chapter.item);
      if (src.range && ms >= src.range[1]) { v.pause(); setEnded(true); }
    };
    const onPlay = () => { setPlaying(true); setEnded(false); };
    const onPause = () => setPlaying(false);
    const onEnded = () => { setPlaying(false); setEnded(true); };
    const onError = () => setError(T('Không phát được bản ghi này. Hãy kiểm tra đường truyền hoặc chọn bản đã lưu trên máy.', 'This recording cannot be played. Check the link or pick a copy stored here.'));
    v.addEventListener('loadedmetadata', onMeta);
    v.addEventListener('timeupdate', onTime);
    v.addEventListener('play', onPlay);
    v.addEventListener('pause', onPause);
    v.addEventListener('ended', onEnded);
    v.addEventListener('error', onError);
    v.src = src.url;
    // started by a click in the picker, so sound is allowed
    v.play().catch(() => { v.muted = true; void v.play().catch(() => undefined); });
    const hook: ReplayHook = {
      get currentTime() { return v.currentTime; },
      from: src.from,
      get phase() { return phaseAt(chapters, v.currentTime * 1000, src.range, v.ended).kind; },
      get chapter() { const p = phaseAt(chapters, v.currentTime * 1000, src.range, v.ended); return p.kind === 'chapter' ? p.chapter.item : null; },
      get watched() { return [...watched.current]; },
      recording: choice.recording.id,
    } as ReplayHook;
    (window as unknown as { __replay: ReplayHook }).__replay = hook;
    return () => {
      v.removeEventListener('loadedmetadata', onMeta);
      v.removeEventListener('timeupdate', onTime);
      v.removeEventListener('play', onPlay);
      v.removeEventListener('pause', onPause);
      v.removeEventListener('ended', onEnded);
      v.removeEventListener('error', onError);
      v.pause();
      v.removeAttribute('src');
      v.load();
      src.release();
    };
  }, [src]);

  // the controls fade after a few seconds of playing; a mouse move or a key brings them back
  useEffect(() => {
    let timer = 0;
    const wake = () => { setIdle(false); clearTimeout(timer); timer = window.setTimeout(() => setIdle(true), 4000); };
    const key = (e: KeyboardEvent) => {
      wake();
      const v = video.current;
      if (!v || (e.target as HTMLElement).closest('input, textarea, select')) return;
      if (e.key === ' ') { e.preventDefault(); if (v.paused) void v.play(); else v.pause(); }
      if (e.key === 'ArrowRight') v.currentTime += 10;
      if (e.key === 'ArrowLeft') v.currentTime = Math.max(0, v.currentTime - 10);
    };
    addEventListener('mousemove', wake);
    addEventListener('keydown', key);
    wake();
    return () => { removeEventListener('mousemove', wake); removeEventListener('keydown', key); clearTimeout(timer); };
  }, []);

  const seek = (c: Chapter) => {
    const v = video.current!;
    setEnded(false);
    v.currentTime = c.startMs / 1000;
    void v.play().catch(() => undefined);
  };
  const toggle = () => { const v = video.current!; if (v.paused) { if (ended && src.range) { v.currentTime = src.range[0] / 1000; } void v.play(); } else v.pause(); };
  const list = [...chapters].sort((a, b) => a.startMs - b.startMs);
  const cur = phase.kind === 'chapter' ? phase.chapter : null;
  const step = (d: 1 | -1) => {
    const i = cur ? list.indexOf(cur) : list.findIndex((c) => c.startMs > t) - (d > 0 ? 1 : 0);
    const target = list[Math.max(0, Math.min(list.length - 1, i + d))];
    if (target) seek(target);
  };
  const num = (c: Chapter) => (agenda.get(c.item)?.order ?? list.indexOf(c)) + 1;
  const place = hallPlace(me, sites);
  const corner = html`<div class="dc-corner" data-testid="replay-corner"><span class="dc-site">${me?.name ?? s.site}</span>
    <span class="dc-clock">${fmtTime(now)} · ${fmtDate(now)}</span>
    <span class="dc-clock">Xem lại bản ghi ngày ${fmtDate(choice.recording.startedAt)}</span></div>`;
  const maketStatus = phase.kind === 'before' ? (src.range && phase.next ? `Tiếp theo: ${phase.next.title}` : 'Hội nghị sắp bắt đầu')
    : phase.kind === 'between' ? `Tiếp theo: ${phase.next.title}`
    : phase.kind === 'after' ? (choice.item && phase.last ? `Đã hết nội dung: ${phase.last.title}` : 'Hội nghị đã kết thúc · Xin cảm ơn các đồng chí')
    : '';
  const showMaket = phase.kind === 'before' || phase.kind === 'between' || phase.kind === 'after';
  const items = list.map((c) => c.item);
  const allWatched = choice.item === null && items.length > 0 && items.every((i) => watched.current.has(i));
  const record = () => onRecord(allWatched ? 'all' : watched.current.size ? items.filter((i) => watched.current.has(i)) : choice.item ? [choice.item] : 'all');

  return html`<div class=${`replay-stage${idle && playing ? ' idle' : ''}`} data-testid="replay-player" data-from=${src.from}>
    <video ref=${video} id="replay-video" playsinline preload="auto" onClick=${toggle}></video>
    <div class="replay-overlay">${showMaket
      ? html`<${MaketView} lines=${conf.maket} title=${conf.title} date=${conf.date} place=${place} status=${maketStatus} corner=${corner} />`
      : cur ? html`<div class="dc-ov" data-view="programme"><div class="dc-third" data-testid="replay-item" data-item=${cur.item}>
          <div class="dc-num">${num(cur)}</div><div class="dc-text"><div class="dc-title">${cur.title}</div><div class="dc-presenter">${agenda.get(cur.item)?.presenter ?? ''}</div></div></div>${corner}</div>` : ''}</div>
    <aside class="replay-chapters chrome" aria-label=${T('Các nội dung', 'Chapters')}>
      <div class="replay-chapters-head">${T('Chương trình', 'Agenda')} <small>${src.from === 'cache' ? T('· bản lưu trên máy', '· stored copy') : T('· phát qua mạng', '· streamed')}</small></div>
      ${list.length === 0 ? html`<div class="replay-empty">${T('Bản ghi chưa có mốc nội dung.', 'No chapters in this recording.')}</div>` : ''}
      <ol data-testid="replay-chapters">${list.map((c) => html`<li key=${c.item}>
        <button type="button" data-chapter=${c.item} class=${cur?.item === c.item ? 'current' : ''} aria-current=${cur?.item === c.item ? 'true' : undefined} onClick=${() => seek(c)}>
          <span class="n">${num(c)}</span><span class="t">${c.title}</span><span class="d">${clock(c.startMs)}–${clock(c.endMs)}</span></button></li>`)}</ol>
    </aside>
    <div class="replay-bar chrome">
      <button type="button" class="rb" onClick=${onBack} title=${T('Chọn bản ghi khác', 'Pick another recording')}>← ${T('Chọn lại', 'Back')}</button>
      <button type="button" class="rb" onClick=${() => step(-1)} title=${T('Nội dung trước', 'Previous item')} aria-label=${T('Nội dung trước', 'Previous item')} disabled=${!list.length}>${icon('prev')}</button>
      <button type="button" class="rb play" data-testid="replay-toggle" aria-label=${playing ? T('Tạm dừng', 'Pause') : T('Phát', 'Play')} onClick=${toggle}>${icon(playing ? 'pause' : 'play')}</button>
      <button type="button" class="rb" onClick=${() => step(1)} title=${T('Nội dung sau', 'Next item')} aria-label=${T('Nội dung sau', 'Next item')} disabled=${!list.length}>${icon('next')}</button>
      <span class="replay-time" data-testid="replay-time">${clock(t)} / ${clock(duration)}</span>
      <span class="replay-spacer"></span>
      <button type="button" class="rb primary" data-testid="replay-record" onClick=${record}>${T('Ghi nhận buổi học tập lại', 'Record the replay session')}</button>
      <button type="button" class="rb" onClick=${() => void document.documentElement.requestFullscreen?.().catch(() => undefined)} title=${T('Toàn màn hình', 'Full screen')} aria-label=${T('Toàn màn hình', 'Full screen')}>${icon('full')}</button>
    </div>
    ${error ? html`<div class="replay-error" role="alert" data-testid="replay-play-error">${error}</div>` : ''}
  </div>`;
}
