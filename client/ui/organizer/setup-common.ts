// Shared by the organizer's setup screens (settings, agenda editor,
// invitations): dates typed as dd/mm/yyyy and HH:mm in Vietnam time, and the
// service's own sentence for a refusal it explains (a conflict, a rule).
import { lang, T } from '../i18n.js';
import { humanError, toUiError } from '../errors.js';
import { fmtDate, fmtTime } from '../format.js';

/** 28/09/2023 → 2023-09-28, or null. */
export function parseDmy(s: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const iso = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return t.getUTCFullYear() === y && t.getUTCMonth() + 1 === mo && t.getUTCDate() === d ? iso : null;
}

/** 7:30 / 07:30 → 07:30, or null. */
export function parseHm(s: string): string | null {
  const m = /^\s*(\d{1,2})[:h.](\d{2})\s*$/.exec(s);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

/** yyyy-mm-dd + HH:mm in Vietnam time → ISO with +07:00. */
export const vnIso = (isoDate: string, hm: string) => `${isoDate}T${hm}:00+07:00`;
/** An ISO time → [dd/mm/yyyy, HH:mm] in Vietnam time. */
export const splitVn = (iso: string | undefined): [string, string] => (iso ? [fmtDate(iso), fmtTime(iso)] : ['', '']);

/** What went wrong with a date/time pair, as a sentence saying what to type. */
export function dateError(d: string, hm: string, what: string): string | null {
  if (!parseDmy(d)) return T(`${what}: hãy nhập ngày dạng dd/mm/yyyy, ví dụ 28/09/2023.`, `${what}: enter the date as dd/mm/yyyy, e.g. 28/09/2023.`);
  if (!parseHm(hm)) return T(`${what}: hãy nhập giờ dạng HH:mm, ví dụ 07:30.`, `${what}: enter the time as HH:mm, e.g. 07:30.`);
  return null;
}

/**
 * The service's sentence for a conflict or a refused rule ("changed by someone
 * else, reload", "the running item cannot be deleted"), in the page's language;
 * every other failure gets the shared sentence.
 */
export function refusalText(err: unknown): string {
  const e = toUiError(err);
  const msg = e.detail.slice(e.detail.indexOf(': ') + 2); // detail = "<route or path>: <message>"
  if ((e.code === 'CONFLICT' || e.code === 'BAD_REQUEST') && msg.includes(' / ') && !msg.startsWith('Dữ liệu gửi lên')) {
    const [vi, en] = msg.split(' / ');
    return (lang.value === 'en' ? en : vi) ?? msg;
  }
  return humanError(err);
}
