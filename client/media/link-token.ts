// The invitation token of a page link leaves the address bar as soon as the page
// has read it (it would otherwise sit in the history, in screenshots and in
// anything the URL is pasted into). It is kept for the tab's life, so a reload of
// the same tab still works; a new tab needs the link again.
const KEY = 'diemcau.link-token';

export function takeLinkToken(): string | null {
  const url = new URL(location.href);
  const key = `${KEY}:${url.pathname}:${url.searchParams.get('site') ?? ''}`;
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try { sessionStorage.setItem(key, fromUrl); } catch { /* storage off: the token stays in the URL */ return fromUrl; }
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.toString());
    return fromUrl;
  }
  try { return sessionStorage.getItem(key); } catch { return null; }
}
