// The technician console's replay panel: open the replay page on the hall
// display, report a replay session, see the site's earlier ones.
import { useEffect, useState } from 'preact/hooks';
import type { Recording } from '../../../signaling/recording.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { Panel } from '../components.js';
import type { AppSession } from '../app.js';
import { ReplayForm, ReplayHistory } from './replay-form.js';

/**
 * The replay page's link for this site, on the control service (the page plays recordings and cached
 * copies of its own origin); the page takes the token out of its address bar at once.
 */
export function replayLink(s: AppSession): string {
  return `${s.api.base}/replay.html?${new URLSearchParams({ site: s.site ?? '', token: s.token })}`;
}

export function ReplayPanel({ s }: { s: AppSession }) {
  const [recordings, setRecordings] = useState<Recording[]>([]);
  useEffect(() => {
    s.api.call('listRecordings', { params: { conf: s.conf } }).then((l) => setRecordings(l.filter((r) => r.segments > 0))).catch(() => undefined);
  }, []);
  const open = html`<a class="btn btn-small" data-testid="replay-open" href=${replayLink(s)} target="_blank" rel="noopener"
    title=${T('Mở trên máy chiếu của hội trường', 'Open it on the hall display')}>▶ ${T('Mở trang học tập lại', 'Open the replay page')}</a>`;
  return html`<${Panel} title=${T('Học tập lại (Replay)', 'Replay session')} id="replay" actions=${open}>
    <${ReplayForm} s=${s} recordings=${recordings} />
    <${ReplayHistory} s=${s} />
  </${Panel}>`;
}
