// Small building blocks shared by every app: header with language switch and
// connection state, panels, progress bars, full-page messages.
import type { ComponentChildren } from 'preact';
import type { Signal } from '@preact/signals';
import { html } from './html.js';
import { T, lang, toggleLang } from './i18n.js';
import { fmtIsoDate, fmtBytes } from './format.js';
import type { Connection } from './control-client.js';
import type { Conference } from '../../signaling/control.js';

export function LangSwitch() {
  return html`<button class="btn btn-ghost lang" onClick=${toggleLang}
    aria-label=${T('Chuyển sang tiếng Anh', 'Switch to Vietnamese')}
    title=${T('Chuyển ngôn ngữ', 'Switch language')}>${lang.value === 'vi' ? 'EN' : 'VI'}</button>`;
}

export function ConnectionBadge({ connection }: { connection: Signal<Connection> }) {
  const c = connection.value;
  const text = {
    connecting: T('Đang kết nối…', 'Connecting…'),
    online: T('Đã kết nối', 'Connected'),
    reconnecting: T('Mất kết nối — đang tự kết nối lại…', 'Connection lost — reconnecting…'),
    unauthorized: T('Liên kết không hợp lệ', 'Link not valid'),
    revoked: T('Liên kết đã bị thu hồi', 'Link revoked'),
  }[c];
  return html`<span class=${`badge conn conn-${c}`} role="status" data-connection=${c}>${text}</span>`;
}

export interface HeaderProps {
  app: string;
  conference: Conference | null;
  connection: Signal<Connection>;
  extra?: ComponentChildren;
}

export function AppHeader({ app, conference, connection, extra }: HeaderProps) {
  return html`<header class="app-header">
    <div class="brand"><span class="logo" aria-hidden="true">★</span> <strong>Điểm Cầu</strong> <span class="app-name">${app}</span></div>
    <div class="conf-title">${conference ? html`<span class="plan">${conference.planNumber}</span> ${conference.title}
      <span class="muted"> · ${fmtIsoDate(conference.date)}</span>` : ''}</div>
    <div class="header-right">${extra}<${ConnectionBadge} connection=${connection} /><${LangSwitch} /></div>
  </header>`;
}

export function Panel({ title, id, actions, children, class: cls = '' }: { title: string; id?: string; actions?: ComponentChildren; children?: ComponentChildren; class?: string }) {
  return html`<section class=${`panel ${cls}`} id=${id} aria-labelledby=${id ? `${id}-h` : undefined}>
    <div class="panel-head"><h2 id=${id ? `${id}-h` : undefined}>${title}</h2><div class="panel-actions">${actions}</div></div>
    <div class="panel-body">${children}</div>
  </section>`;
}

/** A labelled progress bar; `total` 0 shows an indeterminate bar. */
export function Progress({ done, total, label, bytes = false }: { done: number; total: number; label?: string; bytes?: boolean }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  const figure = bytes ? `${fmtBytes(done)}${total ? ` / ${fmtBytes(total)}` : ''}` : `${pct}%`;
  return html`<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct} aria-label=${label}>
    <div class=${`progress-fill${total ? '' : ' indeterminate'}`} style=${{ width: `${total ? pct : 100}%` }}></div>
    <span class="progress-text">${label ? `${label} — ` : ''}${figure}</span>
  </div>`;
}

/** Full-page message for states where the app cannot work (no link, revoked). */
export function FullMessage({ title, text }: { title: string; text: string }) {
  return html`<div class="full-message" role="alert"><div class="box">
    <div class="logo big" aria-hidden="true">★</div><h1>${title}</h1><p>${text}</p><${LangSwitch} />
  </div></div>`;
}

/** Coloured dot + word for a site's state. */
export function Dot({ color, label }: { color: 'green' | 'amber' | 'red' | 'grey'; label: string }) {
  return html`<span class=${`dot dot-${color}`} title=${label} aria-label=${label}></span>`;
}
