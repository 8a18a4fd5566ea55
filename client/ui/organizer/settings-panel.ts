// Conference settings: title, plan number, date and time, the maket lines with
// a live preview drawn by the hall overlay itself (so preview = hall), the
// level reported to and the deadline, the rehearsal. Saving sends only what
// changed with the version it was edited on: if another organizer saved in
// between, the service refuses ("changed by someone else, reload") and nothing
// is overwritten.
import { useEffect, useState } from 'preact/hooks';
import type { Signal } from '@preact/signals';
import type { Conference } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDate, fmtTime } from '../format.js';
import { Panel } from '../components.js';
import { notify } from '../notices.js';
import { HallPreview } from '../hall-preview.js';
import { hallPlace } from '../hall-overlay.js';
import type { AppSession } from '../app.js';
import { dateError, parseDmy, parseHm, refusalText, splitVn, vnIso } from './setup-common.js';

interface Form {
  title: string; planNumber: string; organizer: string;
  date: string; time: string; duration: string;
  maket: string;
  reportsTo: string; deadlineDate: string; deadlineTime: string;
  rehearsalDate: string; rehearsalTime: string;
}

function fromConf(c: Conference): Form {
  const [, time] = splitVn(c.plannedStart);
  const [deadlineDate, deadlineTime] = splitVn(c.reportDeadline);
  const [rehearsalDate, rehearsalTime] = splitVn(c.rehearsalAt);
  const [y, m, d] = c.date.split('-');
  return {
    title: c.title, planNumber: c.planNumber, organizer: c.organizer ?? '',
    date: `${d}/${m}/${y}`, time, duration: String(c.plannedDurationMin),
    maket: c.maket.join('\n'),
    reportsTo: c.reportsTo, deadlineDate, deadlineTime, rehearsalDate, rehearsalTime,
  };
}

const maketLines = (text: string) => text.replace(/\s+$/, '').split('\n').map((l) => l.replace(/\s+$/, ''));

/** The fields that changed, or the first thing to correct. */
function toPatch(f: Form, c: Conference): { patch: Record<string, unknown> } | { error: string } {
  if (!f.title.trim()) return { error: T('Hãy nhập tên hội nghị.', 'Enter the conference title.') };
  if (!f.planNumber.trim()) return { error: T('Hãy nhập số kế hoạch, ví dụ 135-KH/TU.', 'Enter the plan number, e.g. 135-KH/TU.') };
  const bad = dateError(f.date, f.time, T('Ngày giờ khai mạc', 'Start')) ?? dateError(f.deadlineDate, f.deadlineTime, T('Hạn báo cáo', 'Report deadline'));
  if (bad) return { error: bad };
  const dur = Number(f.duration);
  if (!Number.isInteger(dur) || dur < 1 || dur > 1440) return { error: T('Thời lượng: hãy nhập số phút từ 1 đến 1440.', 'Duration: enter minutes from 1 to 1440.') };
  const lines = maketLines(f.maket);
  if (lines.length > 30 || lines.some((l) => l.length > 300)) return { error: T('Maket: tối đa 30 dòng, mỗi dòng tối đa 300 ký tự.', 'Maket: at most 30 lines of 300 characters.') };
  if (!f.reportsTo.trim()) return { error: T('Hãy nhập nơi nhận báo cáo, ví dụ Ban Tuyên giáo Trung ương.', 'Enter who the report goes to.') };
  let rehearsalAt: string | null = null;
  if (f.rehearsalDate.trim() || f.rehearsalTime.trim()) {
    const e = dateError(f.rehearsalDate, f.rehearsalTime || '08:00', T('Ngày tổng duyệt', 'Rehearsal'));
    if (e) return { error: e };
    rehearsalAt = vnIso(parseDmy(f.rehearsalDate)!, parseHm(f.rehearsalTime || '08:00')!);
  }
  const date = parseDmy(f.date)!;
  const next: Record<string, unknown> = {
    title: f.title.trim(), planNumber: f.planNumber.trim(), date, plannedStart: vnIso(date, parseHm(f.time)!), plannedDurationMin: dur,
    maket: lines, reportsTo: f.reportsTo.trim(), reportDeadline: vnIso(parseDmy(f.deadlineDate)!, parseHm(f.deadlineTime)!),
    ...(f.organizer.trim() ? { organizer: f.organizer.trim() } : {}), rehearsalAt,
  };
  const same = (k: string, v: unknown) => {
    const old = (c as Record<string, unknown>)[k];
    if (k.endsWith('At') || k === 'plannedStart' || k === 'reportDeadline') return (old ? Date.parse(String(old)) : null) === (v ? Date.parse(String(v)) : null);
    return JSON.stringify(old ?? null) === JSON.stringify(v);
  };
  return { patch: Object.fromEntries(Object.entries(next).filter(([k, v]) => !same(k, v))) };
}

