// Starting an app from an invitation link: read the token, open the API and
// the control socket, render the app, and show a full-page sentence instead
// when the link is missing, invalid or revoked.
import type { VNode } from 'preact';
import './styles.css';
import { html, render } from './html.js';
import { T } from './i18n.js';
import { ControlApi, linkParams } from './api.js';
import { ControlClient, tokenClaims, type ClientKind } from './control-client.js';
import { FullMessage } from './components.js';
import { Notices } from './notices.js';

export interface AppSession {
  token: string;
  conf: string;
  role: string;
  /** Site of a site-scoped link (token claim, else `?site=`). */
  site: string | null;
  api: ControlApi;
  client: ControlClient;
}

export function boot(kind: ClientKind, App: (props: { s: AppSession }) => VNode, rootId = 'app'): AppSession | null {
  const root = document.getElementById(rootId) as HTMLElement;
  const { token, site, controlUrl } = linkParams();
  const claims = token ? tokenClaims(token) : null;
  if (!token || !claims) {
    render(html`<${() => html`<${FullMessage} title=${T('Cần đường liên kết mời', 'An invitation link is needed')}
      text=${T('Trang này cần mở từ đường liên kết mời do Ban tổ chức gửi. Hãy mở lại đúng đường liên kết đó.', 'Open this page from the invitation link the organisers sent you.')} />`} />`, root);
    return null;
  }
  const api = new ControlApi({ base: controlUrl, token });
  const client = new ControlClient({ base: controlUrl, token, client: kind, conf: claims.conf }).start();
  const s: AppSession = { token, conf: claims.conf, role: claims.role, site: claims.site ?? site, api, client };
  function Shell() {
    const c = client.connection.value;
    if (c === 'unauthorized') {
      return html`<${FullMessage} title=${T('Đường liên kết không hợp lệ', 'This link is not valid')}
        text=${T('Đường liên kết đã hết hạn hoặc không đúng. Hãy xin Ban tổ chức một đường liên kết mới.', 'The link has expired or is wrong. Ask the organisers for a new link.')} />`;
    }
    if (c === 'revoked') {
      return html`<${FullMessage} title=${T('Đường liên kết đã bị thu hồi', 'This link was revoked')}
        text=${T('Ban tổ chức đã thu hồi đường liên kết này. Hãy liên hệ Ban tổ chức để nhận liên kết mới.', 'The organisers revoked this link. Contact them for a new one.')} />`;
    }
    return html`<${App} s=${s} /><${Notices} />`;
  }
  render(html`<${Shell} />`, root);
  addEventListener('pagehide', () => client.close());
  // Read-only hook for tests and for support staff in the browser console.
  (window as unknown as { __diemcau: AppSession }).__diemcau = s;
  return s;
}
