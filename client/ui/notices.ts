// Short messages at the corner of the screen (aria-live), and a helper that
// runs a user action, shows its error as a human sentence and never throws.
import { signal } from '@preact/signals';
import { html } from './html.js';
import { humanError } from './errors.js';

export interface Notice { id: number; text: string; kind: 'ok' | 'error' | 'info' }
export const notices = signal<Notice[]>([]);
let nextId = 1;

export function notify(text: string, kind: Notice['kind'] = 'info', ms = kind === 'error' ? 9000 : 4000): void {
  const n = { id: nextId++, text, kind };
  notices.value = [...notices.value.slice(-4), n];
  setTimeout(() => { notices.value = notices.value.filter((x) => x.id !== n.id); }, ms);
}

/** Runs fn; on failure shows the human sentence and resolves undefined. */
export async function act<T>(fn: () => Promise<T>, ok?: string): Promise<T | undefined> {
  try {
    const r = await fn();
    if (ok) notify(ok, 'ok');
    return r;
  } catch (err) {
    notify(humanError(err), 'error');
    return undefined;
  }
}

export function Notices() {
  return html`<div class="notices" role="status" aria-live="polite">
    ${notices.value.map((n) => html`<div key=${n.id} class=${`notice notice-${n.kind}`}
      onClick=${() => { notices.value = notices.value.filter((x) => x.id !== n.id); }}>${n.text}</div>`)}
  </div>`;
}
