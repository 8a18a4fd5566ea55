// Operator page: sign-in, first sign-in from a one-time link (#setup=…), the
// conference list. Needs no invitation link; the session lives in this tab.
import '../ui/styles.css';
import '../ui/admin/admin.css';
import { html, render } from '../ui/html.js';
import { Notices } from '../ui/notices.js';
import { AdminApp } from '../ui/admin/app.js';

render(html`<${AdminApp} /><${Notices} />`, document.getElementById('app') as HTMLElement);
