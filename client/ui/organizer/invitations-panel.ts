// Invitation links per site: issue (technician console, check-in, hall
// screen), copy, show as QR, revoke. A token is only returned when issued, so
// this browser keeps the links it issued to copy them again later.
import { useEffect, useState } from 'preact/hooks';
import type { Signal } from '@preact/signals';
import type { Invitation, Site } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime } from '../format.js';
import { Panel } from '../components.js';
import { QrCode } from '../qr.js';
import { act, notify } from '../notices.js';
import { humanError } from '../errors.js';
import type { AppSession } from '../app.js';
import { showShort } from '../../../signaling/setup.js';
import { InvitationSheet, liveInv } from './invitation-sheet.js';

type InvRole = 'technician' | 'participant' | 'viewer';
const STORE_KEY = 'diemcau.issued';

function loadIssued(): Record<string, string> {
  try { return JSON.parse(localStorage.getItem(STORE_KEY) ?? '{}') as Record<string, string>; } catch { return {}; }
}
function remember(jti: string, token: string): void {
  const all = loadIssued();
  all[jti] = token;
  try { localStorage.setItem(STORE_KEY, JSON.stringify(all)); } catch { /* full or blocked */ }
}

/** The page a role's link opens, on this service's origin. */
export function inviteLink(role: string, token: string, site: Site | undefined): string {
  const page = role === 'technician' ? 'technician' : role === 'participant' ? 'checkin' : role === 'viewer' ? 'hall' : 'organizer';
  const q = new URLSearchParams({ token });
  if (site) q.set('site', site.id);
  if (page === 'hall' && site?.mediaUrl) q.set('node', site.mediaUrl);
  return `${location.origin}/${page}.html?${q}`;
}

export function roleText(r: string): string {
  return ({ technician: T('Kỹ thuật viên', 'Technician'), participant: T('Điểm danh đại biểu', 'Delegate check-in'), viewer: T('Màn hình hội trường', 'Hall screen'), organizer: T('Ban tổ chức', 'Organiser') } as Record<string, string>)[r] ?? r;
}

