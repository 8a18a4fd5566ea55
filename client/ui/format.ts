// Dates as dd/mm/yyyy and times as HH:mm in Vietnam's time zone, whatever the
// laptop's own zone; sizes, durations and percentages for people.
const TZ = 'Asia/Ho_Chi_Minh';

// Built once: a formatter is costly to make and lists format a time per row.
const FMT = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function parts(at: number | string | Date): Record<string, string> {
  const d = at instanceof Date ? at : new Date(at);
  const out: Record<string, string> = {};
  for (const p of FMT.formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** 28/09/2023 */
export function fmtDate(at: number | string | Date): string {
  const p = parts(at);
  return `${p.day}/${p.month}/${p.year}`;
}
/** 07:30 */
export function fmtTime(at: number | string | Date, seconds = false): string {
  const p = parts(at);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}
/** 07:30 28/09/2023 */
export function fmtDateTime(at: number | string | Date): string {
  return `${fmtTime(at)} ${fmtDate(at)}`;
}
/** 28/09/2023 07:30 (date first, as reports write it) */
export function fmtDmyHm(at: number | string | Date): string {
  return `${fmtDate(at)} ${fmtTime(at)}`;
}
/** yyyy-mm-dd → dd/mm/yyyy without time-zone shifts. */
export function fmtIsoDate(d: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(d);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : d;
}
/** 1:05:09 or 05:09; negative values get a minus sign. */
export function fmtDuration(ms: number): string {
  const neg = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${neg ? '−' : ''}${h ? `${h}:${pad(m)}` : pad(m)}:${pad(s)}`;
}
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
export function fmtPct(part: number, whole: number): string {
  if (!whole) return '—';
  return `${Math.round((part / whole) * 100)}%`;
}
export function fmtKbps(bps: number): string {
  return bps >= 1_000_000 ? `${(bps / 1_000_000).toFixed(2)} Mbit/s` : `${Math.round(bps / 1000)} kbit/s`;
}
/** Number with Vietnamese thousands separator. */
export function fmtNum(n: number): string {
  return n.toLocaleString('vi-VN');
}
