// The operator's forms: create a conference, duplicate one as a template,
// manage a conference's organizer accounts. Each checks its fields with the
// route's own schema before sending and names the field to correct.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { CreateConferenceReq, DuplicateReq, Username, type ConferenceSummary, type OrganizerEntry, type Session } from '../../../signaling/accounts.js';
import { SiteLevel } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime, fmtIsoDate } from '../format.js';
import { notify } from '../notices.js';
import { call } from './account-api.js';
import { accountErrorText } from './sign-in.js';

export function Dialog({ title, onClose, children, testid }: { title: string; onClose: () => void; children: ComponentChildren; testid: string }) {
  useEffect(() => {
    const esc = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose(); };
    addEventListener('keydown', esc);
    return () => removeEventListener('keydown', esc);
  }, []);
  return html`<div class="dialog-backdrop" onClick=${(e: Event) => { if (e.target === e.currentTarget) onClose(); }}>
    <div class="dialog" role="dialog" aria-modal="true" aria-label=${title} data-testid=${testid}>
      <div class="dialog-head"><h2>${title}</h2><button type="button" class="btn btn-ghost btn-small" onClick=${onClose} aria-label=${T('Đóng', 'Close')}>✕</button></div>
      ${children}
    </div></div>`;
}

/** Field label and what to write in it, for the sentence naming a wrong field. */
const FIELDS: Record<string, () => [string, string]> = {
  id: () => [T('Mã hội nghị', 'Conference code'), T('chỉ chữ thường không dấu, số và dấu gạch ngang, ví dụ hn-2026-01', 'lower-case letters, digits and dashes only, e.g. hn-2026-01')],
  title: () => [T('Tên hội nghị', 'Title'), T('không được để trống', 'must not be empty')],
  planNumber: () => [T('Số kế hoạch', 'Plan number'), T('ví dụ 135-KH/TU', 'e.g. 135-KH/TU')],
  date: () => [T('Ngày', 'Date'), T('hãy chọn ngày', 'pick a date')],
  plannedStart: () => [T('Giờ bắt đầu', 'Start time'), T('hãy chọn giờ', 'pick a time')],
  plannedDurationMin: () => [T('Thời lượng', 'Duration'), T('số phút từ 1 đến 1440', 'minutes from 1 to 1440')],
  reportsTo: () => [T('Báo cáo gửi', 'Report to'), T('không được để trống', 'must not be empty')],
  reportDeadline: () => [T('Hạn báo cáo', 'Report deadline'), T('hãy chọn ngày', 'pick a date')],
  rootSite: () => [T('Mã điểm cầu chủ trì', 'Host site code'), T('chỉ chữ thường không dấu, số và dấu gạch ngang, ví dụ tinh-ls', 'lower-case letters, digits and dashes only, e.g. tinh-ls')],
  name: () => [T('Tên điểm cầu chủ trì', 'Host site name'), T('không được để trống', 'must not be empty')],
  mediaNode: () => [T('Máy chủ truyền hình', 'Media node'), T('mã máy chủ, ví dụ centre', 'a node id, e.g. centre')],
};
function fieldError(issues: { path: PropertyKey[] }[]): string {
  const key = [...(issues[0]?.path ?? [])].reverse().find((p) => typeof p === 'string' && p in FIELDS) as string | undefined;
  if (!key) return T('Thông tin nhập chưa hợp lệ. Hãy kiểm tra lại các ô rồi thử lại.', 'Some of what you entered is not valid. Check the fields and try again.');
  const [label, hint] = FIELDS[key]!();
  return T(`Hãy sửa ô “${label}”: ${hint}.`, `Correct “${label}”: ${hint}.`);
}

const Input = ({ label, value, set, type = 'text', name, wide = false, ...rest }: { label: string; value: string; set: (v: string) => void; type?: string; name: string; wide?: boolean; [k: string]: unknown }) =>
  html`<label class=${wide ? 'field span2' : 'field'}><span>${label}${type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? html` <span class="muted" data-date>— ${fmtIsoDate(value)}</span>` : ''}</span><input name=${name} type=${type} value=${value} onInput=${(e: Event) => set((e.target as HTMLInputElement).value)} ...${rest} /></label>`;

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return new Date(d.getTime() + n * 86_400_000).toISOString().slice(0, 10);
}

