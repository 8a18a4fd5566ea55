// The roll-up report to the level above: preview (units by name with level,
// sites, reported, expected, present), recipient and deadline, a note, send
// with a confirmation (the service freezes the figures), then the sent state
// with its time and how the live figures moved since. Printable PDF download.
import { useEffect, useState } from 'preact/hooks';
import { routePath } from '../../../signaling/control-routes.js';
import type { Rollup, UpwardReport } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDmyHm, fmtNum, fmtPct } from '../format.js';
import { Panel } from '../components.js';
import { levelText } from '../site-status.js';
import { act, notify } from '../notices.js';
import { humanError } from '../errors.js';
import type { AppSession } from '../app.js';
import { save, stamp } from './exports.js';
import { dueState, timeLeft, useNow } from './report-due.js';

type Row = Rollup & { name: string; level: UpwardReport['units'][number]['level'] };

function LiveCell({ frozen, live }: { frozen: Rollup; live: Rollup | undefined }) {
  if (!live) return html`<td class="num muted">—</td>`;
  const dp = live.totalPresent - frozen.totalPresent, de = live.totalExpected - frozen.totalExpected;
  const sign = (n: number) => (n > 0 ? `+${fmtNum(n)}` : fmtNum(n));
  return html`<td class="num" data-live=${live.site}>${fmtNum(live.totalPresent)} / ${fmtNum(live.totalExpected)}
    ${dp || de ? html` <span class="diff" data-diff=${dp}>(${dp ? `${sign(dp)} ${T('có mặt', 'present')}` : ''}${dp && de ? ', ' : ''}${de ? `${sign(de)} ${T('dự kiến', 'expected')}` : ''})</span>`
      : html` <small class="muted">${T('không đổi', 'unchanged')}</small>`}</td>`;
}