export function SettingsPanel({ s, selected }: { s: AppSession; selected: Signal<string | null> }) {
  const store = s.client.store;
  const conf = store.conference.value;
  const [form, setForm] = useState<Form | null>(conf ? fromConf(conf) : null);
  const [base, setBase] = useState<Conference | null>(conf);
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // someone else's save reloads a form nobody is editing; an edited one keeps its text and warns
  useEffect(() => {
    if (conf && (!base || !dirty)) { setBase(conf); setForm(fromConf(conf)); }
  }, [conf]);
  if (!form || !base || !conf) return html`<${Panel} title=${T('Thông tin hội nghị', 'Conference settings')} id="settings"><div class="empty">${T('Đang tải…', 'Loading…')}</div></${Panel}>`;
  const stale = (conf.version ?? 0) !== (base.version ?? 0);
  const set = (k: keyof Form) => (e: Event) => { setForm({ ...form, [k]: (e.target as HTMLInputElement).value }); setDirty(true); setError(''); };
  const reload = () => { setBase(conf); setForm(fromConf(conf)); setDirty(false); setError(''); };
  const save = async (e: Event) => {
    e.preventDefault();
    const r = toPatch(form, base);
    if ('error' in r) { setError(r.error); return; }
    if (!Object.keys(r.patch).length) { notify(T('Không có gì thay đổi.', 'Nothing changed.'), 'info'); setDirty(false); return; }
    setBusy(true);
    try {
      const saved = await s.api.call('patchConference', { params: { conf: s.conf }, body: { ...r.patch, baseVersion: base.version ?? 0 } });
      store.conference.value = saved;
      setBase(saved); setForm(fromConf(saved)); setDirty(false);
      notify(T('Đã lưu thông tin hội nghị; các hội trường hiện ngay.', 'Settings saved; the halls show them now.'), 'ok');
    } catch (err) {
      setError(refusalText(err));
    }
    setBusy(false);
  };
  const field = (k: keyof Form, label: string, o: { type?: string; placeholder?: string; width?: string; hint?: string } = {}) => html`<label class="field" style=${o.width ? { width: o.width } : {}}>
    <span>${label}</span><input name=${k} value=${form[k]} onInput=${set(k)} placeholder=${o.placeholder} inputmode=${o.type === 'num' ? 'numeric' : undefined} />
    ${o.hint ? html`<small class="muted">${o.hint}</small>` : ''}</label>`;
  // the preview: the hall of the site picked in the tree (else the root site), as it shows before the start
  const sites = store.siteById.value;
  const site = sites.get(selected.value ?? '') ?? store.sites.value.find((x) => x.level === 'province') ?? sites.get(conf.rootSite);
  const pDate = parseDmy(form.date) ?? conf.date;
  const pTime = parseHm(form.time);
  const now = Date.now();
  return html`<div class="settings-layout">
    <${Panel} title=${T('Thông tin hội nghị', 'Conference settings')} id="settings">
      <form onSubmit=${save} novalidate data-testid="settings-form">
        ${stale ? html`<div class="banner banner-warn" role="alert" data-testid="settings-stale">${T('Người khác vừa sửa thông tin hội nghị.', 'Someone else just changed the settings.')}
          <button type="button" class="btn btn-small" onClick=${reload}>${T('Tải lại bản mới', 'Load their version')}</button></div>` : ''}
        ${field('title', T('Tên hội nghị', 'Title'))}
        <div class="form-grid">
          ${field('planNumber', T('Số kế hoạch', 'Plan number'), { placeholder: '135-KH/TU' })}
          ${field('organizer', T('Đơn vị tổ chức', 'Organised by'), { placeholder: 'Ban Tuyên giáo Tỉnh uỷ …' })}
        </div>
        <div class="form-grid form-grid-3">
          ${field('date', T('Ngày khai mạc', 'Date'), { placeholder: 'dd/mm/yyyy' })}
          ${field('time', T('Giờ bắt đầu', 'Start time'), { placeholder: 'HH:mm' })}
          ${field('duration', T('Thời lượng (phút)', 'Duration (min)'), { type: 'num' })}
        </div>
        <label class="field"><span>${T('Maket (mỗi dòng một dòng chữ; dòng “*” là ngôi sao; dòng “….., ngày... tháng...” tự điền nơi và ngày)', 'Maket (one line each; "*" is a star; "….., ngày..." is filled with place and date)')}</span>
          <textarea name="maket" rows="9" value=${form.maket} onInput=${set('maket')} style=${{ fontFamily: 'inherit' }}></textarea></label>
        ${field('reportsTo', T('Báo cáo kết quả lên', 'Report the results to'), { placeholder: 'Ban Tuyên giáo Trung ương' })}
        <div class="form-grid">
          ${field('deadlineDate', T('Hạn báo cáo (ngày)', 'Report deadline (date)'), { placeholder: 'dd/mm/yyyy' })}
          ${field('deadlineTime', T('Hạn báo cáo (giờ)', 'Report deadline (time)'), { placeholder: 'HH:mm' })}
        </div>
        <div class="form-grid">
          ${field('rehearsalDate', T('Ngày tổng duyệt', 'Rehearsal date'), { placeholder: 'dd/mm/yyyy', hint: T('Để trống nếu không tổng duyệt.', 'Leave empty for no rehearsal.') })}
          ${field('rehearsalTime', T('Giờ tổng duyệt', 'Rehearsal time'), { placeholder: 'HH:mm' })}
        </div>
        ${error ? html`<p class="form-error" role="alert" data-testid="settings-error">${error}
          ${/tải lại|reload/i.test(error) ? html` <button type="button" class="btn btn-small" onClick=${reload}>${T('Tải lại', 'Reload')}</button>` : ''}</p>` : ''}
        <div class="btn-row" style=${{ marginTop: '10px' }}>
          <button class="btn btn-primary" type="submit" disabled=${busy} data-testid="settings-save">${T('Lưu thông tin', 'Save settings')}</button>
          ${dirty ? html`<button class="btn" type="button" onClick=${reload}>${T('Huỷ thay đổi', 'Discard changes')}</button>
            <span class="muted">${T('Có thay đổi chưa lưu', 'Unsaved changes')}</span>` : ''}
        </div>
      </form>
    </${Panel}>
    <${Panel} title=${T('Xem trước màn hình hội trường', 'Hall screen preview')} id="settings-preview">
      <p class="muted" style=${{ marginTop: 0 }}>${T('Đúng như hội trường sẽ thấy trước giờ khai mạc, tại', 'Exactly as the hall will show it before the start, at')} <strong>${site?.name ?? conf.rootSite}</strong>
        ${T(' (chọn điểm cầu khác trong cây để xem).', ' (pick another site in the tree to see it).')}</p>
      <${HallPreview} width=${440} lines=${maketLines(form.maket).filter((l, i, a) => l || i < a.length - 1)} title=${form.title} date=${pDate}
        place=${hallPlace(site, sites)} status=${`Hội nghị sắp bắt đầu${pTime ? ` · ${pTime}` : ''}`} siteName=${site?.name ?? ''} clock=${`${fmtTime(now)} · ${fmtDate(now)}`} />
    </${Panel}>
  </div>`;
}
