// Landing page: what each app is for. Every app opens from its invitation link.
import '../ui/styles.css';
import { html, render } from '../ui/html.js';
import { T } from '../ui/i18n.js';
import { LangSwitch } from '../ui/components.js';

function Landing() {
  const apps: [string, string, string][] = [
    ['organizer.html', T('Ban tổ chức', 'Organiser dashboard'), T('Cây điểm cầu, điểm danh, chương trình, quyền phát biểu, tài liệu, sự cố, liên kết mời.', 'Site tree, attendance, agenda, floor, materials, incidents, invitation links.')],
    ['technician.html', T('Kỹ thuật viên', 'Technician console'), T('Kiểm tra thiết bị và đường truyền, số người có mặt, tài liệu, báo sự cố, xin phát biểu.', 'Device and link checks, headcount, materials, incidents, asking for the floor.')],
    ['hall.html', T('Màn hình hội trường', 'Hall display'), T('Chương trình toàn màn hình với maket và nội dung đang trình bày.', 'Full-screen programme with the banner and the current item.')],
    ['checkin.html', T('Điểm danh đại biểu', 'Delegate check-in'), T('Đại biểu chọn thành phần và điểm danh vào / ra.', 'Delegates pick their group and check in and out.')],
  ];
  return html`<div>
    <header class="app-header"><div class="brand"><span class="logo">★</span> <strong>Điểm Cầu</strong></div>
      <div class="conf-title">${T('Hội nghị trực tuyến nhiều điểm cầu', 'Multi-site online conferences')}</div><div class="header-right"><${LangSwitch} /></div></header>
    <main class="layout" style=${{ maxWidth: '900px', margin: '0 auto' }}>
      <p>${T('Mỗi ứng dụng được mở từ đường liên kết mời do Ban tổ chức gửi (có mã truy cập).', 'Each app opens from the invitation link the organisers send (it carries an access code).')}</p>
      <p><a class="btn btn-primary" href="admin.html" data-testid="to-admin">${T('Quản trị: đăng nhập và danh sách hội nghị', 'Administration: sign in and the conference list')}</a></p>
      <div class="cards">${apps.map(([href, name, text]) => html`<div class="card" key=${href}><h2 style=${{ fontSize: '17px' }}>${name}</h2><p class="muted">${text}</p><code>/${href}?token=…</code></div>`)}</div>
    </main>
  </div>`;
}
render(html`<${Landing} />`, document.getElementById('app') as HTMLElement);
