// Attendance: % present per unit of the report level (chart; default districts), and for the selected site its
// delegate groups, own hall and whole subtree, expected vs present.
import type { Signal } from '@preact/signals';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtNum, fmtPct, fmtDateTime } from '../format.js';
import { Panel } from '../components.js';
import { BarChart } from '../chart.js';
import { levelText } from '../site-status.js';
import { kindName, kindRank, reportKind } from '../kinds.js';
import type { AppSession } from '../app.js';
import { ExportButtons } from './exports.js';
import { noReplay, replayTree } from '../replay/figures.js';
import { ReplayFigure, ReplayList, useReplays } from '../replay/org-attendance.js';

export function AttendancePanel({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  const store = s.client.store;
  useReplays(s);
  const sites = store.sites.value;
  const rolls = store.rollups.value;
  // the chart's units: the sites of the report level the organizer picked (default: districts), else the root's children
  const unitKind = reportKind.value ?? 'district';
  const ofKind = sites.filter((x) => x.level === unitKind);
  const units = (ofKind.length ? ofKind : sites.filter((x) => x.path.length === 1)).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name, 'vi'));
  const chartTitle = ofKind.length && unitKind !== 'district'
    ? T(`Tỉ lệ có mặt theo ${kindName(unitKind).toLocaleLowerCase('vi')}`, `Present by ${kindName(unitKind).toLowerCase()}`)
    : ofKind.length ? T('Tỉ lệ có mặt theo huyện', 'Present by district') : T('Tỉ lệ có mặt theo đơn vị trực thuộc', 'Present by unit');
  const rows = units.map((d) => {
    const r = rolls.get(d.id);
    return { id: d.id, label: d.name, part: r?.totalPresent ?? 0, whole: r?.totalExpected ?? 0, selected: selected.value === d.id, onClick: () => { selected.value = d.id; } };
  });
  const root = sites.find((x) => x.parent === null);
  const sel = store.siteById.value.get(selected.value ?? '') ?? root;
  const roll = sel ? rolls.get(sel.id) : undefined;
  const own = sel ? store.attendance.value.get(sel.id) : undefined;
  // Groups of every level present in the subtree, in order.
  const groups = store.groups.value.filter((g) => (roll?.expected[g.id] ?? 0) > 0 || (roll?.present[g.id] ?? 0) > 0 || g.level === sel?.level)
    .sort((a, b) => kindRank(a.level) - kindRank(b.level) || a.level.localeCompare(b.level) || a.order - b.order);
  const rootRoll = root ? rolls.get(root.id) : undefined;
  const total = roll ? { p: roll.totalPresent, e: roll.totalExpected } : { p: 0, e: 0 };
  // replay sessions ("học tập lại") beside the live figures, never added to them
  const rp = replayTree(store.replays.value, store.siteById.value);
  const selRp = (sel && rp.get(sel.id)) || noReplay;

  return html`<div class="att-layout">
    <${Panel} title=${chartTitle} id="att-chart" actions=${html`<${ExportButtons} s=${s} />`}>
      ${rootRoll ? html`<div style=${{ marginBottom: '8px' }}>${T('Toàn hội nghị', 'Whole conference')}: <strong data-testid="root-present">${fmtNum(rootRoll.totalPresent)}</strong> / ${fmtNum(rootRoll.totalExpected)}
        (${fmtPct(rootRoll.totalPresent, rootRoll.totalExpected)}) · ${rootRoll.reported}/${rootRoll.sites} ${T('điểm cầu đã báo số', 'sites reported')}
        <${ReplayFigure} sums=${(root && rp.get(root.id)) || noReplay} testid="root-replay" /></div>` : ''}
      ${rows.length ? html`<${BarChart} rows=${rows} label=${chartTitle} />` : html`<div class="empty">${T('Chưa có dữ liệu', 'No data yet')}</div>`}
    </${Panel}>
    <${Panel} title=${sel ? `${sel.name} · ${levelText(sel.level)}` : T('Điểm cầu', 'Site')} id="att-groups">
      ${sel && roll ? html`<div class="btn-row" style=${{ marginBottom: '8px', gap: '18px' }}>
        <div><div class="big-figure" data-testid="sel-present">${fmtNum(total.p)}</div><small>${T('có mặt', 'present')}</small></div>
        <div><div class="big-figure">${fmtNum(total.e)}</div><small>${T('dự kiến', 'expected')}</small></div>
        <div><div class="big-figure">${fmtPct(total.p, total.e)}</div><small>${T('tỉ lệ', 'rate')}</small></div>
        <div><div class="big-figure">${roll.reported}/${roll.sites}</div><small>${T('điểm cầu đã báo số', 'sites reported')}</small></div>
        <div><div class="big-figure">${roll.online}/${roll.sites}</div><small>${T('trực tuyến', 'online')}</small></div>
        <div class="replay-figure"><div class="big-figure" data-testid="sel-replay">${fmtNum(selRp.total)}</div><small>${T('học tập lại (Replay)', 'replay')} · ${selRp.sessions} ${T('buổi', 'sessions')}</small></div>
      </div>` : ''}
      <table class="grid">
        <thead><tr><th>${T('Thành phần', 'Delegate group')}</th><th class="num">${T('Trực tiếp: tại hội trường', 'Live: this hall')}</th><th class="num">${T('Trực tiếp: cả cấp dưới', 'Live: whole subtree')}</th><th class="num">%</th>
          <th class="num">${T('Học tập lại (Replay): cả cấp dưới', 'Replay: whole subtree')}</th></tr></thead>
        <tbody>${groups.map((g) => {
          const ep = roll?.expected[g.id] ?? 0, pp = roll?.present[g.id] ?? 0;
          return html`<tr key=${g.id} data-group=${g.id}>
            <td><small>${levelText(g.level)}</small> · ${T(g.name, g.nameEn ?? g.name)}</td>
            <td class="num">${own && g.level === sel?.level ? `${fmtNum(own.present[g.id] ?? 0)} / ${fmtNum(own.expected[g.id] ?? 0)}` : '—'}</td>
            <td class="num">${fmtNum(pp)} / ${fmtNum(ep)}</td>
            <td class="num">${fmtPct(pp, ep)}</td>
            <td class="num" data-replay=${g.id}>${fmtNum(selRp.present[g.id] ?? 0)}</td>
          </tr>`;
        })}</tbody>
      </table>
      ${own?.reported && own.updatedAt ? html`<small>${T('Cập nhật', 'Updated')} ${fmtDateTime(own.updatedAt)}</small>` : ''}
      ${sel ? html`<${ReplayList} s=${s} site=${sel} />` : ''}
    </${Panel}>
  </div>`;
}
