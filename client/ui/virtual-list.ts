// A list that renders only the rows in view, so 200 (or 10 000) sites stay
// fast. Rows have a fixed height; the container scrolls.
import { useState, useRef, useEffect } from 'preact/hooks';
import type { VNode } from 'preact';
import { html } from './html.js';

export interface VirtualListProps<T> {
  items: T[];
  /** Row height in pixels (every row the same). */
  rowHeight: number;
  /** Visible height in pixels. */
  height: number;
  render: (item: T, index: number) => VNode;
  /** Stable key per item. */
  keyOf: (item: T) => string;
  /** Extra rows rendered above and below the viewport. */
  overscan?: number;
  label?: string;
}

export function VirtualList<T>({ items, rowHeight, height, render, keyOf, overscan = 8, label }: VirtualListProps<T>) {
  const [top, setTop] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Keep the scroll position valid when the list shrinks.
    const max = Math.max(0, items.length * rowHeight - height);
    if (ref.current && ref.current.scrollTop > max) ref.current.scrollTop = max;
  }, [items.length]);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + overscan);
  const rows = [];
  for (let i = first; i < last; i++) {
    const item = items[i] as T;
    rows.push(html`<div key=${keyOf(item)} class="vrow" style=${{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>${render(item, i)}</div>`);
  }
  return html`<div class="vlist" ref=${ref} role="list" aria-label=${label} style=${{ height: `${height}px` }}
      onScroll=${(e: Event) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
    <div class="vlist-inner" style=${{ height: `${items.length * rowHeight}px` }}>${rows}</div>
  </div>`;
}
