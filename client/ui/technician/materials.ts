// Materials at this site: download progress, verified sha256, and opening the
// cached copy without a link.
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtBytes, fmtTime } from '../format.js';
import { Panel, Progress } from '../components.js';
import { act } from '../notices.js';
import type { MaterialCache } from '../material-cache.js';
import type { AppSession } from '../app.js';

export function SiteMaterials({ s, cache }: { s: AppSession; cache: MaterialCache }) {
  const mats = s.client.store.materials.value;
  const local = cache.local.value;
  return html`<${Panel} title=${T('Tài liệu', 'Materials')} id="site-materials"
      actions=${html`<button class="btn btn-small" onClick=${() => cache.syncAll(mats)}>${T('Tải lại tất cả', 'Sync all')}</button>`}>
    ${mats.length === 0 ? html`<div class="empty">${T('Chưa có tài liệu nào được gửi tới điểm cầu', 'No materials sent to this site yet')}</div>` : ''}
    <div class="cards" style=${{ maxHeight: '420px', overflowY: 'auto', gap: '6px' }}>${mats.map((m) => {
      const st = local.get(m.id) ?? { state: 'missing' as const };
      return html`<div key=${m.id} class="card" data-material=${m.id} data-local=${st.state}>
        <div class="btn-row" style=${{ justifyContent: 'space-between', flexWrap: 'nowrap' }}>
          <div style=${{ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title=${`${m.title} — ${m.filename}`}><strong>${m.title}</strong> <small>v${m.version} · ${fmtBytes(m.size)}</small></div>
          ${st.state === 'cached' ? html`<button class="btn btn-small" onClick=${() => act(() => cache.open(m))}>${T('Mở', 'Open')}</button>`
            : st.state === 'failed' || st.state === 'missing' ? html`<button class="btn btn-small btn-primary" onClick=${() => cache.fetch(m)}>${T('Tải về', 'Download')}</button>` : ''}
        </div>
        ${st.state === 'downloading' ? html`<${Progress} done=${st.done} total=${st.total} bytes label=${T('Đang tải', 'Downloading')} />` : ''}
        ${st.state === 'verifying' ? html`<small>${T('Đang kiểm tra mã sha256…', 'Verifying sha256…')}</small>` : ''}
        ${st.state === 'cached' ? html`<div class="status-line" title=${`sha256 ${st.sha256}`}><span class="check-ok">✓ ${T('Đúng sha256, đã lưu trên máy', 'sha256 verified, stored here')}</span>
          <span class="muted"> · ${st.sha256.slice(0, 16)}… · ${fmtTime(st.at)} · ${T('mở được khi mất mạng', 'opens offline')}</span></div>` : ''}
        ${st.state === 'failed' ? html`<small class="check-fail">${st.error}</small>` : ''}
      </div>`;
    })}</div>
  </${Panel}>`;
}
