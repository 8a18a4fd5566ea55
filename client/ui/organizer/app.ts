// Organizer dashboard: the site tree on the left, the work on the right in
// tabs (control room, attendance, materials, recordings, incidents, invitations, upward
// report), with a banner while the upward report is due.
import { useEffect, useMemo } from 'preact/hooks';
import { signal } from '@preact/signals';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { AppHeader, Panel } from '../components.js';
import { SiteTree } from '../site-tree.js';
import { humanError } from '../errors.js';
import type { AppSession } from '../app.js';
import { AgendaPanel } from './agenda-panel.js';
import { FloorPanel } from './floor-panel.js';
import { AttendancePanel } from './attendance-panel.js';
import { MaterialsPanel } from './materials-panel.js';
import { IncidentsPanel } from './incidents-panel.js';
import { InvitationsPanel } from './invitations-panel.js';
import { SiteCard } from './site-card.js';
import { UpwardPanel } from './upward-panel.js';
import { ReportDueBanner } from './report-due.js';
import { SettingsPanel } from './settings-panel.js';
import { AgendaEditor } from './agenda-editor.js';
import { SitesImportPanel } from './sites-import.js';
import { loadKinds } from '../kinds.js';
import { RecordingsPanel } from './recordings-panel.js';
import { RecordingAlarmBanner, RecordingIndicator, useRecordingStatus } from './recording-status.js';

type Tab = 'control' | 'settings' | 'sites' | 'agenda' | 'attendance' | 'materials' | 'recordings' | 'incidents' | 'invitations' | 'report';

export function OrganizerApp({ s }: { s: AppSession }) {
  const ui = useMemo(() => ({ tab: signal<Tab>((location.hash.slice(1) as Tab) || 'control'), selected: signal<string | null>(null) }), []);
  const store = s.client.store;
  useEffect(() => {
    s.api.call('listRehearsals', { params: { conf: s.conf } }).then((l) => store.setRehearsals(l)).catch((err) => console.warn(humanError(err)));
    const loadPresence = () => s.api.call('presence', { params: { conf: s.conf } }).then((l) => store.applyPresence(l)).catch((err) => console.warn(humanError(err)));
    // a snapshot (the first, a reconnect's, a missed push's) has no connection counts: read them after
    // each, once; if the first came before this page was drawn, read them now (with 31,000 sites a
    // second read of the first costs the page a second or more)
    s.client.opts.onSnapshot = () => void loadPresence();
    if (s.client.connection.value === 'online') void loadPresence();
    s.api.call('listIncidents', { params: { conf: s.conf } }).then((l) => { for (const i of l) store.upsertIncident(i); }).catch(() => undefined);
    s.api.call('upwardReport', { params: { conf: s.conf } }).then((r) => { store.upward.value ??= r; }).catch((err) => console.warn(humanError(err)));
    loadKinds(s.api, s.conf).catch((err) => console.warn(humanError(err)));
  }, []);
  const rec = useRecordingStatus(s.api, s.conf);
  const tab = ui.tab.value;
  const openIncidents = store.incidents.value.filter((i) => i.state === 'open').length;
  const waiting = (store.floor.value?.requests ?? []).filter((r) => r.state === 'waiting').length;
  const tabs: [Tab, string, number][] = [
    ['control', T('Điều hành', 'Control room'), waiting],
    ['settings', T('Thông tin hội nghị', 'Settings'), 0],
    ['sites', T('Điểm cầu', 'Sites'), 0],
    ['agenda', T('Soạn chương trình', 'Agenda'), 0],
    ['attendance', T('Điểm danh', 'Attendance'), 0],
    ['materials', T('Tài liệu', 'Materials'), 0],
    ['recordings', T('Ghi hình', 'Recordings'), 0],
    ['incidents', T('Sự cố', 'Incidents'), openIncidents],
    ['invitations', T('Liên kết mời', 'Invitations'), 0],
    ['report', T('Báo cáo lên cấp trên', 'Upward report'), 0],
  ];
  const go = (t: Tab) => { ui.tab.value = t; history.replaceState(null, '', `${location.search}#${t}`); };
  const treeHeight = Math.max(300, (typeof innerHeight === 'number' ? innerHeight : 768) - 235);
  return html`<div>
    <${AppHeader} app=${T('Ban tổ chức', 'Organiser')} conference=${store.conference.value} connection=${s.client.connection} extra=${html`<${RecordingIndicator} status=${rec} />`} />
    <nav class="tabs" role="tablist">${tabs.map(([id, label, n]) => html`<button key=${id} role="tab" aria-selected=${tab === id} data-tab=${id}
      onClick=${() => go(id)}>${label}${n ? html`<span class="count">${n}</span>` : ''}</button>`)}</nav>
    <main class="layout org-layout">
      <${Panel} title=${T('Điểm cầu', 'Sites')} id="tree" class="tree-panel"><${SiteTree} store=${store} selected=${ui.selected} height=${treeHeight} /></${Panel}>
      <div class="org-main" role="tabpanel">
        <${ReportDueBanner} s=${s} onOpen=${() => go('report')} />
        <${RecordingAlarmBanner} status=${rec} />
        ${tab === 'control' ? html`<${AgendaPanel} s=${s} />
          <div class="layout-2"><${FloorPanel} s=${s} selected=${ui.selected} /><${SiteCard} s=${s} selected=${ui.selected} /></div>` : ''}
        ${tab === 'settings' ? html`<${SettingsPanel} s=${s} selected=${ui.selected} />` : ''}
        ${tab === 'sites' ? html`<${SitesImportPanel} s=${s} selected=${ui.selected} />` : ''}
        ${tab === 'agenda' ? html`<${AgendaEditor} s=${s} />` : ''}
        ${tab === 'attendance' ? html`<${AttendancePanel} s=${s} selected=${ui.selected} />` : ''}
        ${tab === 'materials' ? html`<${MaterialsPanel} s=${s} selected=${ui.selected} />` : ''}
        ${tab === 'recordings' ? html`<${RecordingsPanel} s=${s} />` : ''}
        ${tab === 'incidents' ? html`<${IncidentsPanel} s=${s} />` : ''}
        ${tab === 'invitations' ? html`<${InvitationsPanel} s=${s} selected=${ui.selected} />` : ''}
        ${tab === 'report' ? html`<${UpwardPanel} s=${s} />` : ''}
      </div>
    </main>
  </div>`;
}
