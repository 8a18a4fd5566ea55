// The technician console's replay panel: open the replay page on the hall
// display, report a replay session, see the site's earlier ones.
import { html } from '../html.js';
import { T } from '../i18n.js';
import { Panel } from '../components.js';
import type { AppSession } from '../app.js';
import { ReplayForm, ReplayHistory } from './replay-form.js';

/** The replay page's link for this site; the page takes the token out of its address bar at once. */
export function replayLink(s: AppSession): string {
  const q = new URLSearchParams({ site: s.site ?? '', token: s.token });
  if (s.api.base) q.set('control', s.api.base);
  return `${s.api.base}/replay.html?${q}`;
}

export function ReplayPanel({ s }: { s: AppSession }) {
  const open = html`<a class="btn btn-small" data-testid="replay-open" href=${replayLink(s)} target="_blank" rel="noopener"
    title=${T('Mở trên máy chiếu của hội trường', 'Open it on the hall display')}>▶ ${T('Mở trang học tập lại', 'Open the replay page')}</a>`;
  return html`<${Panel} title=${T('Học tập lại (Replay)', 'Replay session')} id="replay" actions=${open}>
    <${ReplayForm} s=${s} />
    <${ReplayHistory} s=${s} />
  </${Panel}>`;
}
