// When the upward report is due: a banner in the organizer app while the
// deadline is near (24 h, as the service's reminder) or passed and nothing was
// sent, computed here from the deadline; and a notice when the service's
// reminder arrives over the socket.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDmyHm } from '../format.js';
import { notify } from '../notices.js';
import type { AppSession } from '../app.js';

export const DUE_LEAD_MS = 24 * 3600_000;
export type Due = 'sent' | 'later' | 'soon' | 'overdue';

export function dueState(deadline: string | undefined, sentAt: number | undefined, now: number): Due {
  if (sentAt) return 'sent';
  const d = deadline ? Date.parse(deadline) : NaN;
  if (!Number.isFinite(d)) return 'later';
  return now >= d ? 'overdue' : d - now <= DUE_LEAD_MS ? 'soon' : 'later';
}

/** "còn 5 giờ 20 phút" / "còn 2 ngày" — time left before the deadline. */
export function timeLeft(ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min >= 48 * 60) return T(`còn ${Math.floor(min / 1440)} ngày`, `${Math.floor(min / 1440)} days left`);
  const h = Math.floor(min / 60), m = min % 60;
  return h ? T(`còn ${h} giờ ${m} phút`, `${h} h ${m} min left`) : T(`còn ${m} phút`, `${m} min left`);
}

/** Re-renders the caller every `ms` (for times that move). */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => { const t = setInterval(() => setNow(Date.now()), ms); return () => clearInterval(t); }, []);
  return now;
}

export function ReportDueBanner({ s, onOpen }: { s: AppSession; onOpen: () => void }) {
  const store = s.client.store;
  const now = useNow();
  const [hidden, setHidden] = useState(false);
  const conf = store.conference.value;
  const rem = store.reminder.value;
  const sentAt = store.upward.value?.sentAt;
  // The service's reminder: a notice once per push (and the banner comes back).
  useEffect(() => {
    if (!rem || rem.sent || sentAt) return;
    setHidden(false);
    notify(T(`Nhắc hạn: báo cáo lên cấp trên cần gửi trước ${fmtDmyHm(rem.deadline)}.`, `Reminder: the upward report is due by ${fmtDmyHm(rem.deadline)}.`), 'info', 20_000);
  }, [rem?.at]);
  // Until the first answer about the report arrives, say nothing (it may be sent already).
  if (!conf || hidden || !store.upward.value) return null;
  const due = dueState(conf.reportDeadline, sentAt, now);
  const reminded = !!rem && !rem.sent && !sentAt;
  if (due === 'sent' || (due === 'later' && !reminded)) return null;
  const when = fmtDmyHm(conf.reportDeadline);
  const text = due === 'overdue'
    ? T(`Đã quá hạn gửi báo cáo lên cấp trên (hạn ${when}) mà chưa gửi. Hãy xem lại số liệu và gửi ngay.`, `The upward report was due on ${when} and has not been sent. Check the figures and send it now.`)
    : T(`Sắp đến hạn gửi báo cáo lên cấp trên: ${when} (${timeLeft(Date.parse(conf.reportDeadline) - now)}).`, `The upward report is due on ${when} (${timeLeft(Date.parse(conf.reportDeadline) - now)}).`);
  return html`<div class=${`due-banner ${due === 'overdue' ? 'overdue' : ''}`} role="alert" data-testid="report-due" data-due=${due}>
    <span aria-hidden="true">⚠</span><span class="grow">${text}</span>
    <button class="btn btn-small btn-primary" onClick=${onOpen}>${T('Mở báo cáo', 'Open the report')}</button>
    <button class="btn btn-small btn-ghost" aria-label=${T('Ẩn nhắc nhở', 'Hide the reminder')} onClick=${() => setHidden(true)}>✕</button>
  </div>`;
}