export function CreateDialog({ session, onClose, onDone }: { session: Session; onClose: () => void; onDone: (c: ConferenceSummary) => void }) {
  const [f, setF] = useState({ id: '', title: '', planNumber: '', date: '', time: '08:00', duration: '120', reportsTo: '', deadline: '', rootSite: '', rootName: '', level: 'province', mediaNode: 'centre' });
  const set = (k: keyof typeof f) => (v: string) => setF((o) => ({ ...o, [k]: v, ...(k === 'date' && !o.deadline ? { deadline: addDays(v, 3) } : {}) }));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const body = {
      id: f.id.trim(),
      conference: {
        title: f.title, planNumber: f.planNumber, date: f.date, plannedStart: `${f.date}T${f.time}:00+07:00`, plannedDurationMin: Number(f.duration),
        maket: f.title.trim() ? [f.title.trim().toUpperCase()] : [], rootSite: f.rootSite.trim(), reportsTo: f.reportsTo, reportDeadline: `${f.deadline}T17:00:00+07:00`,
      },
      root: { name: f.rootName, level: f.level, mediaNode: f.mediaNode.trim() },
    };
    const checked = CreateConferenceReq.safeParse(body);
    if (!checked.success) { setError(fieldError(checked.error.issues)); return; }
    setBusy(true);
    setError(null);
    try {
      const c = await call('createConference', { body: checked.data, token: session.token });
      notify(T(`Đã tạo hội nghị “${c.title}”`, `Conference “${c.title}” created`), 'ok');
      onDone(c);
    } catch (err) { setError(accountErrorText(err)); } finally { setBusy(false); }
  };
  const levels: [string, string][] = [['centre', T('Trung ương', 'Centre')], ['province', T('Tỉnh / thành phố', 'Province / city')], ['district', T('Huyện', 'District')], ['commune', T('Xã / phường', 'Commune / ward')]];
  return html`<${Dialog} title=${T('Tạo hội nghị mới', 'New conference')} onClose=${onClose} testid="create-dialog">
    <div class="form-grid">
      <${Input} name="title" label=${T('Tên hội nghị', 'Title')} value=${f.title} set=${set('title')} wide=${true} placeholder=${T('Hội nghị học tập, quán triệt…', 'Study conference on…')} />
      <${Input} name="id" label=${T('Mã hội nghị (không dấu)', 'Conference code')} value=${f.id} set=${set('id')} placeholder="hn-2026-01" autocapitalize="none" />
      <${Input} name="planNumber" label=${T('Số kế hoạch', 'Plan number')} value=${f.planNumber} set=${set('planNumber')} placeholder="135-KH/TU" />
      <${Input} name="date" type="date" label=${T('Ngày', 'Date')} value=${f.date} set=${set('date')} />
      <${Input} name="time" type="time" label=${T('Giờ bắt đầu (giờ Việt Nam)', 'Start (Vietnam time)')} value=${f.time} set=${set('time')} />
      <${Input} name="duration" type="number" min="1" max="1440" label=${T('Thời lượng (phút)', 'Duration (minutes)')} value=${f.duration} set=${set('duration')} />
      <${Input} name="deadline" type="date" label=${T('Hạn báo cáo (17:00)', 'Report deadline (17:00)')} value=${f.deadline} set=${set('deadline')} />
      <${Input} name="reportsTo" label=${T('Báo cáo kết quả gửi', 'Results reported to')} value=${f.reportsTo} set=${set('reportsTo')} wide=${true} placeholder=${T('Ban Tuyên giáo Trung ương', 'Central Propaganda Commission')} />
      <${Input} name="rootName" label=${T('Điểm cầu chủ trì', 'Host site')} value=${f.rootName} set=${set('rootName')} placeholder=${T('Hội trường Tỉnh uỷ', 'Provincial Party hall')} />
      <${Input} name="rootSite" label=${T('Mã điểm cầu chủ trì', 'Host site code')} value=${f.rootSite} set=${set('rootSite')} placeholder="ls" autocapitalize="none" />
      <label class="field">${T('Cấp của điểm cầu chủ trì', 'Level of the host site')}
        <select name="level" value=${f.level} onChange=${(e: Event) => set('level')((e.target as HTMLSelectElement).value)}>
          ${levels.filter(([v]) => SiteLevel.safeParse(v).success).map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>
      <${Input} name="mediaNode" label=${T('Máy chủ truyền hình', 'Media node')} value=${f.mediaNode} set=${set('mediaNode')} autocapitalize="none" />
    </div>
    ${error ? html`<p class="form-error" role="alert" data-testid="create-error">${error}</p>` : ''}
    <div class="btn-row dialog-actions"><button type="button" class="btn" onClick=${onClose}>${T('Huỷ', 'Cancel')}</button>
      <button type="button" class="btn btn-primary" data-testid="create-submit" disabled=${busy} onClick=${submit}>${T('Tạo hội nghị', 'Create')}</button></div>
  </${Dialog}>`;
}

