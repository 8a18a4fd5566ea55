// JSON for payloads nested deeper than JSON.stringify's stack allows: the
// serialiser the socket encoder and HTTP bodies use, what a payload looks like
// once it crossed the wire, and a short preview of it for failure messages.

/**
 * JSON.stringify without recursion: the payloads nest deeper than JSON.stringify's
 * stack allows, and JSON.parse on the other side takes any depth. Same output for
 * the values generated here (plain objects, arrays, strings, numbers, booleans, null).
 */
export function toJson(root: unknown): string {
  const scalar = (v: unknown): string => {
    if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
    return 'null';
  };
  type Frame = { of: object; items: unknown[]; keys: string[] | null; i: number };
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = new Set<object>();
  const put = (v: unknown) => {
    if (v === null || typeof v !== 'object') return void out.push(scalar(v));
    if (open.has(v)) throw new TypeError('circular structure');
    open.add(v);
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ of: v, items: v, keys: null, i: 0 });
    } else {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
      out.push('{');
      stack.push({ of: v, items: entries.map(([, x]) => x), keys: entries.map(([k]) => k), i: 0 });
    }
  };
  put(root);
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.items.length) {
      out.push(f.keys ? '}' : ']');
      open.delete(f.of);
      stack.pop();
      continue;
    }
    if (f.i > 0) out.push(',');
    if (f.keys) out.push(JSON.stringify(f.keys[f.i]), ':');
    put(f.items[f.i++]);
  }
  return out.join('');
}

export function preview(v: unknown): string {
  let s: string | undefined;
  try {
    s = v === undefined ? 'undefined' : toJson(v);
  } catch {
    s = undefined;
  }
  s ??= String(v);
  return s.length > 240 ? `${s.slice(0, 240)}… (${s.length} chars)` : s;
}

/** What the peer receives: sockets and HTTP bodies both carry JSON. */
export function wire<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(toJson(v)) as T);
}
