// Live figures of this hall's stream as the media node sees it: bitrate, loss,
// RTT, simulcast layer and frame rate per stream of the site.
import { useEffect, useState } from 'preact/hooks';
import type { StatsRes } from '../../../signaling/media.js';
import { html } from '../html.js';
import { T, tx } from '../i18n.js';
import { linkAdvice } from './link-advice.js';
import { fmtKbps, fmtTime } from '../format.js';
import { Panel } from '../components.js';
import { humanError } from '../errors.js';
import { watchNodeStats } from '../media-link.js';
import { mediaTokensOf } from '../media-tokens.js';
import type { AppSession } from '../app.js';

export function LiveStats({ s, nodeUrl }: { s: AppSession; nodeUrl: string | undefined }) {
  const [stats, setStats] = useState<StatsRes | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!nodeUrl) return;
    let stop: (() => void) | undefined;
    let cancelled = false;
    void mediaTokensOf(s).then((tokens) => {
      if (!cancelled) stop = watchNodeStats(nodeUrl, tokens, (st) => { setStats(st); setError(''); }, (err) => setError(humanError(err)), 2000);
    });
    return () => { cancelled = true; stop?.(); };
  }, [nodeUrl]);
  const streams = (stats?.streams ?? []).filter((x) => x.site === s.site).sort((a, b) => a.hop.localeCompare(b.hop) || a.kind.localeCompare(b.kind));
  const advice = stats && s.site ? linkAdvice(stats.streams, s.site) : null;
  const hop = (h: string, d: string) => ({ hall: T('Tới màn hình hội trường', 'To the hall screen'), pipe: d === 'in' ? T('Từ cấp trên', 'From the level above') : T('Tới cấp dưới', 'To the level below'), source: T('Hình của điểm cầu', 'This site\'s camera') } as Record<string, string>)[h] ?? h;
  return html`<${Panel} title=${T('Tín hiệu đang phát tại hội trường', 'Live stream at this hall')} id="live-stats"
      actions=${stats ? html`<small>${stats.nodeId} · ${fmtTime(stats.at, true)}</small>` : ''}>
    ${!nodeUrl ? html`<div class="empty">${T('Chưa biết máy chủ truyền hình của điểm cầu.', 'The media server of this site is not known.')}</div>` : ''}
    ${error ? html`<div class="check-fail" style=${{ marginBottom: '6px' }}>${error}</div>` : ''}
    ${nodeUrl && !error && streams.length === 0 ? html`<div class="empty">${T('Chưa có luồng nào tại điểm cầu này (màn hình hội trường chưa mở hoặc chưa có tín hiệu).', 'No stream at this site yet (the hall screen is not open or there is no signal).')}</div>` : ''}
    ${streams.length ? html`<table class="grid" data-testid="stream-table"><thead><tr>
      <th>${T('Luồng', 'Stream')}</th><th class="num">${T('Tốc độ', 'Bitrate')}</th><th class="num">${T('Mất gói', 'Loss')}</th><th class="num">RTT</th><th class="num">${T('Lớp', 'Layer')}</th><th class="num">fps</th></tr></thead>
      <tbody>${streams.map((x) => html`<tr key=${x.id}>
        <td>${x.kind === 'video' ? T('Hình', 'Video') : T('Tiếng', 'Audio')} · ${hop(x.hop, x.direction)}</td>
        <td class="num">${fmtKbps(x.bitrate)}</td>
        <td class=${`num ${x.lossRate > 0.05 ? 'check-fail' : ''}`}>${(x.lossRate * 100).toFixed(1)}%</td>
        <td class="num">${x.rtt !== undefined ? `${Math.round(x.rtt)} ms` : '—'}</td>
        <td class="num">${x.spatialLayer !== undefined ? `${x.spatialLayer}${x.temporalLayer !== undefined ? `/${x.temporalLayer}` : ''}` : '—'}</td>
        <td class="num">${x.fps ?? '—'}</td>
      </tr>`)}</tbody></table>` : ''}
    ${advice ? html`<div class=${`link-advice q-${advice.quality}`} data-testid="link-advice" data-quality=${advice.quality} style=${{ marginTop: '8px' }}>
      <div><strong>${tx(advice.summary)}</strong></div>
      <div><small>${tx(advice.profile)}</small></div>
      ${advice.steps.length ? html`<ol>${advice.steps.map((st) => html`<li>${tx(st)}</li>`)}</ol>` : ''}
    </div>` : ''}
  </${Panel}>`;
}
