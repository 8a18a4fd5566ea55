// Agenda editing: add, edit, delete and reorder items (planned start and
// duration, presenting agency). Every change carries the agenda's editVersion
// it was made on: if another organizer edited in between the service refuses
// ("changed by someone else, reload") and nothing is overwritten. The running
// item cannot be deleted (the service says so).
import { useState } from 'preact/hooks';
import type { AgendaItem } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtTime } from '../format.js';
import { Panel } from '../components.js';
import { notify } from '../notices.js';
import type { AppSession } from '../app.js';
import { stateText } from './agenda-panel.js';
import { parseHm, refusalText, vnIso } from './setup-common.js';

type Input = Pick<AgendaItem, 'id' | 'title' | 'presenter' | 'plannedStart' | 'plannedDurationMin'> & { titleEn?: string };
interface Draft { id: string | null; title: string; titleEn: string; presenter: string; time: string; duration: string; base: number }

const toInput = ({ id, title, titleEn, presenter, plannedStart, plannedDurationMin }: AgendaItem): Input =>
  ({ id, title, ...(titleEn ? { titleEn } : {}), presenter, plannedStart, plannedDurationMin });

function itemState(i: AgendaItem): string {
  return { pending: T('Chưa bắt đầu', 'Pending'), running: T('Đang trình bày', 'Running'), done: T('Đã xong', 'Done') }[i.state];
}

