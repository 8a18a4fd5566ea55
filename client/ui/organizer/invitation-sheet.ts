// Invitations for every site at once: pick the role, issue one link to every
// site that has no live one, and download the printable A4 sheet (a card per
// site: name, QR code, short link, what to do) to send down.
import { useState } from 'preact/hooks';
import { routePath } from '../../../signaling/control-routes.js';
import type { Invitation, Site, SiteInviteRole } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtNum } from '../format.js';
import { Panel } from '../components.js';
import { notify } from '../notices.js';
import type { AppSession } from '../app.js';
import { save, stamp } from './exports.js';
import { refusalText } from './setup-common.js';

export const liveInv = (i: Invitation, now = Date.now()) => !i.revoked && i.exp * 1000 > now;

export function InvitationSheet({ s, list, selected, onIssued }: { s: AppSession; list: Invitation[]; selected?: Site; onIssued: (issued: Invitation[]) => Promise<void> }) {
  const sites = s.client.store.sites.value;
  const inSub = selected ? sites.filter((x) => x.id === selected.id || x.path.includes(selected.id)).length : 0;
  const [role, setRole] = useState<SiteInviteRole>('technician');
  const [busy, setBusy] = useState('');
  const covered = new Set(list.filter((i) => i.role === role && i.site && liveInv(i) && i.short).map((i) => i.site!));
  const missing = sites.filter((x) => !covered.has(x.id)).map((x) => x.id);
  const run = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    try { await fn(); } catch (err) { notify(refusalText(err), 'error'); }
    setBusy('');
  };
  const issueAll = () => run('bulk', async () => {
    const issued = await s.api.call('bulkInvitations', { params: { conf: s.conf }, body: { role, sites: missing } });
    await onIssued(issued);
    notify(T(`Đã cấp ${fmtNum(issued.length)} liên kết`, `${fmtNum(issued.length)} links issued`), 'ok');
  });
  const sheet = (under?: string) => run(under ? 'pdf-sub' : 'pdf', async () => {
    const blob = await s.api.blob(routePath('invitationSheet', { conf: s.conf }), { role, origin: location.origin, ...(under ? { under } : {}) });
    save(blob, `phieu-ket-noi_${role}_${under ?? s.conf}_${stamp()}.pdf`);
  });
  const roles: [SiteInviteRole, string][] = [
    ['technician', T('Kỹ thuật viên', 'Technician')], ['viewer', T('Màn hình hội trường', 'Hall screen')], ['participant', T('Điểm danh đại biểu', 'Delegate check-in')],
  ];
  return html`<${Panel} title=${T('Liên kết cho mọi điểm cầu và phiếu in', 'Links for every site and the printable sheet')} id="invitation-sheet">
    <div class="sheet-row" role="radiogroup" aria-label=${T('Vai trò', 'Role')}>
      ${roles.map(([r, label]) => html`<label class="choice" key=${r}><input type="radio" name="sheet-role" value=${r} checked=${role === r} onChange=${() => setRole(r)} /> ${label}</label>`)}
    </div>
    <p data-testid="sheet-count">${T(`${fmtNum(covered.size)} / ${fmtNum(sites.length)} điểm cầu đã có liên kết còn hiệu lực.`, `${fmtNum(covered.size)} / ${fmtNum(sites.length)} sites have a live link.`)}</p>
    <div class="sheet-row">
      <button class="btn btn-primary" disabled=${!!busy || !missing.length} onClick=${issueAll} data-testid="sheet-issue">
        ${busy === 'bulk' ? T('Đang cấp…', 'Issuing…') : T(`Cấp cho ${fmtNum(missing.length)} điểm cầu chưa có`, `Issue to ${fmtNum(missing.length)} sites without one`)}</button>
      <button class="btn" disabled=${!!busy || !covered.size} onClick=${() => sheet()} data-testid="sheet-pdf">${busy === 'pdf' ? T('Đang tạo PDF…', 'Making the PDF…') : T('Tải phiếu in (PDF, A4)', 'Download the sheet (PDF, A4)')}</button>
      ${selected && inSub < sites.length ? html`<button class="btn" disabled=${!!busy || !covered.size} onClick=${() => sheet(selected.id)} data-testid="sheet-pdf-under">
        ${busy === 'pdf-sub' ? T('Đang tạo PDF…', 'Making the PDF…') : T(`Chỉ phiếu của ${selected.name} và ${fmtNum(inSub - 1)} điểm cầu trực thuộc`, `Only ${selected.name} and the ${fmtNum(inSub - 1)} sites below it`)}</button>` : ''}
    </div>
    <p class="muted" style=${{ marginBottom: 0 }}>${T('Mỗi phiếu có tên điểm cầu, mã QR, liên kết rút gọn để gõ tay và cách làm. Liên kết bị lộ: bấm “Cấp lại” ở dòng của điểm cầu đó (liên kết cũ bị thu hồi), rồi in lại phiếu.',
      'Each card has the site name, a QR code, a short link to type and what to do. A leaked link: press "Reissue" on that site\'s row (the old link is revoked), then print again.')}</p>
  </${Panel}>`;
}
