// Sign-in and the first sign-in (setting a password from the one-time link).
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../../../signaling/accounts.js';
import { html } from '../html.js';
import { T, lang } from '../i18n.js';
import { humanError } from '../errors.js';
import { LangSwitch } from '../components.js';
import { AccountError, call, pickLang } from './account-api.js';

/** The sentence for a refused account call: the server's own for account errors, else the shared one. */
export function accountErrorText(err: unknown): string {
  if (err instanceof AccountError && err.code !== 'BAD_REQUEST' && err.code !== 'INTERNAL') return pickLang(err.sentence, lang.value);
  return humanError(err);
}

/** The card of the three sign-in states; Enter or the submit button runs `onSubmit` once. */
function Box({ title, onSubmit, children }: { title: string; onSubmit?: () => void; children: unknown }) {
  return html`<div class="signin-page"><form class="signin-box" onSubmit=${(e: Event) => { e.preventDefault(); onSubmit?.(); }} novalidate>
    <div class="signin-brand"><span class="logo big" aria-hidden="true">★</span><div><strong>Điểm Cầu</strong>
      <div class="muted">${T('Quản trị hội nghị trực tuyến', 'Online conference administration')}</div></div><${LangSwitch} /></div>
    <h1>${title}</h1>${children}</form></div>`;
}

export function SignIn({ note, onSignedIn }: { note?: string; onSignedIn: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!username.trim() || !password) { setError(T('Hãy nhập tên đăng nhập và mật khẩu.', 'Enter your username and password.')); return; }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await call('signIn', { body: { username: username.trim().toLowerCase(), password } }));
    } catch (err) {
      setError(err instanceof AccountError && err.code === 'BAD_REQUEST'
        ? T('Tên đăng nhập gồm chữ thường không dấu, số và . _ - (3–40 ký tự). Hãy kiểm tra lại.', 'A username is 3–40 lower-case letters, digits and . _ -. Check it and try again.')
        : accountErrorText(err));
      setPassword('');
    } finally { setBusy(false); }
  };
  return html`<${Box} title=${T('Đăng nhập', 'Sign in')} onSubmit=${submit}>
    ${note ? html`<p class="signin-note" data-testid="signin-note">${note}</p>` : ''}
    <label class="field">${T('Tên đăng nhập', 'Username')}
      <input name="username" autocomplete="username" autocapitalize="none" spellcheck="false" value=${username} onInput=${(e: Event) => setUsername((e.target as HTMLInputElement).value)} /></label>
    <label class="field">${T('Mật khẩu', 'Password')}
      <input name="password" type="password" autocomplete="current-password" value=${password} onInput=${(e: Event) => setPassword((e.target as HTMLInputElement).value)} /></label>
    ${error ? html`<p class="form-error" role="alert" data-testid="signin-error">${error}</p>` : ''}
    <button type="submit" class="btn btn-primary big" data-testid="signin-submit" disabled=${busy}>${busy ? T('Đang đăng nhập…', 'Signing in…') : T('Đăng nhập', 'Sign in')}</button>
    <p class="muted small">${T('Quên mật khẩu? Hãy nhờ người quản trị cấp một liên kết đăng nhập mới.', 'Forgot your password? Ask the administrator for a new sign-in link.')}</p>
  </${Box}>`;
}

export function SetPassword({ code, onSignedIn, onCancel }: { code: string; onSignedIn: (s: Session) => void; onCancel: () => void }) {
  const [who, setWho] = useState<{ username: string; role: string } | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    call('setupCheck', { body: { code } }).then(setWho).catch((err) => setLinkError(err instanceof AccountError && err.code === 'BAD_REQUEST'
      ? T('Liên kết đăng nhập lần đầu không đầy đủ. Hãy mở lại đúng liên kết bạn nhận được, hoặc xin một liên kết mới.', 'The first sign-in link is incomplete. Open the exact link you received, or ask for a new one.')
      : accountErrorText(err)));
  }, [code]);
  const submit = async () => {
    if (password.length < 10) { setError(T('Mật khẩu cần ít nhất 10 ký tự. Hãy chọn một câu dễ nhớ nhưng khó đoán.', 'The password needs at least 10 characters. Choose a phrase that is easy to remember but hard to guess.')); return; }
    if (password !== again) { setError(T('Hai lần nhập mật khẩu chưa giống nhau. Hãy nhập lại ô thứ hai.', 'The two passwords differ. Type the second one again.')); return; }
    setBusy(true);
    setError(null);
    try { onSignedIn(await call('setup', { body: { code, password } })); } catch (err) { setError(accountErrorText(err)); } finally { setBusy(false); }
  };
  if (linkError) {
    return html`<${Box} title=${T('Liên kết không dùng được', 'This link cannot be used')}>
      <p class="form-error" role="alert" data-testid="setup-error">${linkError}</p>
      <button type="button" class="btn big" onClick=${onCancel} data-testid="to-signin">${T('Đến trang đăng nhập', 'Go to sign-in')}</button>
    </${Box}>`;
  }
  return html`<${Box} title=${T('Đặt mật khẩu', 'Set your password')} onSubmit=${submit}>
    <p data-testid="setup-who">${who
      ? html`${T('Xin chào', 'Hello')} <strong>${who.username}</strong>. ${T('Đặt mật khẩu cho lần đăng nhập đầu tiên; liên kết này chỉ dùng được một lần.', 'Set a password for your first sign-in; this link works only once.')}`
      : T('Đang kiểm tra liên kết…', 'Checking the link…')}</p>
    <input type="text" name="username" autocomplete="username" value=${who?.username ?? ''} hidden readonly />
    <label class="field">${T('Mật khẩu mới (ít nhất 10 ký tự)', 'New password (at least 10 characters)')}
      <input name="new-password" type="password" autocomplete="new-password" value=${password} onInput=${(e: Event) => setPassword((e.target as HTMLInputElement).value)} /></label>
    <label class="field">${T('Nhập lại mật khẩu', 'Repeat the password')}
      <input name="new-password-again" type="password" autocomplete="new-password" value=${again} onInput=${(e: Event) => setAgain((e.target as HTMLInputElement).value)} /></label>
    ${error ? html`<p class="form-error" role="alert" data-testid="setup-error">${error}</p>` : ''}
    <button type="submit" class="btn btn-primary big" data-testid="setup-submit" disabled=${busy || !who}>${busy ? T('Đang lưu…', 'Saving…') : T('Lưu mật khẩu và đăng nhập', 'Save the password and sign in')}</button>
  </${Box}>`;
}