export function DuplicateDialog({ session, source, onClose, onDone }: { session: Session; source: ConferenceSummary; onClose: () => void; onDone: (c: ConferenceSummary) => void }) {
  const [id, setId] = useState(`${source.id}-2`.slice(0, 80));
  const [title, setTitle] = useState(source.title);
  const [planNumber, setPlan] = useState(source.planNumber);
  const [date, setDate] = useState(source.date);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const checked = DuplicateReq.safeParse({ id: id.trim(), title, planNumber, date });
    if (!checked.success) { setError(fieldError(checked.error.issues)); return; }
    setBusy(true);
    try {
      const c = await call('duplicateConference', { params: { conf: source.id }, body: checked.data, token: session.token });
      notify(T(`Đã tạo “${c.title}” từ “${source.title}”`, `Created “${c.title}” from “${source.title}”`), 'ok');
      onDone(c);
    } catch (err) { setError(accountErrorText(err)); } finally { setBusy(false); }
  };
  return html`<${Dialog} title=${T('Nhân bản làm mẫu', 'Duplicate as a template')} onClose=${onClose} testid="duplicate-dialog">
    <p class="muted">${T(`Từ “${source.title}” (${fmtIsoDate(source.date)}): sao chép cài đặt, chương trình, cây điểm cầu, thành phần đại biểu và số dự kiến. Không sao chép điểm danh, tài liệu, liên kết mời hay Ban tổ chức. Đổi ngày thì giờ họp, hạn báo cáo và chương trình dời theo.`,
      `From “${source.title}” (${fmtIsoDate(source.date)}): copies the settings, agenda, site tree, delegate groups and expected counts — not attendance, materials, invitations or organizers. A new date moves the start, the report deadline and the agenda with it.`)}</p>
    <div class="form-grid">
      <${Input} name="title" label=${T('Tên hội nghị', 'Title')} value=${title} set=${setTitle} wide=${true} />
      <${Input} name="id" label=${T('Mã hội nghị mới', 'New conference code')} value=${id} set=${setId} autocapitalize="none" />
      <${Input} name="planNumber" label=${T('Số kế hoạch', 'Plan number')} value=${planNumber} set=${setPlan} />
      <${Input} name="date" type="date" label=${T('Ngày', 'Date')} value=${date} set=${setDate} />
    </div>
    ${error ? html`<p class="form-error" role="alert" data-testid="duplicate-error">${error}</p>` : ''}
    <div class="btn-row dialog-actions"><button type="button" class="btn" onClick=${onClose}>${T('Huỷ', 'Cancel')}</button>
      <button type="button" class="btn btn-primary" data-testid="duplicate-submit" disabled=${busy} onClick=${submit}>${T('Nhân bản', 'Duplicate')}</button></div>
  </${Dialog}>`;
}

