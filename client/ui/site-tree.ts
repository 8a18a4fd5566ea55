// The site tree with live state per site: what its halls really play (from
// the media nodes: đang xem / đã kết nối / mất tín hiệu), link quality colour,
// serving media node and % present of its subtree. Virtualised: 10 000 rows
// scroll as smoothly as 20.
import { signal, computed, type Signal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import type { Site } from '../../signaling/control.js';
import { html } from './html.js';
import { T } from './i18n.js';
import { VirtualList } from './virtual-list.js';
import type { ConferenceStore } from './store.js';
import { linkQuality, qualityText, watchDetail, watchShort, watchText } from './site-status.js';
import { fmtPct } from './format.js';

interface Row { site: Site; depth: number; hasKids: boolean; open: boolean }

export interface SiteTreeProps {
  store: ConferenceStore;
  selected: Signal<string | null>;
  height: number;
}

export function SiteTree({ store, selected, height }: SiteTreeProps) {
  const state = useMemo(() => {
    const expanded = signal<Set<string>>(new Set());
    const filter = signal('');
    const offlineOnly = signal(false);
    const notPlaying = signal(false);
    let seeded = false;
    const rows = computed<Row[]>(() => {
      const kids = store.children.value;
      const exp = expanded.value;
      if (!seeded && kids.size) {
        // Open the root and its children on first load (down to the districts of a three-level tree,
        // the communes of a two-tier one); deeper levels stay folded, whatever their kinds.
        seeded = true;
        for (const s of store.sites.value) if (s.path.length < 2) exp.add(s.id);
      }
      const q = filter.value.trim().toLowerCase();
      const pres = store.presence.value;
      const watch = store.watch.value;
      const out: Row[] = [];
      if (q || offlineOnly.value || notPlaying.value) {
        for (const s of store.sites.value) {
          if (q && !s.name.toLowerCase().includes(q) && !s.id.includes(q)) continue;
          if (offlineOnly.value && pres.get(s.id)?.online) continue;
          if (notPlaying.value && watch.get(s.id)?.state === 'playing') continue;
          out.push({ site: s, depth: 0, hasKids: false, open: false });
        }
        return out;
      }
      const walk = (parent: string | null, depth: number) => {
        for (const s of kids.get(parent) ?? []) {
          const hasKids = (kids.get(s.id)?.length ?? 0) > 0;
          const open = exp.has(s.id);
          out.push({ site: s, depth, hasKids, open });
          if (hasKids && open) walk(s.id, depth + 1);
        }
      };
      walk(null, 0);
      return out;
    });
    return { expanded, filter, offlineOnly, notPlaying, rows };
  }, [store]);

  const toggle = (id: string) => {
    const e = new Set(state.expanded.value);
    if (e.has(id)) e.delete(id); else e.add(id);
    state.expanded.value = e;
  };
  const pres = store.presence.value;
  const rolls = store.rollups.value;
  const rehearsals = store.rehearsals.value;
  const sel = selected.value;
  const online = store.sites.value.filter((s) => pres.get(s.id)?.online).length;
  const watch = store.watch.value;
  const playing = store.sites.value.filter((s) => watch.get(s.id)?.state === 'playing').length;

  const renderRow = (r: Row) => {
    const s = r.site;
    const on = pres.get(s.id)?.online ?? false;
    const w = watch.get(s.id);
    const ws = w?.state ?? 'none';
    // the halls' own figures once they play; the link test's before that
    const q = w && w.quality !== 'unknown' && ws !== 'none' && ws !== 'lost' ? w.quality : linkQuality(rehearsals.get(s.id));
    const detail = watchDetail(w);
    const audioOnly = ws === 'playing' && !!w?.audioOnly;
    const roll = rolls.get(s.id);
    return html`<div role="listitem" class=${`site-row lvl-${s.level}${sel === s.id ? ' selected' : ''}`} data-site=${s.id}
        style=${{ paddingLeft: `${2 + r.depth * 12}px` }} onClick=${() => { selected.value = s.id; }}>
      <button class="twisty btn-ghost" style=${{ border: 0, background: 'none', cursor: r.hasKids ? 'pointer' : 'default' }} tabIndex=${r.hasKids ? 0 : -1}
        aria-label=${r.hasKids ? (r.open ? T('Thu gọn', 'Collapse') : T('Mở rộng', 'Expand')) : undefined}
        onClick=${(e: Event) => { e.stopPropagation(); if (r.hasKids) toggle(s.id); }}>${r.hasKids ? (r.open ? '▾' : '▸') : ''}</button>
      <span class=${`dot ${on ? 'dot-green' : ''}`} title=${on ? T('Máy điều khiển trực tuyến', 'Console online') : T('Máy điều khiển ngoại tuyến', 'Console offline')}></span>
      ${audioOnly
        // sound only on a weak link: the hall follows (playing), the pill says how, in the same width
        ? html`<span class="watch watch-playing watch-audio" data-watch=${ws} data-audio-only=${w!.audioOnly}
            title=${`${watchText(ws)} — ${T('chỉ có tiếng, đường truyền yếu', 'audio only, weak link')}${detail ? ` — ${detail}` : ''}`}>${T('Chỉ có tiếng', 'Audio only')}</span>`
        : html`<span class=${`watch watch-${ws}`} data-watch=${ws} title=${detail ? `${watchText(ws)} — ${detail}` : watchText(ws)}>${watchShort(ws)}</span>`}
      <span class=${`link-q ${q}`} title=${detail ? `${qualityText(q)} — ${detail}` : qualityText(q)}></span>
      <button class="name" style=${{ border: 0, background: 'none', textAlign: 'left', padding: 0, cursor: 'pointer' }}
        onClick=${() => { selected.value = s.id; }}>${s.name}</button>
      <span class="node" title=${T('Máy chủ truyền hình', 'Media node')}>${s.mediaNode}</span>
      <span class="att" title=${T('Có mặt / dự kiến (cả cấp dưới)', 'Present / expected (whole subtree)')}>${roll ? fmtPct(roll.totalPresent, roll.totalExpected) : '—'}</span>
    </div>`;
  };
  return html`<div class="site-tree">
    <div class="btn-row" style=${{ marginBottom: '6px' }}>
      <input type="search" placeholder=${T('Tìm điểm cầu…', 'Find a site…')} aria-label=${T('Tìm điểm cầu', 'Find a site')}
        value=${state.filter.value} onInput=${(e: Event) => { state.filter.value = (e.target as HTMLInputElement).value; }}
        style=${{ flex: 1, padding: '5px 8px', border: '1px solid #c6cdd8', borderRadius: '6px' }} />
      <label style=${{ fontSize: '12px' }}><input type="checkbox" checked=${state.offlineOnly.value}
        onChange=${(e: Event) => { state.offlineOnly.value = (e.target as HTMLInputElement).checked; }} /> ${T('Chỉ ngoại tuyến', 'Offline only')}</label>
      <label style=${{ fontSize: '12px' }}><input type="checkbox" data-testid="not-playing" checked=${state.notPlaying.value}
        onChange=${(e: Event) => { state.notPlaying.value = (e.target as HTMLInputElement).checked; }} /> ${T('Chỉ điểm chưa có hình', 'Not playing only')}</label>
    </div>
    <div class="muted" style=${{ fontSize: '12px', marginBottom: '4px' }}>
      ${T('Đang xem', 'Playing')}: <strong data-testid="playing-count">${playing}</strong> · ${T('Trực tuyến', 'Online')}: <strong data-testid="online-count">${online}</strong> / ${store.sites.value.length} ${T('điểm cầu', 'sites')}
    </div>
    <${VirtualList} items=${state.rows.value} rowHeight=${30} height=${height} keyOf=${(r: Row) => r.site.id}
      render=${renderRow} label=${T('Cây điểm cầu', 'Site tree')} />
  </div>`;
}