export function InvitationsPanel({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  const store = s.client.store;
  const [list, setList] = useState<Invitation[]>([]);
  const [issued, setIssued] = useState<Record<string, string>>(loadIssued());
  const [qr, setQr] = useState<{ link: string; title: string } | null>(null);
  const refresh = () => s.api.call('listInvitations', { params: { conf: s.conf } }).then(setList).catch((err) => notify(humanError(err), 'error'));
  useEffect(() => { void refresh(); }, []);
  const sites = store.siteById.value;
  const sel = selected.value ? sites.get(selected.value) : undefined;
  const shown = list.filter((i) => !sel || i.site === sel.id).sort((a, b) => b.createdAt - a.createdAt);

  const issue = async (role: InvRole) => {
    if (!sel) return;
    const inv = await act(() => s.api.call('createInvitation', { params: { conf: s.conf }, body: { role, site: sel.id, label: `${roleText(role)} — ${sel.name}` } }));
    if (!inv?.token) return;
    remember(inv.jti, inv.token);
    setIssued(loadIssued());
    await refresh();
    const link = inviteLink(role, inv.token, sel);
    try { await navigator.clipboard.writeText(link); notify(T('Đã tạo và sao chép đường liên kết', 'Link created and copied'), 'ok'); } catch { notify(T('Đã tạo đường liên kết', 'Link created'), 'ok'); }
    if (role === 'participant') setQr({ link, title: `${roleText(role)} — ${sel.name}` });
  };
  const copy = async (link: string) => {
    try { await navigator.clipboard.writeText(link); notify(T('Đã sao chép', 'Copied'), 'ok'); } catch { window.prompt(T('Sao chép đường liên kết:', 'Copy the link:'), link); }
  };
  /** Keeps the tokens of links issued in bulk, to copy them or show their QR code later. */
  const keep = async (invs: Invitation[]) => {
    for (const i of invs) if (i.token) remember(i.jti, i.token);
    setIssued(loadIssued());
    await refresh();
  };
  const reissue = async (inv: Invitation) => {
    const name = inv.site ? sites.get(inv.site)?.name ?? inv.site : '';
    if (!confirm(T(`Thu hồi liên kết ${roleText(inv.role)} của ${name} và cấp liên kết mới?`, `Revoke the ${roleText(inv.role)} link of ${name} and issue a new one?`))) return;
    const r = await act(() => s.api.call('reissueInvitation', { params: { conf: s.conf }, body: { site: inv.site!, role: inv.role as InvRole } }));
    if (!r) return;
    await keep([r]);
    notify(T(`Đã cấp lại; liên kết rút gọn mới: ${showShort(r.short ?? '')}`, `Reissued; new short link: ${showShort(r.short ?? '')}`), 'ok');
  };
  const revoke = async (inv: Invitation) => {
    if (!confirm(T('Thu hồi đường liên kết này? Người đang dùng sẽ bị ngắt.', 'Revoke this link? Whoever uses it will be disconnected.'))) return;
    const r = await act(() => s.api.call('revokeInvitation', { params: { conf: s.conf, jti: inv.jti } }), T('Đã thu hồi', 'Revoked'));
    if (r) await refresh();
  };

  return html`<${InvitationSheet} s=${s} list=${list} selected=${sel} onIssued=${keep} /><div class="inv-layout">
    <${Panel} title=${sel ? `${T('Liên kết mời', 'Invitation links')} — ${sel.name}` : T('Liên kết mời', 'Invitation links')} id="invitations">
      ${sel ? html`<div class="btn-row" style=${{ marginBottom: '8px' }}>
        <button class="btn btn-primary" data-invite="technician" onClick=${() => issue('technician')}>+ ${roleText('technician')}</button>
        <button class="btn btn-primary" data-invite="participant" onClick=${() => issue('participant')}>+ ${roleText('participant')}</button>
        <button class="btn btn-primary" data-invite="viewer" onClick=${() => issue('viewer')}>+ ${roleText('viewer')}</button>
      </div>` : html`<p class="muted">${T('Chọn một điểm cầu trong cây để cấp liên kết cho điểm cầu đó. Dưới đây là mọi liên kết đã cấp.', 'Pick a site in the tree to issue its links. All issued links are listed below.')}</p>`}
      <div style=${{ maxHeight: '470px', overflowY: 'auto' }}><table class="grid">
        <thead><tr><th>${T('Vai trò', 'Role')}</th><th>${T('Điểm cầu', 'Site')}</th><th>${T('Mã rút gọn', 'Short code')}</th><th>${T('Cấp lúc → hết hạn', 'Issued → expires')}</th><th></th></tr></thead>
        <tbody>${shown.length === 0 ? html`<tr><td colspan="5" class="empty">${T('Chưa có liên kết nào', 'No links yet')}</td></tr>` : ''}
        ${shown.map((i) => {
          const tok = issued[i.jti];
          const link = tok ? inviteLink(i.role, tok, i.site ? sites.get(i.site) : undefined) : '';
          return html`<tr key=${i.jti} data-jti=${i.jti}>
            <td>${roleText(i.role)} ${i.revoked ? html`<span class="state-pill state-failed">${T('đã thu hồi', 'revoked')}</span>` : ''}</td>
            <td>${i.site ? sites.get(i.site)?.name ?? i.site : '—'}</td>
            <td>${i.short ? html`<span class="short-code">${showShort(i.short)}</span>` : '—'}</td>
            <td style=${{ whiteSpace: 'nowrap' }}>${fmtDateTime(i.createdAt)}<br /><small class="muted">→ ${fmtDateTime(i.exp * 1000)}</small></td>
            <td><div class="btn-row" style=${{ flexWrap: 'nowrap' }}>
              ${link && !i.revoked ? html`<button class="btn btn-small" onClick=${() => copy(link)}>${T('Sao chép', 'Copy')}</button>
                <button class="btn btn-small" onClick=${() => setQr({ link, title: `${roleText(i.role)} — ${i.site ? sites.get(i.site)?.name ?? i.site : ''}` })}>QR</button>` : ''}
              ${i.site && i.role !== 'organizer' && liveInv(i) ? html`<button class="btn btn-small" data-act="reissue" onClick=${() => reissue(i)}>${T('Cấp lại', 'Reissue')}</button>` : ''}
              ${!i.revoked ? html`<button class="btn btn-small btn-danger" data-act="revoke" onClick=${() => revoke(i)}>${T('Thu hồi', 'Revoke')}</button>` : ''}
            </div></td>
          </tr>`;
        })}</tbody>
      </table></div>
    </${Panel}>
    <${Panel} title=${T('Mã QR', 'QR code')} id="invite-qr">
      ${qr ? html`<div style=${{ textAlign: 'center' }}><div style=${{ display: 'inline-block' }}><${QrCode} text=${qr.link} size=${240} /></div>
        <div style=${{ fontWeight: 600 }}>${qr.title}</div><div class="link-cell" style=${{ margin: '6px auto' }} title=${qr.link}>${qr.link}</div>
        <button class="btn" onClick=${() => copy(qr.link)}>${T('Sao chép đường liên kết', 'Copy the link')}</button></div>`
        : html`<div class="empty">${T('Bấm “QR” ở một liên kết để hiện mã cho đại biểu quét.', 'Press “QR” on a link to show its code for delegates to scan.')}</div>`}
    </${Panel}>
  </div>`;
}
