// REST client of the account routes (signaling/accounts.ts): payloads checked
// before they leave, answers checked on arrival, the session token kept in
// this tab's sessionStorage (gone when the tab closes; never a cookie).
import type { z } from 'zod';
import { AccountRoutes, accountPath, type AccountRouteName, type AccountRouteRes, type Session } from '../../../signaling/accounts.js';
import { ErrorBody } from '../../../signaling/common.js';
import { UiError } from '../errors.js';
import { checkAnswer, sendChecked } from '../api.js';

const KEY = 'diemcau.session';

export function savedSession(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && s.expiresAt > Date.now() ? s : null;
  } catch { return null; }
}
export function saveSession(s: Session | null): void {
  try { if (s) sessionStorage.setItem(KEY, JSON.stringify(s)); else sessionStorage.removeItem(KEY); } catch { /* storage blocked: this page only */ }
}

/** A refused call: the code, and the server's sentence in both languages ("vi / en"). */
export class AccountError extends UiError {
  constructor(code: UiError['code'], readonly sentence: string, status: number) { super(code, sentence, status); }
}

export async function call<K extends AccountRouteName>(name: K, args: { params?: Record<string, string>; body?: unknown; token?: string | null } = {}): Promise<AccountRouteRes<K>> {
  const def = AccountRoutes[name] as (typeof AccountRoutes)[AccountRouteName] & { body?: z.ZodType };
  const res = await sendChecked(name, def, accountPath(name, args.params), args.token, args.body);
  let json: { ok?: boolean; data?: unknown; error?: unknown } | null = null;
  try { json = await res.json(); } catch { /* not JSON */ }
  if (res.ok && json?.ok) return checkAnswer(name, def.res, json.data) as AccountRouteRes<K>;
  const e = ErrorBody.safeParse(json?.error);
  if (e.success) throw new AccountError(e.data.code, e.data.message, res.status);
  throw new UiError(res.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', `${name}: HTTP ${res.status}`, res.status);
}

/** The half of a server sentence "tiếng Việt / English" in the page's language (whole if not split). */
export function pickLang(sentence: string, lang: 'vi' | 'en'): string {
  const i = sentence.indexOf(' / ');
  if (i < 0) return sentence;
  return lang === 'en' ? sentence.slice(i + 3) : sentence.slice(0, i);
}
