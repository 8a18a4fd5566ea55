// The operator's media nodes (signaling/media-nodes.ts): each node's state
// (online, parent link, halls, CPU, memory, sites), "add a media node" which
// shows its one-time enrolment code once, a new code, and revoke.
import { useEffect, useState } from 'preact/hooks';
import { CreateMediaNodeReq, MediaNodeRoutes, type EnrolCodeRes, type MediaNodeEntry, type MediaNodeRouteName } from '../../../signaling/media-nodes.js';
import type { Session } from '../../../signaling/accounts.js';
import { ErrorBody } from '../../../signaling/common.js';
import { checkAnswer, sendChecked } from '../api.js';
import { UiError } from '../errors.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime, fmtNum } from '../format.js';
import { notify } from '../notices.js';
import { AccountError } from './account-api.js';
import { Dialog } from './dialogs.js';
import { accountErrorText } from './sign-in.js';

async function nodeCall(name: MediaNodeRouteName, token: string, node?: string, body?: unknown): Promise<unknown> {
  const def = MediaNodeRoutes[name];
  const path = node ? def.path.replace(':node', encodeURIComponent(node)) : def.path;
  const res = await sendChecked(name, def, path, token, body);
  let json: { ok?: boolean; data?: unknown; error?: unknown } | null = null;
  try { json = await res.json(); } catch { /* not JSON */ }
  if (res.ok && json?.ok) return checkAnswer(name, def.res, json.data);
  const e = ErrorBody.safeParse(json?.error);
  if (e.success) throw new AccountError(e.data.code, e.data.message, res.status);
  throw new UiError(res.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', `${name}: HTTP ${res.status}`, res.status);
}

const stateText = (n: MediaNodeEntry) => (n.state === 'revoked' ? T('Đã thu hồi', 'Revoked')
  : n.state === 'waiting' ? T('Chờ đăng ký', 'Waiting to enrol')
    : n.online ? T('Trực tuyến', 'Online') : T('Mất kết nối', 'Offline'));

/** The start command of a node, with only what it needs (the port and address stay local settings). */
const startLine = (c: EnrolCodeRes) => `MEDIA_NODE_ID=${c.nodeId} CONTROL_URL=${location.origin} ENROL_CODE=${c.code} node --import tsx media/main.ts`;

export function MediaNodesPanel({ session, onExpired }: { session: Session; onExpired: () => void }) {
  const [nodes, setNodes] = useState<MediaNodeEntry[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [code, setCode] = useState<EnrolCodeRes | null>(null);
  const failed = (err: unknown) => {
    if (err instanceof AccountError && err.code === 'UNAUTHORIZED') { onExpired(); return; }
    notify(accountErrorText(err), 'error');
  };
  const refresh = () => nodeCall('list', session.token).then((l) => setNodes(l as MediaNodeEntry[])).catch(failed);
  useEffect(() => {
    void refresh();
    // the state changes by itself (a node comes online, its load moves)
    const t = setInterval(() => void refresh(), 5000);
    return () => clearInterval(t);
  }, []);
  const newCode = async (n: MediaNodeEntry) => {
    if (n.state === 'enrolled' && !confirm(T(`Cấp mã mới cho “${n.name}”? Khi máy chủ dùng mã mới, chứng chỉ cũ hết hiệu lực.`, `New code for “${n.name}”? Once it is used, the old credential stops working.`))) return;
    try { setCode(await nodeCall('newCode', session.token, n.id) as EnrolCodeRes); await refresh(); } catch (err) { failed(err); }
  };
  const revoke = async (n: MediaNodeEntry) => {
    if (!confirm(T(`Thu hồi máy chủ “${n.name}”? Máy chủ bị ngắt ngay khỏi dịch vụ điều hành và các máy chủ khác.`, `Revoke “${n.name}”? Its links to control and to the other nodes close now.`))) return;
    try {
      await nodeCall('revoke', session.token, n.id);
      notify(T('Đã thu hồi máy chủ', 'Media node revoked'), 'ok');
      await refresh();
    } catch (err) { failed(err); }
  };

  return html`<section class="panel" data-testid="media-nodes">
    <div class="panel-head"><h2>${T('Máy chủ truyền hình', 'Media nodes')}</h2><div class="panel-actions">
      <button type="button" class="btn btn-primary" data-testid="node-add" onClick=${() => setAdding(true)}>+ ${T('Thêm máy chủ truyền hình', 'Add a media node')}</button>
    </div></div>
    <div class="panel-body">
      ${nodes === null ? html`<p class="empty">${T('Đang tải…', 'Loading…')}</p>` : ''}
      ${nodes !== null && !nodes.length ? html`<p class="empty">${T('Chưa có máy chủ nào. Bấm “Thêm máy chủ truyền hình” để lấy mã đăng ký.', 'No media node yet. Click “Add a media node” to get an enrolment code.')}</p>` : ''}
      ${nodes?.length ? html`<table class="grid"><thead><tr>
        <th>${T('Máy chủ', 'Node')}</th><th>${T('Trạng thái', 'State')}</th><th>${T('Máy chủ cấp trên', 'Parent')}</th>
        <th class="num">${T('Điểm cầu', 'Sites')}</th><th class="num">${T('Màn hình hội trường', 'Halls')}</th><th class="num">CPU</th><th class="num">${T('Bộ nhớ', 'Memory')}</th><th></th></tr></thead>
        <tbody>${nodes.map((n) => html`<tr key=${n.id} data-node=${n.id} data-state=${n.state} data-online=${String(n.online)}>
          <td><div class="conf-name">${n.name}</div><div class="muted small">${T('mã', 'id')} ${n.id}${n.url ? ` · ${n.url}` : ''}</div></td>
          <td><span class="state-pill">${stateText(n)}</span>${n.codeExpiresAt ? html`<div class="muted small">${T(`Mã đăng ký dùng được đến ${fmtDateTime(n.codeExpiresAt)}`, `Code valid until ${fmtDateTime(n.codeExpiresAt)}`)}</div>` : ''}</td>
          <td>${n.parentUp === null ? html`<span class="muted">${T('(gốc)', '(root)')}</span>` : html`${n.parent ?? '—'} · ${n.parentUp ? T('đã nối', 'linked') : html`<strong>${T('chưa nối', 'not linked')}</strong>`}`}</td>
          <td class="num" title=${n.sites.slice(0, 50).join(', ')}>${fmtNum(n.sites.length)}</td>
          <td class="num">${fmtNum(n.halls)}</td>
          <td class="num">${n.cpuPercent === null ? '—' : `${n.cpuPercent.toFixed(0)} %`}</td>
          <td class="num">${n.memoryMb === null ? '—' : `${fmtNum(Math.round(n.memoryMb))} MB`}</td>
          <td><div class="btn-row end">
            <button type="button" class="btn btn-small" data-action="new-code" onClick=${() => newCode(n)}>${T('Mã mới', 'New code')}</button>
            <button type="button" class="btn btn-small" data-action="revoke" disabled=${n.state === 'revoked'} onClick=${() => revoke(n)}>${T('Thu hồi', 'Revoke')}</button>
          </div></td></tr>`)}</tbody></table>` : ''}
      <p class="muted small">${T('Điểm cầu nào do máy chủ nào phục vụ được đặt trong cây điểm cầu (cột “máy chủ truyền hình” khi nhập bảng tính, hoặc sửa từng điểm cầu); thay đổi có hiệu lực ngay, không cần khởi động lại máy chủ.',
        'Which node serves which site is set in the site tree (the spreadsheet\'s “media node” column, or each site\'s edit form); a change takes effect at once, no node restarts.')}</p>
    </div>
    ${adding ? html`<${AddNodeDialog} session=${session} onClose=${() => setAdding(false)} onDone=${(c: EnrolCodeRes) => { setAdding(false); setCode(c); void refresh(); }} onFailed=${failed} />` : ''}
    ${code ? html`<${Dialog} title=${T('Mã đăng ký máy chủ', 'Enrolment code')} onClose=${() => setCode(null)} testid="node-code">
      <p>${T(`Mã đăng ký của máy chủ “${code.nodeId}” — chỉ hiện một lần, dùng được một lần, đến ${fmtDateTime(code.expiresAt)}:`, `The enrolment code of “${code.nodeId}” — shown once, works once, until ${fmtDateTime(code.expiresAt)}:`)}</p>
      <p><code data-testid="enrol-code" class="code-block">${code.code}</code></p>
      <p>${T('Khởi động máy chủ với mã này (cổng, địa chỉ công bố và chứng chỉ TLS đặt tại máy chủ):', 'Start the node with it (its port, announced address and TLS stay local settings):')}</p>
      <pre class="code-block small">${startLine(code)}</pre>
      <div class="btn-row dialog-actions"><button type="button" class="btn btn-primary" onClick=${() => setCode(null)}>${T('Đã ghi lại', 'Done')}</button></div>
    </${Dialog}>` : ''}
  </section>`;
}

function AddNodeDialog({ session, onClose, onDone, onFailed }: { session: Session; onClose: () => void; onDone: (c: EnrolCodeRes) => void; onFailed: (err: unknown) => void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const parsed = CreateMediaNodeReq.safeParse({ id: id.trim(), name });
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path[0] === 'id' ? T('Mã máy chủ: chỉ chữ thường không dấu, số và dấu gạch ngang, ví dụ d-trangdinh.', 'Node id: lower-case letters, digits and dashes only, e.g. d-trangdinh.')
        : T('Tên máy chủ không được để trống.', 'The name must not be empty.');
      setError(field);
      return;
    }
    try { onDone(await nodeCall('create', session.token, undefined, parsed.data) as EnrolCodeRes); } catch (err) {
      if (err instanceof AccountError && err.code !== 'UNAUTHORIZED') setError(accountErrorText(err)); else onFailed(err);
    }
  };
  return html`<${Dialog} title=${T('Thêm máy chủ truyền hình', 'Add a media node')} onClose=${onClose} testid="node-add-dialog">
    <form onSubmit=${submit} class="form-grid">
      <label class="field"><span>${T('Mã máy chủ', 'Node id')}</span><input name="id" value=${id} autocapitalize="none" placeholder="d-trangdinh" onInput=${(e: Event) => setId((e.target as HTMLInputElement).value)} /></label>
      <label class="field"><span>${T('Tên', 'Name')}</span><input name="name" value=${name} placeholder=${T('Máy chủ huyện Tràng Định', 'Tràng Định district server')} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></label>
      ${error ? html`<p class="form-error span2" role="alert">${error}</p>` : ''}
      <div class="btn-row dialog-actions span2"><button type="button" class="btn" onClick=${onClose}>${T('Huỷ', 'Cancel')}</button>
        <button type="submit" class="btn btn-primary" data-testid="node-add-submit">${T('Thêm và lấy mã', 'Add and get a code')}</button></div>
    </form>
  </${Dialog}>`;
}
