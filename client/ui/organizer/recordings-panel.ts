// The organizer's recordings: the switch (auto / on / off), every recording of
// the conference with its start, duration, size, chapters (one per agenda item)
// and where it was sent; download the whole or one item, send it to sites as a
// material, delete it after a confirmation; and the log of these acts.
import { useEffect, useState } from 'preact/hooks';
import type { Recording, RecordingAuditEntry, RecordingStatus } from '../../../signaling/recording.js';
import { routePath } from '../../../signaling/control-routes.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtBytes, fmtDmyHm, fmtDuration } from '../format.js';
import { Panel } from '../components.js';
import { act } from '../notices.js';
import { humanError } from '../errors.js';
import type { AppSession } from '../app.js';
import { POLL_MS, recStatus, refreshStatus } from './recording-status.js';
import { DeleteDialog, PushDialog } from './recording-dialogs.js';

type Mode = RecordingStatus['mode'];

function ModeSwitch({ s, status }: { s: AppSession; status: RecordingStatus | null }) {
  const mode = status?.mode;
  const set = (m: Mode) => act(async () => {
    recStatus.value = await s.api.call('setRecordingMode', { params: { conf: s.conf }, body: { mode: m } });
  }, m === 'on' ? T('Đã bật ghi hình', 'Recording switched on') : m === 'off' ? T('Đã tắt ghi hình', 'Recording switched off') : T('Ghi hình tự động theo hội nghị', 'Recording follows the conference'));
  const opt = (m: Mode, label: string, hint: string) => html`<button type="button" aria-pressed=${mode === m} data-mode=${m} title=${hint} onClick=${() => set(m)}>${label}</button>`;
  return html`<div class="rec-switch" role="group" aria-label=${T('Chế độ ghi hình', 'Recording mode')} data-testid="rec-switch">
    ${opt('auto', T('Tự động', 'Auto'), T('Bật khi hội nghị bắt đầu, tắt khi kết thúc', 'On when the conference goes live, off when it ends'))}
    ${opt('on', T('Bật', 'On'), T('Ghi hình ngay bây giờ', 'Record now'))}
    ${opt('off', T('Tắt', 'Off'), T('Dừng ghi hình ngay bây giờ', 'Stop recording now'))}
  </div>`;
}

function logLine(e: RecordingAuditEntry): string {
  const what = {
    start: T('Bắt đầu ghi', 'Started'), stop: T('Dừng ghi', 'Stopped'), mode: T('Đổi chế độ', 'Mode changed'),
    push: T('Gửi tới điểm cầu', 'Sent to sites'), delete: T('Xoá bản ghi', 'Deleted'),
  }[e.action];
  return `${fmtDmyHm(e.at)} — ${what}${e.recording ? ` ${e.recording}` : ''}: ${e.detail} (${e.by})`;
}

