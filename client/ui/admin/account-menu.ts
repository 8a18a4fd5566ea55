// The header's account actions on the operator page: "Tài khoản" (operators:
// every account, create an operator or organizer with its one-time sign-in
// link, a new link for a forgotten password, lock the account of someone who
// left) and "Đổi mật khẩu" (anyone: the current password required; the
// account's other sessions end).
import { useEffect, useState } from 'preact/hooks';
import { createPortal } from 'preact/compat';
import { AccountRole, CreateAccountReq, type AccountInfo, type Session } from '../../../signaling/accounts.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime } from '../format.js';
import { notify } from '../notices.js';
import { AccountError, call } from './account-api.js';
import { Dialog } from './dialogs.js';
import { accountErrorText } from './sign-in.js';

type Link = { username: string; url: string; expiresAt: number };

const roleText = (r: AccountRole) => (r === 'operator' ? T('Quản trị', 'Operator') : T('Ban tổ chức', 'Organizer'));

function LinkBox({ link }: { link: Link }) {
  const copy = async () => {
    try { await navigator.clipboard.writeText(link.url); notify(T('Đã sao chép liên kết', 'Link copied'), 'ok'); } catch { window.prompt(T('Sao chép liên kết:', 'Copy the link:'), link.url); }
  };
  return html`<div class="setup-link" data-testid="account-link">
    <p>${T(`Gửi liên kết này cho “${link.username}”. Người đó bấm vào để tự đặt mật khẩu; liên kết chỉ dùng được một lần, hết hạn lúc ${fmtDateTime(link.expiresAt)}.`,
      `Send this link to “${link.username}”. They open it to set their own password; it works once and expires at ${fmtDateTime(link.expiresAt)}.`)}</p>
    <div class="add-row"><input readonly value=${link.url} class="grow" data-testid="account-link-url" onFocus=${(e: Event) => (e.target as HTMLInputElement).select()} />
      <button type="button" class="btn" onClick=${copy}>${T('Sao chép', 'Copy')}</button></div></div>`;
}