export function UpwardPanel({ s }: { s: AppSession }) {
  const store = s.client.store;
  const rep = store.upward.value;
  const live = store.rollups.value;
  const conf = store.conference.value;
  const now = useNow();
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState('');
  const load = async () => {
    setBusy('load');
    try { store.upward.value = await s.api.call('upwardReport', { params: { conf: s.conf } }); } catch (err) { notify(humanError(err), 'error'); }
    setBusy('');
  };
  useEffect(() => { void load(); }, []);
  const send = async () => {
    setBusy('send');
    const r = await act(() => s.api.call('sendUpward', { params: { conf: s.conf }, body: note.trim() ? { note: note.trim() } : {} }), T('Đã gửi báo cáo lên cấp trên', 'The report was sent'));
    if (r) store.upward.value = r;
    setConfirming(false);
    setBusy('');
  };
  const pdf = async () => {
    setBusy('pdf');
    await act(async () => save(await s.api.blob(routePath('reportResults', { conf: s.conf })), `bao-cao-ket-qua_${s.conf}_${stamp()}.pdf`));
    setBusy('');
  };

  const sent = rep?.sentAt;
  const deadline = rep?.deadline ?? conf?.reportDeadline;
  const due = dueState(deadline, sent, now);
  const rows: Row[] = rep ? [{ ...rep.root, name: T('Toàn hội nghị', 'Whole conference'), level: 'centre' }, ...rep.units] : [];
  // replay sessions ("học tập lại") in a column of their own, never in "Có mặt"
  const replay = new Map((rep?.replay ? [rep.replay.root, ...rep.replay.units] : []).map((f) => [f.site, f]));
  const changed = sent ? rows.filter((r) => { const l = live.get(r.site); return l && (l.totalPresent !== r.totalPresent || l.totalExpected !== r.totalExpected); }).length : 0;
  const actions = html`<button class="btn btn-small" data-testid="upward-refresh" disabled=${busy === 'load'} onClick=${load}>↻ ${sent ? T('Tải lại', 'Reload') : T('Làm mới số liệu', 'Refresh figures')}</button>
    <button class="btn btn-small" data-testid="upward-pdf" disabled=${busy === 'pdf'} onClick=${pdf}>⤓ ${T('Báo cáo PDF để ký', 'PDF report to sign')}</button>`;

  return html`<${Panel} title=${T('Báo cáo lên cấp trên', 'Upward report')} id="upward" actions=${actions}>
    ${!rep ? html`<div class="empty">${T('Đang lập báo cáo…', 'Preparing the report…')}</div>` : html`
    <dl class="kv">
      <dt>${T('Gửi tới', 'To')}</dt><dd data-testid="upward-to"><strong>${rep.reportsTo}</strong></dd>
      <dt>${T('Hạn gửi', 'Deadline')}</dt><dd data-testid="upward-deadline">${fmtDmyHm(rep.deadline)} <small class="muted">(${T('giờ Việt Nam', 'Vietnam time')})</small>
        ${due === 'overdue' ? html` <span class="state-pill state-failed">${T('đã quá hạn', 'overdue')}</span>`
          : due === 'soon' ? html` <span class="state-pill state-pending">${timeLeft(Date.parse(rep.deadline) - now)}</span>`
          : due === 'sent' ? html` <span class="state-pill ${sent! > Date.parse(rep.deadline) ? 'state-pending' : 'state-done'}">${sent! > Date.parse(rep.deadline) ? T('gửi sau hạn', 'sent late') : T('gửi đúng hạn', 'sent on time')}</span>` : ''}</dd>
      <dt>${T('Kế hoạch', 'Plan')}</dt><dd>${rep.planNumber} · ${rep.title}</dd>
    </dl>
    ${sent ? html`<div class="report-state sent" data-testid="upward-sent" data-sent-at=${sent}>
        ✔ ${T('Đã gửi lúc', 'Sent at')} <strong>${fmtDmyHm(sent)}</strong> — ${T('số liệu dưới đây đã được chốt khi gửi.', 'the figures below were frozen when it was sent.')}
        ${changed ? html`<div data-testid="upward-changed">${T(`Số liệu hiện tại đã thay đổi ở ${changed} dòng so với bản đã gửi (cột “Hiện tại”).`, `Live figures differ from the sent copy on ${changed} rows (column “Live now”).`)}</div>` : ''}
      </div>`
      : html`<div class="report-state" data-testid="upward-preview">${T('Bản xem trước — chưa gửi. Số liệu lập lúc', 'Preview — not sent. Figures as of')} ${fmtDmyHm(rep.generatedAt)}.</div>`}
    <table class="grid" data-testid="upward-table">
      <thead><tr><th>${T('Đơn vị', 'Unit')}</th><th>${T('Cấp', 'Level')}</th><th class="num">${T('Điểm cầu', 'Sites')}</th><th class="num">${T('Đã báo số', 'Reported')}</th>
        <th class="num">${T('Dự kiến', 'Expected')}</th><th class="num">${T('Có mặt — Trực tiếp (Live)', 'Present — live')}</th><th class="num">%</th>
        <th class="num">${T('Học tập lại (Replay)', 'Replay')}</th>
        ${sent ? html`<th class="num">${T('Hiện tại', 'Live now')}</th>` : ''}</tr></thead>
      <tbody>${rows.map((r, i) => html`<tr key=${r.site} data-unit=${r.site} class=${i === 0 ? 'total' : ''}>
        <td>${r.name}</td><td>${i === 0 ? '' : levelText(r.level)}</td><td class="num">${fmtNum(r.sites)}</td><td class="num">${fmtNum(r.reported)}</td>
        <td class="num">${fmtNum(r.totalExpected)}</td><td class="num" data-present>${fmtNum(r.totalPresent)}</td><td class="num">${fmtPct(r.totalPresent, r.totalExpected)}</td>
        <td class="num" data-replay title=${T('lượt người · số buổi', 'people · sessions')}>${replay.has(r.site) ? `${fmtNum(replay.get(r.site)!.totalPresent)} · ${replay.get(r.site)!.sessions} ${T('buổi', 'sess.')}` : '—'}</td>
        ${sent ? html`<${LiveCell} frozen=${r} live=${live.get(r.site)} />` : ''}</tr>`)}</tbody>
    </table>
    <p class="muted" style=${{ margin: '6px 0' }}>${T('Sự cố', 'Incidents')}: ${rep.incidents.open} ${T('đang mở', 'open')}, ${rep.incidents.handled} ${T('đã xử lý', 'handled')}${' · '}${T('Chương trình', 'Agenda')}: ${rep.agenda.filter((a) => a.actualEnd).length}/${rep.agenda.length} ${T('nội dung đã xong', 'items done')}</p>
    ${sent ? (rep.note ? html`<p data-testid="upward-note"><strong>${T('Ghi chú', 'Note')}:</strong> ${rep.note}</p>` : '')
      : html`<label class="field">${T('Ghi chú, kiến nghị gửi kèm (không bắt buộc)', 'Note or recommendations to send with it (optional)')}
        <textarea class="report-note" data-testid="upward-note-input" maxLength=${4000} value=${note} onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}></textarea></label>
      ${confirming ? html`<div class="report-confirm" role="alertdialog" aria-labelledby="upward-confirm-q" data-testid="upward-confirm">
          <p id="upward-confirm-q" style=${{ margin: '0 0 8px' }}>${T(`Gửi báo cáo tới ${rep.reportsTo}? Số liệu sẽ được chốt tại thời điểm gửi và không gửi lại được.`, `Send the report to ${rep.reportsTo}? The figures are frozen at the moment of sending and it cannot be sent again.`)}</p>
          <div class="btn-row"><button class="btn btn-primary" data-testid="upward-confirm-send" disabled=${busy === 'send'} onClick=${send}>${T('Xác nhận gửi', 'Yes, send it')}</button>
            <button class="btn" onClick=${() => setConfirming(false)}>${T('Huỷ', 'Cancel')}</button></div>
        </div>`
        : html`<div class="btn-row" style=${{ marginTop: '8px' }}><button class="btn btn-primary" data-testid="upward-send" onClick=${() => setConfirming(true)}>✉ ${T('Gửi báo cáo', 'Send the report')}</button></div>`}`}
    `}
  </${Panel}>`;
}
