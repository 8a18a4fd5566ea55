// Export buttons: the service builds CSV / XLSX; the page saves them with a
// dated file name.
import { useState } from 'preact/hooks';
import { routePath } from '../../../signaling/control-routes.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { act } from '../notices.js';
import type { AppSession } from '../app.js';

export function save(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export function stamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getDate())}-${p(d.getMonth() + 1)}-${d.getFullYear()}`;
}

export function ExportButtons({ s }: { s: AppSession }) {
  const [busy, setBusy] = useState('');
  const run = async (key: string, path: string, query: Record<string, string>, name: string) => {
    setBusy(key);
    await act(async () => save(await s.api.blob(path, query), name));
    setBusy('');
  };
  const p = { conf: s.conf };
  const items: [string, string, string, Record<string, string>, string][] = [
    ['att-csv', T('Điểm danh CSV', 'Attendance CSV'), routePath('reportAttendance', p), { format: 'csv' }, `diem-danh_${s.conf}_${stamp()}.csv`],
    ['att-xlsx', T('Điểm danh XLSX', 'Attendance XLSX'), routePath('reportAttendance', p), { format: 'xlsx' }, `diem-danh_${s.conf}_${stamp()}.xlsx`],
    ['full', T('Báo cáo đầy đủ XLSX', 'Full report XLSX'), routePath('reportFull', p), {}, `bao-cao_${s.conf}_${stamp()}.xlsx`],
  ];
  return html`<div class="btn-row">${items.map(([key, label, path, q, name]) => html`<button key=${key} class="btn btn-small" data-export=${key}
    disabled=${busy === key} onClick=${() => run(key, path, q, name)}>⤓ ${label}</button>`)}</div>`;
}
