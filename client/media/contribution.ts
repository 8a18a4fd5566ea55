// This page's contribution id: the name a floor grant binds to so that only this
// console's camera goes on air for its site. Kept for the tab's life (a reload or
// a reconnect stays the same contribution).
const KEY = 'diemcau.contribution';

export function contributionId(site: string): string {
  const key = `${KEY}.${site}`;
  let id: string | null = null;
  try { id = sessionStorage.getItem(key); } catch { /* storage off: a fresh id per load */ }
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(9));
    id = `c-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    try { sessionStorage.setItem(key, id); } catch { /* as above */ }
  }
  return id;
}
