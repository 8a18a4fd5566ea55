// Choosing what to replay: the conference's recordings (date, length, size,
// items), the whole or one agenda item, and whether the site holds its own copy
// (it then plays without a link); a copy pushed here but not stored yet can be
// stored now.
import type { Recording } from '../../../signaling/recording.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtBytes, fmtDmyHm } from '../format.js';
import { Progress } from '../components.js';
import type { MaterialCache } from '../material-cache.js';
import { pushedCopies, type ReplayBundle } from './bundle.js';
import { cachedFor, type Choice } from './source.js';
import { clock } from './timeline.js';

export function Picker({ bundle, cache, online, onPick, onRetry }: {
  bundle: ReplayBundle; cache: MaterialCache; online: boolean; onPick: (c: Choice) => void; onRetry: () => void;
}) {
  const conf = bundle.snapshot.conference;
  const order = new Map(bundle.snapshot.agenda.items.map((i) => [i.id, i.order]));
  const local = cache.local.value;
  // offline, only what is stored here can play
  const recs = bundle.recordings.filter((r) => r.segments > 0 && (online || cachedFor(bundle, cache, { recording: r, item: null }) || pushedCopies(bundle, r).some((p) => local.get(p.material.id)?.state === 'cached')))
    .sort((a, b) => b.startedAt - a.startedAt);
  const copyBadge = (r: Recording, item: string | null) => {
    const where = cachedFor(bundle, cache, { recording: r, item });
    return where ? html`<span class="state-pill state-done" data-testid="replay-cached">✓ ${T('đã lưu trên máy', 'stored here')}</span>` : '';
  };
  return html`<div class="replay-picker" data-testid="replay-picker">
    <h1>${T('Học tập lại', 'Replay')} <small>· ${conf.title}</small></h1>
    ${!online ? html`<div class="replay-offline" role="status" data-testid="replay-offline">
      ${T(`Đang mất kết nối với máy chủ: chỉ xem được bản ghi đã lưu trên máy (thông tin lưu lúc ${fmtDmyHm(bundle.savedAt)}).`, `The server cannot be reached: only recordings stored here can play (details saved ${fmtDmyHm(bundle.savedAt)}).`)}
      <button class="btn btn-small" onClick=${onRetry}>${T('Thử kết nối lại', 'Try again')}</button></div>` : ''}
    ${recs.length === 0 ? html`<div class="empty">${online
      ? T('Hội nghị chưa có bản ghi nào. Bản ghi có sau khi hội nghị được ghi hình.', 'The conference has no recording yet. One appears once the conference is recorded.')
      : T('Chưa có bản ghi nào lưu trên máy. Hãy kết nối mạng, hoặc xin Ban tổ chức gửi bản ghi tới điểm cầu.', 'No recording is stored here. Connect to the network, or ask the organisers to send the recording to this site.')}</div>` : ''}
    ${recs.map((r) => html`<section key=${r.id} class="replay-rec" data-recording=${r.id}>
      <div class="replay-rec-head">
        <div><strong>${T('Bản ghi', 'Recording')} ${fmtDmyHm(r.startedAt)}</strong> · ${clock(r.durationMs)} · ${fmtBytes(r.bytes)} · ${r.chapters.length} ${T('nội dung', 'items')}
          ${r.state === 'recording' ? html` <span class="state-pill state-pending">${T('đang ghi', 'recording')}</span>` : ''} ${copyBadge(r, null)}</div>
        <button class="btn btn-primary" data-testid="replay-play-all" onClick=${() => onPick({ recording: r, item: null })}>▶ ${T('Phát cả hội nghị', 'Play the whole conference')}</button>
      </div>
      <ol class="replay-rec-items">${[...r.chapters].sort((a, b) => a.startMs - b.startMs).map((c) => html`<li key=${c.item}>
        <span>${(order.get(c.item) ?? 0) + 1}. ${c.title} <small class="muted">${clock(c.endMs - c.startMs)}</small> ${copyBadge(r, c.item)}</span>
        <button class="btn btn-small" data-play-item=${c.item} onClick=${() => onPick({ recording: r, item: c.item })}>▶ ${T('Phát nội dung này', 'Play this item')}</button></li>`)}</ol>
      ${pushedCopies(bundle, r).map(({ material: m, item }) => {
        const st = local.get(m.id) ?? { state: 'missing' as const };
        if (st.state === 'cached') return '';
        return html`<div key=${m.id} class="replay-copy" data-copy=${m.id}>${T('Ban tổ chức đã gửi bản ghi này tới điểm cầu', 'The organisers sent this recording to the site')}${item ? ` (${T('nội dung', 'item')} ${(order.get(item) ?? 0) + 1})` : ''}.
          ${st.state === 'downloading' ? html`<${Progress} done=${st.done} total=${st.total} bytes label=${T('Đang lưu về máy', 'Storing')} />`
            : st.state === 'verifying' ? T('Đang kiểm tra sha256…', 'Verifying sha256…')
            : online ? html`<button class="btn btn-small" onClick=${() => cache.fetch(m)}>${T('Lưu về máy để xem khi mất mạng', 'Store it here to play offline')}</button>` : ''}
          ${st.state === 'failed' ? html`<small class="check-fail">${st.error}</small>` : ''}</div>`;
      })}
    </section>`)}
  </div>`;
}
