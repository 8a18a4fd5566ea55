// Technician console for one site: pre-flight check, live stream figures,
// headcount, materials, incidents, the floor.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { signal } from '@preact/signals';
import type { Site } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { AppHeader, FullMessage } from '../components.js';
import { levelText } from '../site-status.js';
import { loadKinds } from '../kinds.js';
import { MaterialCache } from '../material-cache.js';
import type { AppSession } from '../app.js';
import { Preflight } from './preflight.js';
import { LiveStats } from './live-stats.js';
import { Headcount } from './headcount.js';
import { SiteMaterials } from './materials.js';
import { IncidentForm } from './incident-form.js';
import { FloorAsk } from './floor-ask.js';
import { ReplayPanel } from './replay-panel.js';
import { ControlPushes } from '../../../signaling/control.js';

export function TechnicianApp({ s }: { s: AppSession }) {
  const store = s.client.store;
  const stream = useMemo(() => signal<MediaStream | null>(null), []);
  const cache = useMemo(() => new MaterialCache(s.api, s.client, s.conf, s.site ?? ''), []);
  const [site, setSite] = useState<Site | undefined>(undefined);
  const fromStore = store.siteById.value.get(s.site ?? '');
  useEffect(() => {
    if (!s.site) return;
    // Site info carries the media node URL; the snapshot may not include it for a site client.
    s.api.call('getSite', { params: { conf: s.conf, site: s.site } }).then(setSite).catch(() => undefined);
    s.api.call('listRehearsals', { params: { conf: s.conf }, query: { site: s.site } }).then((l) => store.setRehearsals(l)).catch(() => undefined);
    loadKinds(s.api, s.conf).catch(() => undefined); // the site's kind by its name in this conference
  }, []);
  // Every snapshot (first connect, reconnect) and every new material: fetch what is missing.
  useEffect(() => {
    s.client.opts.onSnapshot = () => void cache.syncAll(store.materials.value);
    s.client.opts.onPush = (ev, data) => {
      if (ev === ControlPushes.materialNotify) void cache.fetch((data as { material: never }).material);
    };
    if (s.client.connection.value === 'online') void cache.syncAll(store.materials.value);
    else void cache.scan(store.materials.value);
    // A missed push must not leave a file behind: look for new versions once a minute.
    const t = setInterval(() => {
      s.api.call('listMaterials', { params: { conf: s.conf } }).then((list) => {
        for (const m of list) {
          const have = store.materials.value.find((x) => x.id === m.id);
          if (!have || have.version < m.version) { store.upsertMaterial(m); void cache.fetch(m); }
        }
      }).catch(() => undefined);
    }, 60_000);
    return () => clearInterval(t);
  }, []);
  if (!s.site) return html`<${FullMessage} title=${T('Thiếu điểm cầu', 'No site')} text=${T('Đường liên kết kỹ thuật viên phải gắn với một điểm cầu. Hãy xin Ban tổ chức liên kết đúng.', 'A technician link must name a site. Ask the organisers for the right link.')} />`;
  const info = site ?? fromStore;
  const nodeUrl = info?.mediaUrl || fromStore?.mediaUrl;
  return html`<div>
    <${AppHeader} app=${T('Kỹ thuật viên', 'Technician')} conference=${store.conference.value} connection=${s.client.connection}
      extra=${info ? html`<span class="badge" data-testid="site-name"><strong>${info.name}</strong> · ${levelText(info.level)} · ${info.mediaNode}</span>` : ''} />
    <main class="layout tech-layout">
      <div class="col"><${Preflight} s=${s} stream=${stream} nodeUrl=${nodeUrl} /></div>
      <div class="col"><${LiveStats} s=${s} nodeUrl=${nodeUrl} /><${FloorAsk} s=${s} stream=${stream} nodeUrl=${nodeUrl} /><${IncidentForm} s=${s} /></div>
      <div class="col"><${Headcount} s=${s} /><${SiteMaterials} s=${s} cache=${cache} /><${ReplayPanel} s=${s} /></div>
    </main>
  </div>`;
}