export function OrganizersDialog({ session, conf, onClose, onChanged }: { session: Session; conf: ConferenceSummary; onClose: () => void; onChanged: () => void }) {
  const [list, setList] = useState<OrganizerEntry[]>([]);
  const [username, setUsername] = useState('');
  const [link, setLink] = useState<{ username: string; url: string; expiresAt: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => call('listOrganizers', { params: { conf: conf.id }, token: session.token }).then(setList).catch((err) => setError(accountErrorText(err)));
  useEffect(() => { void refresh(); }, []);
  const add = async (name: string) => {
    const u = Username.safeParse(name.trim().toLowerCase());
    if (!u.success) { setError(T('Tên đăng nhập gồm 3–40 chữ thường không dấu, số và . _ -, ví dụ nguyenvana. Hãy sửa rồi thêm lại.', 'A username is 3–40 lower-case letters, digits and . _ -, e.g. nguyenvana. Correct it and add again.')); return; }
    setError(null);
    try {
      const e = await call('addOrganizer', { params: { conf: conf.id }, body: { username: u.data }, token: session.token });
      setLink(e.setupPath ? { username: e.username, url: `${location.origin}${e.setupPath}`, expiresAt: e.setupExpiresAt ?? 0 } : null);
      setUsername('');
      await refresh();
      onChanged();
    } catch (err) { setError(accountErrorText(err)); }
  };
  const remove = async (u: string) => {
    if (!confirm(T(`Bỏ “${u}” khỏi Ban tổ chức của hội nghị này? Người đó sẽ bị đăng xuất.`, `Remove “${u}” from this conference's organizers? They will be signed out.`))) return;
    try { await call('removeOrganizer', { params: { conf: conf.id, username: u }, token: session.token }); await refresh(); onChanged(); } catch (err) { setError(accountErrorText(err)); }
  };
  const copy = async (text: string) => {
    try { await navigator.clipboard.writeText(text); notify(T('Đã sao chép liên kết', 'Link copied'), 'ok'); } catch { window.prompt(T('Sao chép liên kết:', 'Copy the link:'), text); }
  };
  return html`<${Dialog} title=${T(`Ban tổ chức — ${conf.title}`, `Organizers — ${conf.title}`)} onClose=${onClose} testid="organizers-dialog">
    ${list.length ? html`<table class="grid"><thead><tr><th>${T('Tài khoản', 'Account')}</th><th>${T('Trạng thái', 'State')}</th><th></th></tr></thead><tbody>
      ${list.map((o) => html`<tr key=${o.username} data-organizer=${o.username}><td>${o.username}</td>
        <td>${o.passwordSet ? T('Đã đăng nhập lần đầu', 'Has signed in') : T('Chưa đăng nhập lần đầu', 'Not signed in yet')}</td>
        <td class="btn-row">${o.passwordSet ? '' : html`<button type="button" class="btn btn-small" onClick=${() => add(o.username)}>${T('Cấp lại liên kết', 'New link')}</button>`}
          <button type="button" class="btn btn-small btn-danger" onClick=${() => remove(o.username)}>${T('Bỏ', 'Remove')}</button></td></tr>`)}
    </tbody></table>` : html`<p class="empty">${T('Hội nghị này chưa có tài khoản Ban tổ chức.', 'This conference has no organizer accounts yet.')}</p>`}
    <div class="add-row"><label class="field grow">${T('Thêm tài khoản Ban tổ chức (tên đăng nhập)', 'Add an organizer account (username)')}
      <input name="organizer" value=${username} placeholder="nguyenvana" autocapitalize="none" onInput=${(e: Event) => setUsername((e.target as HTMLInputElement).value)}
        onKeyDown=${(e: KeyboardEvent) => { if (e.key === 'Enter') void add(username); }} /></label>
      <button type="button" class="btn btn-primary" data-testid="organizer-add" onClick=${() => add(username)}>${T('Thêm', 'Add')}</button></div>
    ${error ? html`<p class="form-error" role="alert" data-testid="organizers-error">${error}</p>` : ''}
    ${link ? html`<div class="setup-link" data-testid="setup-link">
      <p>${T(`Gửi liên kết này cho “${link.username}” (qua thư điện tử hoặc tin nhắn). Người đó bấm vào để tự đặt mật khẩu; liên kết chỉ dùng được một lần, hết hạn lúc ${fmtDateTime(link.expiresAt)}.`,
        `Send this link to “${link.username}” (e-mail or message). They open it to set their own password; it works once and expires at ${fmtDateTime(link.expiresAt)}.`)}</p>
      <div class="add-row"><input readonly value=${link.url} class="grow" data-testid="setup-link-url" onFocus=${(e: Event) => (e.target as HTMLInputElement).select()} />
        <button type="button" class="btn" onClick=${() => copy(link.url)}>${T('Sao chép', 'Copy')}</button></div></div>` : ''}
  </${Dialog}>`;
}