export function AgendaEditor({ s }: { s: AppSession }) {
  const store = s.client.store;
  const agenda = store.agenda.value;
  const conf = store.conference.value;
  const items = [...(agenda?.items ?? [])].sort((a, b) => a.order - b.order);
  const editVersion = agenda?.editVersion ?? 0;
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const send = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true); setError('');
    try {
      const a = await fn();
      if (a) store.applyAgenda(a as never);
      notify(ok, 'ok');
      setBusy(false);
      return true;
    } catch (err) {
      setError(refusalText(err));
      setBusy(false);
      return false;
    }
  };
  const put = (list: Input[], base: number, ok: string) =>
    send(() => s.api.call('putAgenda', { params: { conf: s.conf }, body: { items: list, baseVersion: base } }), ok);

  const openNew = () => {
    const last = items.at(-1);
    const next = last ? Date.parse(last.plannedStart) + last.plannedDurationMin * 60_000 : conf ? Date.parse(conf.plannedStart) : Date.now();
    setDraft({ id: null, title: '', titleEn: '', presenter: '', time: fmtTime(next), duration: '20', base: editVersion });
    setError('');
  };
  const openEdit = (i: AgendaItem) => {
    setDraft({ id: i.id, title: i.title, titleEn: i.titleEn ?? '', presenter: i.presenter, time: fmtTime(i.plannedStart), duration: String(i.plannedDurationMin), base: editVersion });
    setError('');
  };
  const saveDraft = async (e: Event) => {
    e.preventDefault();
    if (!draft || !conf) return;
    const hm = parseHm(draft.time);
    const dur = Number(draft.duration);
    if (!draft.title.trim()) return setError(T('Hãy nhập tên nội dung.', 'Enter the item title.'));
    if (!draft.presenter.trim()) return setError(T('Hãy nhập cơ quan trình bày.', 'Enter the presenting agency.'));
    if (!hm) return setError(T('Giờ bắt đầu: hãy nhập dạng HH:mm, ví dụ 08:15.', 'Start: enter HH:mm, e.g. 08:15.'));
    if (!Number.isInteger(dur) || dur < 1 || dur > 600) return setError(T('Thời lượng: hãy nhập số phút từ 1 đến 600.', 'Duration: enter minutes from 1 to 600.'));
    const it: Input = {
      id: draft.id ?? `nd-${Date.now().toString(36)}`, title: draft.title.trim(), ...(draft.titleEn.trim() ? { titleEn: draft.titleEn.trim() } : {}),
      presenter: draft.presenter.trim(), plannedStart: vnIso(conf.date, hm), plannedDurationMin: dur,
    };
    const list = items.map(toInput);
    const next = draft.id ? list.map((x) => (x.id === draft.id ? it : x)) : [...list, it];
    if (await put(next, draft.base, draft.id ? T('Đã lưu nội dung', 'Item saved') : T('Đã thêm nội dung', 'Item added'))) setDraft(null);
  };
  const remove = async (i: AgendaItem) => {
    if (!confirm(T(`Xoá nội dung “${i.title}”?`, `Delete the item "${i.title}"?`))) return;
    await put(items.filter((x) => x.id !== i.id).map(toInput), editVersion, T('Đã xoá nội dung', 'Item deleted'));
  };
  const move = (i: AgendaItem, by: -1 | 1) => {
    const ids = items.map((x) => x.id);
    const at = ids.indexOf(i.id);
    [ids[at], ids[at + by]] = [ids[at + by]!, ids[at]!];
    return send(() => s.api.call('reorderAgenda', { params: { conf: s.conf }, body: { order: ids, baseVersion: editVersion } }), T('Đã đổi thứ tự', 'Order changed'));
  };
  const set = (k: keyof Draft) => (e: Event) => setDraft({ ...draft!, [k]: (e.target as HTMLInputElement).value });

  const form = draft ? html`<form class="agenda-form" onSubmit=${saveDraft} novalidate data-testid="agenda-form">
    <label class="field"><span>${T('Nội dung', 'Item')}</span><input name="title" value=${draft.title} onInput=${set('title')} /></label>
    <label class="field"><span>${T('Cơ quan trình bày', 'Presenting agency')}</span><input name="presenter" value=${draft.presenter} onInput=${set('presenter')} /></label>
    <label class="field"><span>${T('Bắt đầu', 'Start')}</span><input name="time" value=${draft.time} onInput=${set('time')} placeholder="HH:mm" /></label>
    <label class="field"><span>${T('Phút', 'Minutes')}</span><input name="duration" value=${draft.duration} onInput=${set('duration')} inputmode="numeric" /></label>
    <label class="field wide"><span>${T('Tên tiếng Anh (không bắt buộc)', 'English title (optional)')}</span><input name="titleEn" value=${draft.titleEn} onInput=${set('titleEn')} /></label>
    <div class="btn-row wide"><button class="btn btn-primary" type="submit" disabled=${busy} data-testid="agenda-save">${draft.id ? T('Lưu nội dung', 'Save item') : T('Thêm vào chương trình', 'Add to the agenda')}</button>
      <button class="btn" type="button" onClick=${() => { setDraft(null); setError(''); }}>${T('Huỷ', 'Cancel')}</button></div>
  </form>` : '';

  return html`<${Panel} title=${T('Soạn chương trình', 'Edit the agenda')} id="agenda-editor"
      actions=${html`<button class="btn btn-small btn-primary" onClick=${openNew} disabled=${!!draft} data-testid="agenda-add">+ ${T('Thêm nội dung', 'Add item')}</button>`}>
    ${!draft?.id ? form : ''}
    ${error ? html`<p class="form-error" role="alert" data-testid="agenda-error">${error}</p>` : ''}
    <table class="grid">
      <thead><tr><th>#</th><th>${T('Nội dung', 'Item')}</th><th>${T('Bắt đầu', 'Start')}</th><th>${T('Phút', 'Min')}</th><th>${T('Trạng thái', 'State')}</th><th></th></tr></thead>
      <tbody>${items.length === 0 ? html`<tr><td colspan="6" class="empty">${T('Chưa có nội dung nào. Bấm “+ Thêm nội dung”.', 'No items yet. Press "+ Add item".')}</td></tr>` : ''}
      ${items.map((i, n) => html`<tr key=${i.id} data-edit-item=${i.id} class=${i.state}>
        <td>${n + 1}</td>
        <td><div style=${{ fontWeight: 500 }}>${i.title}</div><small>${i.presenter}</small></td>
        <td class="num">${fmtTime(i.plannedStart)}</td><td class="num">${i.plannedDurationMin}</td>
        <td><span class=${`state-pill state-${i.state}`}>${itemState(i)}</span></td>
        <td><div class="btn-row" style=${{ flexWrap: 'nowrap' }}>
          <button class="btn btn-small" disabled=${busy || n === 0} onClick=${() => move(i, -1)} aria-label=${T('Lên', 'Up')} data-act="up">▲</button>
          <button class="btn btn-small" disabled=${busy || n === items.length - 1} onClick=${() => move(i, 1)} aria-label=${T('Xuống', 'Down')} data-act="down">▼</button>
          <button class="btn btn-small" disabled=${busy || !!draft} onClick=${() => openEdit(i)} data-act="edit">${T('Sửa', 'Edit')}</button>
          <button class="btn btn-small btn-danger" disabled=${busy} onClick=${() => remove(i)} data-act="delete"
            title=${i.state === 'running' ? T('Đang trình bày: kết thúc nội dung trước khi xoá', 'Running: end it before deleting') : ''}>${T('Xoá', 'Delete')}</button>
        </div></td>
      </tr>${draft?.id === i.id ? html`<tr key=${`${i.id}-form`}><td colspan="6">${form}</td></tr>` : ''}`)}</tbody>
    </table>
    <p class="muted" style=${{ marginBottom: 0 }}>${T('Hội nghị', 'Conference')}: ${conf ? stateText(conf.state) : ''} · ${T('Bắt đầu và kết thúc từng nội dung ở thẻ “Điều hành”.', 'Start and end items in the "Control room" tab.')}</p>
  </${Panel}>`;
}
