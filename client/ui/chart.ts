// Horizontal bar chart (% present per unit), readable at a glance: the bar's
// colour says whether a unit is on track.
import { html } from './html.js';
import { fmtNum } from './format.js';

export interface BarRow { id: string; label: string; part: number; whole: number; onClick?: () => void; selected?: boolean }

export function pctColor(ratio: number): string {
  return ratio >= 0.9 ? 'good' : ratio >= 0.7 ? 'fair' : 'poor';
}

export function BarChart({ rows, label }: { rows: BarRow[]; label: string }) {
  return html`<figure class="barchart" aria-label=${label}>
    ${rows.map((r) => {
      const ratio = r.whole ? r.part / r.whole : 0;
      const pct = Math.round(ratio * 100);
      return html`<button key=${r.id} class=${`bar-row${r.selected ? ' selected' : ''}`} onClick=${r.onClick} data-site=${r.id}
          aria-label=${`${r.label}: ${r.whole ? `${pct}%` : '—'}`}>
        <span class="bar-label">${r.label}</span>
        <span class="bar-track"><span class=${`bar-fill ${pctColor(ratio)}`} style=${{ width: `${Math.min(100, pct)}%` }}></span></span>
        <span class="bar-value">${r.whole ? `${pct}%` : '—'} <small>${fmtNum(r.part)}/${fmtNum(r.whole)}</small></span>
      </button>`;
    })}
  </figure>`;
}