export function AccountsDialog({ session, onClose }: { session: Session; onClose: () => void }) {
  const [list, setList] = useState<AccountInfo[]>([]);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<AccountRole>('organizer');
  const [link, setLink] = useState<Link | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => call('listAccounts', { token: session.token }).then(setList).catch((err) => setError(accountErrorText(err)));
  useEffect(() => { void refresh(); }, []);
  const shown = (e: { username: string; setupPath: string; setupExpiresAt: number }) => setLink({ username: e.username, url: `${location.origin}${e.setupPath}`, expiresAt: e.setupExpiresAt });
  const create = async () => {
    setError(null);
    const checked = CreateAccountReq.safeParse({ username: username.trim().toLowerCase(), role });
    if (!checked.success) {
      setError(T('Hãy sửa ô “Tên đăng nhập”: 3–40 chữ thường không dấu, số và . _ -, ví dụ nguyenvana. Chưa tạo tài khoản nào.', 'Correct “Username”: 3–40 lower-case letters, digits and . _ -, e.g. nguyenvana. No account was created.'));
      return;
    }
    setBusy(true);
    try {
      const e = await call('createAccount', { body: checked.data, token: session.token });
      shown(e);
      setUsername('');
      notify(T(`Đã tạo tài khoản “${e.username}” (${roleText(e.role)})`, `Account “${e.username}” created (${roleText(e.role)})`), 'ok');
      await refresh();
    } catch (err) { setError(accountErrorText(err)); } finally { setBusy(false); }
  };
  const relink = async (u: string) => {
    if (!confirm(T(`Cấp liên kết đăng nhập mới cho “${u}”? Mật khẩu cũ vẫn dùng được đến khi người đó đặt mật khẩu mới, nhưng mọi phiên đăng nhập của họ kết thúc ngay.`,
      `Issue a new sign-in link for “${u}”? Their sessions end now; they set a new password through the link.`))) return;
    setError(null);
    try { shown(await call('accountLink', { params: { username: u }, token: session.token })); await refresh(); } catch (err) { setError(accountErrorText(err)); }
  };
  const lock = async (u: string, locked: boolean) => {
    if (locked && !confirm(T(`Khoá tài khoản “${u}”? Mọi phiên đăng nhập của tài khoản này kết thúc ngay, các trang Ban tổ chức nó đã mở bị đóng, và nó không đăng nhập được cho đến khi được mở khoá.`,
      `Lock the account “${u}”? Its sessions end now, the organizer pages it opened are closed, and it cannot sign in until unlocked.`))) return;
    setError(null);
    try {
      await call('lockAccount', { params: { username: u }, body: { locked }, token: session.token });
      notify(locked ? T(`Đã khoá tài khoản “${u}”`, `Account “${u}” locked`) : T(`Đã mở khoá tài khoản “${u}”`, `Account “${u}” unlocked`), 'ok');
      await refresh();
    } catch (err) { setError(accountErrorText(err)); }
  };
  const state = (a: AccountInfo) => (a.lockedAt
    ? html`<span class="locked" data-testid="account-locked">${T(`Đã khoá lúc ${fmtDateTime(a.lockedAt)}`, `Locked at ${fmtDateTime(a.lockedAt)}`)}</span>`
    : a.passwordSet ? T('Đã đặt mật khẩu', 'Password set') : T('Chưa đăng nhập lần đầu', 'Not signed in yet'));
  return html`<${Dialog} title=${T('Tài khoản', 'Accounts')} onClose=${onClose} testid="accounts-dialog">
    <p class="muted">${T('Người quản trị tạo được mọi tài khoản và thêm Ban tổ chức vào từng hội nghị (nút “Ban tổ chức” trong danh sách). Tài khoản mới nhận một liên kết đăng nhập lần đầu để tự đặt mật khẩu — không ai phải gõ hay gửi mật khẩu.',
      'Operators create every account and add organizers to each conference (the “Organizers” button in the list). A new account gets a one-time link to set its own password — nobody types or sends a password.')}</p>
    <table class="grid" data-testid="accounts-list"><thead><tr><th>${T('Tài khoản', 'Account')}</th><th>${T('Vai trò', 'Role')}</th><th>${T('Trạng thái', 'State')}</th><th></th></tr></thead><tbody>
      ${list.map((a) => html`<tr key=${a.username} data-account=${a.username}><td>${a.username}</td><td>${roleText(a.role)}</td>
        <td>${state(a)}</td>
        <td class="btn-row end">${a.username === session.username ? html`<span class="muted small">${T('bạn', 'you')}</span>`
          : a.lockedAt ? html`<button type="button" class="btn btn-small" data-action="unlock" onClick=${() => lock(a.username, false)}>${T('Mở khoá', 'Unlock')}</button>`
          : html`<button type="button" class="btn btn-small" data-action="relink" onClick=${() => relink(a.username)}>${T('Cấp liên kết mới', 'New link')}</button>
            <button type="button" class="btn btn-small btn-danger" data-action="lock" onClick=${() => lock(a.username, true)}>${T('Khoá', 'Lock')}</button>`}</td></tr>`)}
    </tbody></table>
    <div class="add-row">
      <label class="field grow">${T('Tên đăng nhập mới', 'New username')}
        <input name="new-username" value=${username} placeholder="nguyenvana" autocapitalize="none" spellcheck="false" onInput=${(e: Event) => setUsername((e.target as HTMLInputElement).value)}
          onKeyDown=${(e: KeyboardEvent) => { if (e.key === 'Enter') void create(); }} /></label>
      <label class="field">${T('Vai trò', 'Role')}
        <select name="new-role" value=${role} onChange=${(e: Event) => setRole((e.target as HTMLSelectElement).value as AccountRole)}>
          <option value="organizer">${roleText('organizer')}</option><option value="operator">${roleText('operator')}</option></select></label>
      <button type="button" class="btn btn-primary" data-testid="account-create" disabled=${busy} onClick=${create}>${T('Tạo tài khoản', 'Create')}</button></div>
    ${error ? html`<p class="form-error" role="alert" data-testid="accounts-error">${error}</p>` : ''}
    ${link ? html`<${LinkBox} link=${link} />` : ''}
  </${Dialog}>`;
}

