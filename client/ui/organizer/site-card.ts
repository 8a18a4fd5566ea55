// The selected site at a glance: online since, media node, latest link test,
// attendance of its hall and subtree, technician contact.
import type { Signal } from '@preact/signals';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime, fmtPct, fmtDuration } from '../format.js';
import { Panel } from '../components.js';
import { levelText, linkQuality, qualityText, siteName, watchDetail, watchText } from '../site-status.js';
import type { AppSession } from '../app.js';

export function SiteCard({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  const store = s.client.store;
  const site = selected.value ? store.siteById.value.get(selected.value) : undefined;
  if (!site) return html`<${Panel} title=${T('Điểm cầu đang chọn', 'Selected site')} id="site-card"><div class="empty">${T('Chọn một điểm cầu trong cây bên trái.', 'Pick a site in the tree on the left.')}</div></${Panel}>`;
  const p = store.presence.value.get(site.id);
  const r = store.rehearsals.value.get(site.id);
  const q = linkQuality(r);
  const roll = store.rollups.value.get(site.id);
  const w = store.watch.value.get(site.id);
  const own = store.attendance.value.get(site.id);
  const sum = (c: Record<string, number> | undefined) => Object.values(c ?? {}).reduce((a, b) => a + b, 0);
  return html`<${Panel} title=${site.name} id="site-card">
    <dl class="kv">
      <dt>${T('Cấp', 'Level')}</dt><dd>${levelText(site.level)}${site.parent ? ` · ${siteName(store.siteById.value, site.parent)}` : ''}</dd>
      <dt>${T('Trạng thái', 'State')}</dt><dd><span class=${`dot ${p?.online ? 'dot-green' : ''}`}></span> ${p?.online ? T('Trực tuyến', 'Online') : T('Ngoại tuyến', 'Offline')}
        ${p?.totalMs ? html`<small> · ${T('tổng thời gian kết nối', 'connected for')} ${fmtDuration(p.totalMs)}</small>` : ''}</dd>
      <dt>${T('Xem hội nghị', 'Watching')}</dt><dd data-testid="site-watch">${watchText(w?.state ?? 'none')}
        ${w?.state === 'playing' && w.audioOnly ? html` <span class="watch-audio" data-testid="site-audio-only">${T('Chỉ có tiếng', 'Audio only')}${w.playing > 1 ? ` ${w.audioOnly}/${w.playing}` : ''}</span>` : ''}
        ${watchDetail(w) ? html`<small> · ${watchDetail(w)}</small>` : ''}</dd>
      <dt>${T('Máy chủ truyền hình', 'Media node')}</dt><dd>${site.mediaNode}</dd>
      <dt>${T('Đường truyền', 'Link')}</dt><dd><span class=${`link-q ${q}`} style=${{ display: 'inline-block' }}></span> ${qualityText(q)}
        ${r ? html`<small> · ${r.rttMs !== undefined ? `RTT ${Math.round(r.rttMs)} ms` : ''}${r.lossPct !== undefined ? ` · ${T('mất gói', 'loss')} ${r.lossPct.toFixed(1)}%` : ''}${r.bitrateKbps !== undefined ? ` · ${Math.round(r.bitrateKbps)} kbit/s` : ''} · ${fmtDateTime(r.at)}</small>` : ''}</dd>
      <dt>${T('Hội trường', 'Hall')}</dt><dd>${site.hall || '—'}</dd>
      <dt>${T('Kỹ thuật viên', 'Technician')}</dt><dd>${site.technician ? `${site.technician.name}${site.technician.phone ? ` · ${site.technician.phone}` : ''}` : '—'}</dd>
      <dt>${T('Tại hội trường', 'This hall')}</dt><dd>${own ? `${sum(own.present)} / ${sum(own.expected)} (${fmtPct(sum(own.present), sum(own.expected))})` : '—'}${own && !own.reported ? html` <small>${T('chưa báo số', 'not reported')}</small>` : ''}</dd>
      <dt>${T('Cả cấp dưới', 'Whole subtree')}</dt><dd>${roll ? `${roll.totalPresent} / ${roll.totalExpected} (${fmtPct(roll.totalPresent, roll.totalExpected)}) · ${roll.online}/${roll.sites} ${T('trực tuyến', 'online')}` : '—'}</dd>
      ${site.note ? html`<dt>${T('Ghi chú', 'Note')}</dt><dd><small>${site.note}</small></dd>` : ''}
    </dl>
  </${Panel}>`;
}
