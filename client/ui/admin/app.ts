// The operator page (admin.html): sign-in, the first sign-in from a one-time
// link (#setup=<code>), then the conference list with create, duplicate,
// archive, organizers (operators) and "open" (operators and organizers).
import { useEffect, useState } from 'preact/hooks';
import type { ConferenceStatus, ConferenceSummary, Session } from '../../../signaling/accounts.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime, fmtNum } from '../format.js';
import { LangSwitch } from '../components.js';
import { notify } from '../notices.js';
import { AccountError, call, savedSession, saveSession } from './account-api.js';
import { CreateDialog, DuplicateDialog, OrganizersDialog } from './dialogs.js';
import { AccountMenu } from './account-menu.js';
import { accountErrorText, SetPassword, SignIn } from './sign-in.js';
import { MediaNodesPanel } from './media-nodes.js';

type View = { kind: 'loading' } | { kind: 'signin'; note?: string } | { kind: 'setup'; code: string } | { kind: 'list'; session: Session };

const setupCode = () => /^#setup=([A-Za-z0-9_-]+)$/.exec(location.hash)?.[1] ?? null;
const expired = () => T('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.', 'Your session has expired. Sign in again.');

export function AdminApp() {
  const [view, setView] = useState<View>({ kind: 'loading' });
  const signedIn = (s: Session) => {
    saveSession(s);
    // the one-time code must not stay in the address bar or the history
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    setView({ kind: 'list', session: s });
  };
  const toSignIn = (note?: string) => { saveSession(null); setView({ kind: 'signin', ...(note ? { note } : {}) }); };
  useEffect(() => {
    const code = setupCode();
    if (code) { setView({ kind: 'setup', code }); return; }
    const s = savedSession();
    if (!s) { setView({ kind: 'signin' }); return; }
    call('me', { token: s.token }).then(() => setView({ kind: 'list', session: s }))
      .catch((err) => toSignIn(err instanceof AccountError && err.code === 'UNAUTHORIZED' ? expired() : accountErrorText(err)));
  }, []);
  // a sign-in link pasted into a tab already on this page
  useEffect(() => {
    const onHash = () => { const code = setupCode(); if (code) setView({ kind: 'setup', code }); };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  if (view.kind === 'loading') return html`<div class="signin-page"><p class="muted">${T('Đang tải…', 'Loading…')}</p></div>`;
  if (view.kind === 'signin') return html`<${SignIn} note=${view.note} onSignedIn=${signedIn} />`;
  if (view.kind === 'setup') return html`<${SetPassword} key=${view.code} code=${view.code} onSignedIn=${signedIn} onCancel=${() => { history.replaceState(null, '', location.pathname); toSignIn(); }} />`;
  return html`<${ConferenceList} session=${view.session} onSignedOut=${toSignIn} />`;
}

export function statusText(s: ConferenceStatus): string {
  return {
    draft: T('Bản nháp', 'Draft'), rehearsal: T('Tổng duyệt', 'Rehearsal'), live: T('Đang diễn ra', 'Live'),
    ended: T('Đã kết thúc', 'Ended'), archived: T('Đã lưu trữ', 'Archived'),
  }[s];
}

type Dialogs = { kind: 'create' } | { kind: 'duplicate'; c: ConferenceSummary } | { kind: 'organizers'; c: ConferenceSummary } | null;

function ConferenceList({ session, onSignedOut }: { session: Session; onSignedOut: (note?: string) => void }) {
  const [list, setList] = useState<ConferenceSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const [dialog, setDialog] = useState<Dialogs>(null);
  const operator = session.role === 'operator';
  /** A refused call: an ended session goes back to sign-in, anything else is said in a notice. */
  const failed = (err: unknown) => {
    if (err instanceof AccountError && err.code === 'UNAUTHORIZED') { onSignedOut(expired()); return; }
    notify(accountErrorText(err), 'error');
  };
  const refresh = () => call('listConferences', { token: session.token }).then((l) => { setList(l); setError(null); })
    .catch((err) => { if (err instanceof AccountError && err.code === 'UNAUTHORIZED') onSignedOut(expired()); else setError(accountErrorText(err)); });
  useEffect(() => { void refresh(); }, []);
  // the session ends on the server at expiresAt; the page follows without waiting for a click
  useEffect(() => {
    const t = setTimeout(() => onSignedOut(expired()), Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(t);
  }, [session.expiresAt]);

  const signOut = async () => {
    await call('signOut', { token: session.token }).catch(() => undefined);
    onSignedOut(T('Bạn đã đăng xuất.', 'You have signed out.'));
  };
  const open = async (c: ConferenceSummary) => {
    try { location.assign((await call('openConference', { params: { conf: c.id }, token: session.token })).path); } catch (err) { failed(err); }
  };
  const archive = async (c: ConferenceSummary, archived: boolean) => {
    if (archived && !confirm(T(`Lưu trữ “${c.title}”? Hội nghị sẽ ẩn khỏi danh sách chính; có thể khôi phục lại.`, `Archive “${c.title}”? It leaves the main list; it can be restored.`))) return;
    try {
      await call('archiveConference', { params: { conf: c.id }, body: { archived }, token: session.token });
      notify(archived ? T('Đã lưu trữ hội nghị', 'Conference archived') : T('Đã khôi phục hội nghị', 'Conference restored'), 'ok');
      await refresh();
    } catch (err) { failed(err); }
  };
  const done = async () => { setDialog(null); await refresh(); };

  const shown = (list ?? []).filter((c) => showArchived || c.status !== 'archived');
  const archivedCount = (list ?? []).filter((c) => c.status === 'archived').length;
  return html`<div>
    <header class="app-header">
      <div class="brand"><span class="logo" aria-hidden="true">★</span> <strong>Điểm Cầu</strong> <span class="app-name">${T('Danh sách hội nghị', 'Conferences')}</span></div>
      <div class="conf-title"></div>
      <div class="header-right"><span class="badge" data-testid="who">${session.username} · ${operator ? T('Quản trị', 'Operator') : T('Ban tổ chức', 'Organizer')}</span>
        <${AccountMenu} session=${session} onSignedOut=${onSignedOut} />
        <button type="button" class="btn btn-ghost" data-testid="sign-out" onClick=${signOut}>${T('Đăng xuất', 'Sign out')}</button><${LangSwitch} /></div>
    </header>
    <main class="layout admin-main">
      <section class="panel">
        <div class="panel-head"><h2>${T('Hội nghị', 'Conferences')}</h2><div class="panel-actions">
          ${archivedCount ? html`<label class="check"><input type="checkbox" data-testid="show-archived" checked=${showArchived} onChange=${(e: Event) => setShowArchived((e.target as HTMLInputElement).checked)} />
            ${T(`Hiện cả hội nghị đã lưu trữ (${archivedCount})`, `Show archived (${archivedCount})`)}</label>` : ''}
          ${operator ? html`<button type="button" class="btn btn-primary" data-testid="create-open" onClick=${() => setDialog({ kind: 'create' })}>+ ${T('Tạo hội nghị', 'New conference')}</button>` : ''}
        </div></div>
        <div class="panel-body">
          ${error ? html`<p class="form-error" role="alert">${error}</p>` : ''}
          ${list === null && !error ? html`<p class="empty">${T('Đang tải danh sách…', 'Loading the list…')}</p>` : ''}
          ${list !== null && !shown.length ? html`<p class="empty" data-testid="list-empty">${operator
            ? T('Chưa có hội nghị nào. Bấm “Tạo hội nghị” để bắt đầu.', 'No conferences yet. Click “New conference” to start.')
            : T('Bạn chưa được thêm vào hội nghị nào. Hãy nhờ người quản trị thêm bạn vào Ban tổ chức.', 'You have not been added to any conference yet. Ask the administrator to add you as an organizer.')}</p>` : ''}
          ${shown.length ? html`<table class="grid conf-list"><thead><tr>
            <th>${T('Hội nghị', 'Conference')}</th><th>${T('Thời gian', 'When')}</th><th>${T('Trạng thái', 'Status')}</th>
            <th class="num">${T('Điểm cầu', 'Sites')}</th>${operator ? html`<th>${T('Ban tổ chức', 'Organizers')}</th>` : ''}<th></th></tr></thead>
            <tbody>${shown.map((c) => html`<tr key=${c.id} data-conf=${c.id} data-status=${c.status}>
              <td><div class="conf-name">${c.title}</div><div class="muted small">${c.planNumber} · ${T('mã', 'code')} ${c.id}</div></td>
              <td class="nowrap">${fmtDateTime(c.plannedStart)}</td>
              <td><span class=${`state-pill status-${c.status}`} data-testid="status">${statusText(c.status)}</span></td>
              <td class="num">${fmtNum(c.sites)}</td>
              ${operator ? html`<td class="small">${c.organizers?.length ? c.organizers.join(', ') : html`<span class="muted">—</span>`}</td>` : ''}
              <td><div class="btn-row end">
                <button type="button" class="btn btn-small btn-primary" data-action="open" onClick=${() => open(c)}>${T('Mở', 'Open')}</button>
                ${operator ? html`
                  <button type="button" class="btn btn-small" data-action="duplicate" onClick=${() => setDialog({ kind: 'duplicate', c })}>${T('Nhân bản', 'Duplicate')}</button>
                  <button type="button" class="btn btn-small" data-action="organizers" onClick=${() => setDialog({ kind: 'organizers', c })}>${T('Ban tổ chức', 'Organizers')}</button>
                  ${c.status === 'archived'
                    ? html`<button type="button" class="btn btn-small" data-action="restore" onClick=${() => archive(c, false)}>${T('Khôi phục', 'Restore')}</button>`
                    : html`<button type="button" class="btn btn-small" data-action="archive" disabled=${c.status === 'live' || c.status === 'rehearsal'}
                        title=${c.status === 'live' || c.status === 'rehearsal' ? T('Hãy kết thúc hội nghị trước khi lưu trữ', 'End the conference before archiving it') : ''} onClick=${() => archive(c, true)}>${T('Lưu trữ', 'Archive')}</button>`}` : ''}
              </div></td></tr>`)}</tbody></table>` : ''}
        </div>
      </section>
      ${operator ? html`<${MediaNodesPanel} session=${session} onExpired=${() => onSignedOut(expired())} />` : ''}
      <p class="muted small">${T(`Phiên đăng nhập hết hạn lúc ${fmtDateTime(session.expiresAt)}. “Mở” đưa bạn vào trang Ban tổ chức của hội nghị; quyền mở có hiệu lực 12 giờ.`,
        `This session expires at ${fmtDateTime(session.expiresAt)}. “Open” takes you to the conference's organizer page; that access lasts 12 hours.`)}</p>
    </main>
    ${dialog?.kind === 'create' ? html`<${CreateDialog} session=${session} onClose=${() => setDialog(null)} onDone=${done} />` : ''}
    ${dialog?.kind === 'duplicate' ? html`<${DuplicateDialog} session=${session} source=${dialog.c} onClose=${() => setDialog(null)} onDone=${done} />` : ''}
    ${dialog?.kind === 'organizers' ? html`<${OrganizersDialog} session=${session} conf=${dialog.c} onClose=${() => { setDialog(null); void refresh(); }} onChanged=${() => undefined} />` : ''}
  </div>`;
}