export function PasswordDialog({ session, onClose, onSignedOut }: { session: Session; onClose: () => void; onSignedOut: (note?: string) => void }) {
  const [f, setF] = useState({ old: '', next: '', again: '' });
  const set = (k: keyof typeof f) => (e: Event) => { const v = (e.target as HTMLInputElement).value; setF((o) => ({ ...o, [k]: v })); };
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setError(null);
    if (!f.old) { setError(T('Hãy điền ô “Mật khẩu hiện tại”. Chưa đổi gì.', 'Fill in “Current password”. Nothing was changed.')); return; }
    if (f.next.length < 10) { setError(T('Hãy sửa ô “Mật khẩu mới”: cần ít nhất 10 ký tự. Chưa đổi gì.', 'Correct “New password”: at least 10 characters. Nothing was changed.')); return; }
    if (f.next !== f.again) { setError(T('Hãy sửa ô “Nhập lại mật khẩu mới”: hai lần nhập chưa giống nhau. Chưa đổi gì.', 'Correct “Repeat the new password”: the two differ. Nothing was changed.')); return; }
    setBusy(true);
    try {
      const r = await call('changePassword', { body: { oldPassword: f.old, newPassword: f.next }, token: session.token });
      notify(r.endedSessions
        ? T(`Đã đổi mật khẩu. ${r.endedSessions} phiên đăng nhập ở nơi khác đã kết thúc.`, `Password changed. ${r.endedSessions} other session(s) ended.`)
        : T('Đã đổi mật khẩu.', 'Password changed.'), 'ok');
      onClose();
    } catch (err) {
      if (err instanceof AccountError && err.code === 'UNAUTHORIZED') { onSignedOut(accountErrorText(err)); return; }
      setError(accountErrorText(err));
      setF((o) => ({ ...o, old: '' }));
    } finally { setBusy(false); }
  };
  return html`<${Dialog} title=${T('Đổi mật khẩu', 'Change password')} onClose=${onClose} testid="password-dialog">
    <form class="form-grid" onSubmit=${(e: Event) => { e.preventDefault(); void submit(); }} novalidate>
      <input type="text" name="username" autocomplete="username" value=${session.username} hidden readonly />
      <label class="field span2">${T('Mật khẩu hiện tại', 'Current password')}<input name="old-password" type="password" autocomplete="current-password" value=${f.old} onInput=${set('old')} /></label>
      <label class="field">${T('Mật khẩu mới (ít nhất 10 ký tự)', 'New password (at least 10 characters)')}<input name="new-password" type="password" autocomplete="new-password" value=${f.next} onInput=${set('next')} /></label>
      <label class="field">${T('Nhập lại mật khẩu mới', 'Repeat the new password')}<input name="new-password-again" type="password" autocomplete="new-password" value=${f.again} onInput=${set('again')} /></label>
      <p class="muted span2">${T('Sau khi đổi, các phiên đăng nhập của bạn ở máy khác sẽ kết thúc; phiên này vẫn dùng tiếp.', 'Your sessions on other devices end; this one stays signed in.')}</p>
      ${error ? html`<p class="form-error span2" role="alert" data-testid="password-error">${error}</p>` : ''}
      <div class="btn-row dialog-actions span2"><button type="button" class="btn" onClick=${onClose}>${T('Huỷ', 'Cancel')}</button>
        <button type="submit" class="btn btn-primary" data-testid="password-submit" disabled=${busy}>${T('Đổi mật khẩu', 'Change password')}</button></div>
    </form>
  </${Dialog}>`;
}

/** Header buttons; their dialogs render into the page's body (not inside the header, whose colours they would inherit). */
export function AccountMenu({ session, onSignedOut }: { session: Session; onSignedOut: (note?: string) => void }) {
  const [open, setOpen] = useState<'accounts' | 'password' | null>(null);
  return html`${session.role === 'operator' ? html`<button type="button" class="btn btn-ghost" data-testid="accounts-open" onClick=${() => setOpen('accounts')}>${T('Tài khoản', 'Accounts')}</button>` : ''}
    <button type="button" class="btn btn-ghost" data-testid="password-open" onClick=${() => setOpen('password')}>${T('Đổi mật khẩu', 'Change password')}</button>
    ${open === 'accounts' ? createPortal(html`<${AccountsDialog} session=${session} onClose=${() => setOpen(null)} />`, document.body) : ''}
    ${open === 'password' ? createPortal(html`<${PasswordDialog} session=${session} onClose=${() => setOpen(null)} onSignedOut=${onSignedOut} />`, document.body) : ''}`;
}
