// Vietnamese first, English on request. Text lives next to its use as
// T('tiếng Việt', 'English'); components that call T re-render when `lang`
// changes because they read the signal.
import { signal, effect } from '@preact/signals';

export type Lang = 'vi' | 'en';
const KEY = 'diemcau.lang';

function initial(): Lang {
  try {
    const q = new URLSearchParams(location.search).get('lang');
    if (q === 'vi' || q === 'en') return q;
    const saved = localStorage.getItem(KEY);
    if (saved === 'vi' || saved === 'en') return saved;
  } catch { /* storage may be blocked; default applies */ }
  return 'vi';
}

export const lang = signal<Lang>(typeof location === 'undefined' ? 'vi' : initial());

if (typeof document !== 'undefined') {
  effect(() => {
    document.documentElement.lang = lang.value;
    try { localStorage.setItem(KEY, lang.value); } catch { /* ignore */ }
  });
}

/** Picks the sentence of the current language. */
export function T(vi: string, en: string): string {
  return lang.value === 'en' ? en : vi;
}

/** A {vi, en} pair, e.g. from a table of sentences. */
export interface Text2 { vi: string; en: string }
export function tx(t: Text2): string {
  return lang.value === 'en' ? t.en : t.vi;
}

export function toggleLang(): void {
  lang.value = lang.value === 'vi' ? 'en' : 'vi';
}