export function RecordingsPanel({ s }: { s: AppSession }) {
  const store = s.client.store;
  const status = recStatus.value;
  const [list, setList] = useState<Recording[] | null>(null);
  const [log, setLog] = useState<RecordingAuditEntry[]>([]);
  const [dialog, setDialog] = useState<{ kind: 'push' | 'delete'; rec: Recording } | null>(null);
  const reload = async () => {
    try {
      const [l, g] = await Promise.all([
        s.api.call('listRecordings', { params: { conf: s.conf } }),
        s.api.call('recordingLog', { params: { conf: s.conf } }),
      ]);
      setList(l);
      setLog(g);
    } catch (err) {
      console.warn('[diemcau] recordings', humanError(err));
    }
  };
  useEffect(() => {
    void reload();
    const t = setInterval(reload, POLL_MS * 2);
    return () => clearInterval(t);
  }, []);
  // a recording that starts or stops shows at once
  useEffect(() => { void reload(); }, [status?.current?.id ?? null, status?.mode]);

  const fileUrl = (r: Recording, item?: string) => s.api.url(routePath('downloadRecording', { conf: s.conf, recording: r.id }), { item, token: s.token });
  const siteName = (id: string) => store.siteById.value.get(id)?.name ?? id;
  const pushText = (r: Recording) => r.pushes.map((p) => {
    const where = p.targets === 'all' ? T('mọi điểm cầu', 'every site') : p.targets.length <= 3 ? p.targets.map(siteName).join(', ') : T(`${p.targets.length} điểm cầu`, `${p.targets.length} sites`);
    const what = p.item ? r.chapters.find((c) => c.item === p.item)?.title ?? p.item : T('cả bản ghi', 'whole');
    return `${fmtDmyHm(p.at)} → ${where} (${what})`;
  });
  const done = async () => { setDialog(null); await reload(); await refreshStatus(s.api, s.conf).catch(() => undefined); };
  const mode = status?.mode;
  const modeText = mode === 'auto' ? T('Tự động: bật khi hội nghị bắt đầu, tắt khi kết thúc.', 'Auto: on when the conference goes live, off when it ends.')
    : mode === 'on' ? T('Đang bật theo lệnh Ban tổ chức.', 'On, by the organisers.') : mode === 'off' ? T('Đã tắt theo lệnh Ban tổ chức.', 'Off, by the organisers.') : '';

  return html`<${Panel} title=${T('Ghi hình hội nghị', 'Recordings')} id="recordings" actions=${html`<${ModeSwitch} s=${s} status=${status} />`}>
    <p class="muted" style=${{ margin: '0 0 8px' }} data-testid="rec-mode-text">${modeText}</p>
    <table class="grid" data-testid="rec-list">
      <thead><tr><th>${T('Bản ghi', 'Recording')}</th><th>${T('Bắt đầu', 'Started')}</th><th class="num">${T('Thời lượng', 'Duration')}</th>
        <th class="num">${T('Dung lượng', 'Size')}</th><th>${T('Nội dung (chương)', 'Chapters')}</th><th>${T('Đã gửi tới', 'Sent to')}</th><th></th></tr></thead>
      <tbody>
        ${list === null ? html`<tr><td colspan="7" class="empty">${T('Đang tải…', 'Loading…')}</td></tr>` : ''}
        ${list?.length === 0 ? html`<tr><td colspan="7" class="empty">${T('Chưa có bản ghi nào', 'No recordings yet')}</td></tr>` : ''}
        ${(list ?? []).slice().reverse().map((r) => html`<tr key=${r.id} data-recording=${r.id} data-state=${r.state}>
          <td><strong>${r.id}</strong><br /><small>${r.state === 'recording' ? html`<span class="rec-live">● ${T('đang ghi', 'recording')}</span>` : T('đã dừng', 'stopped')}</small></td>
          <td style=${{ whiteSpace: 'nowrap' }} data-testid="rec-start">${fmtDmyHm(r.startedAt)}${r.stoppedAt ? html`<br /><small>${T('đến', 'to')} ${fmtDmyHm(r.stoppedAt)}</small>` : ''}</td>
          <td class="num" data-testid="rec-duration">${fmtDuration(r.durationMs)}</td>
          <td class="num" style=${{ whiteSpace: 'nowrap' }}>${fmtBytes(r.bytes)}<br /><small>${r.segments} ${T('đoạn', 'segments')}</small></td>
          <td>${r.chapters.length === 0 ? html`<small class="muted">${T('Chưa có nội dung nào trong bản ghi', 'No agenda item recorded')}</small>` : html`<ol class="rec-chapters">
            ${r.chapters.map((c) => html`<li key=${c.item} data-item=${c.item}>${c.title} <small>${fmtDuration(c.startMs)}–${fmtDuration(c.endMs)}</small>
              ${r.segments ? html` · <a href=${fileUrl(r, c.item)} download>${T('tải', 'download')}</a>` : ''}</li>`)}</ol>`}</td>
          <td class="rec-pushes">${r.pushes.length ? pushText(r).map((t) => html`<div>${t}</div>`) : '—'}</td>
          <td><div class="rec-actions">
            ${r.segments ? html`<a class="btn btn-small" href=${fileUrl(r)} download data-testid="rec-download">⤓ ${T('Tải cả bản ghi', 'Download all')}</a>` : ''}
            <button class="btn btn-small" disabled=${!r.segments} onClick=${() => setDialog({ kind: 'push', rec: r })} data-testid="rec-push">${T('Gửi tới điểm cầu', 'Send to sites')}</button>
            <button class="btn btn-small btn-danger" disabled=${r.state === 'recording'} title=${r.state === 'recording' ? T('Tắt ghi hình trước khi xoá', 'Switch recording off before deleting') : ''}
              onClick=${() => setDialog({ kind: 'delete', rec: r })} data-testid="rec-delete">${T('Xoá', 'Delete')}</button>
          </div></td>
        </tr>`)}
      </tbody>
    </table>
    ${log.length ? html`<details class="rec-log"><summary>${T('Nhật ký ghi hình', 'Recording log')} (${log.length})</summary>
      <ul>${log.slice(0, 50).map((e, i) => html`<li key=${i}>${logLine(e)}</li>`)}</ul></details>` : ''}
    ${dialog?.kind === 'push' ? html`<${PushDialog} s=${s} rec=${dialog.rec} onClose=${() => setDialog(null)} onDone=${done} />` : ''}
    ${dialog?.kind === 'delete' ? html`<${DeleteDialog} s=${s} rec=${dialog.rec} onClose=${() => setDialog(null)} onDone=${done} />` : ''}
  </${Panel}>`;
}
