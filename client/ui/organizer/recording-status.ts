// Whether the conference is being recorded now: polled from the control service
// (the root node's recorder reports there every second), shown as an indicator
// in the header and, when the recorder stopped on its own, as an alarm banner
// saying what to do.
import { useEffect } from 'preact/hooks';
import { signal } from '@preact/signals';
import type { RecordingStatus } from '../../../signaling/recording.js';
import type { ControlApi } from '../api.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { humanError } from '../errors.js';
import './recordings.css';

export const POLL_MS = 3000;
export const recStatus = signal<RecordingStatus | null>(null);

export async function refreshStatus(api: ControlApi, conf: string): Promise<void> {
  recStatus.value = await api.call('getRecordingStatus', { params: { conf } });
}

/** Keeps `recStatus` current while the caller is shown. */
export function useRecordingStatus(api: ControlApi, conf: string): RecordingStatus | null {
  useEffect(() => {
    let live = true;
    const tick = () => refreshStatus(api, conf).catch((err) => { if (live) console.warn('[diemcau] recording status', humanError(err)); });
    void tick();
    const t = setInterval(tick, POLL_MS);
    return () => { live = false; clearInterval(t); };
  }, [conf]);
  return recStatus.value;
}

export const isRecording = (st: RecordingStatus | null) => st?.current?.state === 'recording' && !alarmOf(st);

/** The alarm to show, and on which server it is. */
export function alarmOf(st: RecordingStatus | null): { alarm: 'disk-full' | 'failed' | 'no-media'; where: 'media' | 'control' } | null {
  if (!st?.current) return null;
  if (st.recorder?.state === 'alarm' && st.recorder.alarm) return { alarm: st.recorder.alarm, where: 'media' };
  if (st.current.alarm) return { alarm: st.current.alarm, where: st.current.alarm === 'disk-full' && st.recorder?.alarm !== 'disk-full' ? 'control' : 'media' };
  return null;
}

/** "● Đang ghi hình" in the header while the recording is written. */
export function RecordingIndicator({ status }: { status: RecordingStatus | null }) {
  if (!status?.current) return null;
  const alarm = alarmOf(status);
  if (alarm) return html`<span class="rec-indicator rec-stopped" data-testid="rec-indicator" data-state="alarm" role="status">■ ${T('Ghi hình đã dừng', 'Recording stopped')}</span>`;
  const waiting = status.recorder?.state === 'waiting';
  return html`<span class=${`rec-indicator${waiting ? ' rec-waiting' : ''}`} data-testid="rec-indicator" data-state=${waiting ? 'waiting' : 'recording'} role="status"
    title=${T(`Bản ghi ${status.current.id}`, `Recording ${status.current.id}`)}><span class="rec-dot" aria-hidden="true">●</span> ${waiting ? T('Chờ hình để ghi', 'Recording: waiting for media') : T('Đang ghi hình', 'Recording')}</span>`;
}

function alarmText(a: NonNullable<ReturnType<typeof alarmOf>>, st: RecordingStatus): string {
  const free = st.recorder ? ` (${T('còn trống', 'free')} ${(st.recorder.freeBytes / 1024 ** 3).toFixed(1)} GB, ${T('ngưỡng', 'threshold')} ${(st.recorder.minFreeBytes / 1024 ** 3).toFixed(1)} GB)` : '';
  if (a.alarm === 'disk-full' && a.where === 'control') {
    return T('Ghi hình đang bị từ chối vì ổ đĩa máy chủ điều hành sắp đầy — hãy giải phóng dung lượng trên máy chủ điều hành; các đoạn ghi đang chờ sẽ được gửi lại.',
      'Recording segments are refused because the control server disk is nearly full — free space on the control server; the waiting segments are sent again.');
  }
  if (a.alarm === 'disk-full') {
    return T(`Ghi hình đã dừng vì ổ đĩa sắp đầy — giải phóng dung lượng trên máy chủ media${free}; ghi hình tự tiếp tục khi đủ chỗ.`,
      `Recording stopped because the disk is nearly full — free space on the media server${free}; recording resumes by itself once there is room.`);
  }
  if (a.alarm === 'no-media') {
    return T('Chưa có hình và tiếng để ghi — hãy kiểm tra nguồn phát tại điểm cầu chủ trì.', 'Nothing on air to record — check the source at the host site.');
  }
  return T('Ghi hình đã dừng vì lỗi trên máy chủ media — hãy kiểm tra máy chủ media (nhật ký dịch vụ); ghi hình tự thử lại.',
    'Recording stopped because of an error on the media server — check the media server (its service log); recording retries by itself.');
}

/** The alarm, on every tab, until the recorder runs again. */
export function RecordingAlarmBanner({ status }: { status: RecordingStatus | null }) {
  const a = alarmOf(status);
  if (!a || !status) return null;
  return html`<div class="rec-alarm" role="alert" data-testid="rec-alarm" data-alarm=${a.alarm}>
    <span class="rec-alarm-icon" aria-hidden="true">⚠</span><span>${alarmText(a, status)}</span></div>`;
}
