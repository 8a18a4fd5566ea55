// What a hall shows while its link carries the sound only (media/audio-only.ts
// on the node): a small badge in the corner, never an error, and the maket over
// the picture the link cannot carry. The hall overlay draws the conference's own
// maket when a control service is known; without one this title card stands in.
import { html, render } from './html.js';
import { MaketView } from './hall-overlay.js';
import { HALL_CSS } from './hall-overlay-css.js';

export const AUDIO_ONLY_TEXT = { vi: 'Chỉ có tiếng — đường truyền yếu', en: 'Audio only — weak link' };
const CARD_STATUS = 'Âm thanh vẫn phát · Hình ảnh tự trở lại khi đường truyền tốt hơn / The sound goes on; the picture returns by itself when the link improves';

const BADGE_CSS = `
#audio-only { padding: .5vh 1.4vh; background: rgba(120, 72, 0, .85); color: #fff; border: .15vh solid #ffd54f; border-radius: 1vh;
  font-size: max(13px, 1.6vh); line-height: 1.3; }
#audio-only span[lang='en'] { margin-left: .6em; opacity: .8; font-size: .85em; }
#audio-only span[lang='en']::before { content: '· '; }
#audio-only[hidden], #audio-only-card[hidden] { display: none; }
#audio-only-card { position: fixed; inset: 0; pointer-events: none; }
`;

export interface AudioOnlyView {
  /** Shows or hides the badge; `ownCard`: also the title card (no overlay draws the maket). */
  set(on: boolean, ownCard: boolean): void;
  readonly shown: boolean;
}

/** The badge goes into `hud` (top-left corner); the card, when needed, just before it. */
export function mountAudioOnly(hud: HTMLElement): AudioOnlyView {
  if (!document.getElementById('dc-audio-only-css')) {
    const style = document.createElement('style');
    style.id = 'dc-audio-only-css';
    style.textContent = BADGE_CSS + (document.getElementById('dc-hall-overlay-css') ? '' : HALL_CSS);
    document.head.append(style);
  }
  const badge = document.createElement('div');
  badge.id = 'audio-only';
  badge.dataset.testid = 'audio-only';
  badge.setAttribute('role', 'status');
  badge.hidden = true;
  for (const lang of ['vi', 'en'] as const) {
    const span = document.createElement('span');
    span.lang = lang;
    span.textContent = AUDIO_ONLY_TEXT[lang];
    badge.append(span);
  }
  hud.append(badge);
  const card = document.createElement('div');
  card.id = 'audio-only-card';
  card.hidden = true;
  hud.before(card);
  render(html`<${MaketView} lines=${['*', 'HỘI NGHỊ TRỰC TUYẾN']} title="HỘI NGHỊ TRỰC TUYẾN" date="" place="" status=${CARD_STATUS} corner=${''} />`, card);
  return {
    set(on, ownCard) {
      badge.hidden = !on;
      card.hidden = !(on && ownCard);
    },
    get shown() { return !badge.hidden; },
  };
}
