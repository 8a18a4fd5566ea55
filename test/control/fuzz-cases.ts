// Generated REST requests for the control service fuzz test: for every route,
// malformed bodies, broken JSON, malformed path ids, ids of another conference
// or of its sites, and malformed query strings (all refused by the schemas).
// Account routes (signaling/accounts.ts) are sent with an operator session,
// and their other-conference cases with the session of an organizer of CONF.
import fc, { type Arbitrary } from 'fast-check';
import { Id } from '../../signaling/control.js';
import { AccountRoutes } from '../../signaling/accounts.js';
import { ControlRoutes, type RouteDef } from '../../signaling/control-routes.js';
import { malformedArb, validArb } from '../support/zod-arb.js';
import { CONF } from './helpers.js';

export const OTHER = 'hn-khac';

/** `as`: which account session sends it (account routes); none = the organizer token of CONF. */
export type RestCase = { route: string; method: string; path: string; body?: unknown; rawText?: string; contentType?: string; how: string; as?: 'operator' | 'organizer' };

export const routes = [
  ...Object.entries(ControlRoutes),
  ...Object.entries(AccountRoutes).map(([n, d]) => [`account.${n}`, d]),
] as [string, RouteDef][];
/** An organizer account of CONF that the fuzz test creates. */
export const FUZZ_ORGANIZER = 'btc-fuzz';
const knownIds: Record<string, string> = { site: 'd01-c01', item: 'a1', material: 'tl-1', id: 'inc-x', jti: 'j', username: FUZZ_ORGANIZER };
const fill = (path: string, over: Record<string, string> = {}) =>
  path.replace(/:([a-z]+)/g, (_, k: string) => encodeURIComponent(over[k] ?? (k === 'conf' ? CONF : knownIds[k] ?? 'x')));
const qs = (q: Record<string, unknown>) => Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`).join('&');

/** A path parameter no Id accepts: unicode, spaces, dots, slashes, huge. */
const badId = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
  fc.constantFrom('BAD ID', '...', '../../etc', 'Điểm-Cầu', '-x', 'a'.repeat(81), ' ', '%00', '{}'),
  fc.integer({ min: 100, max: 20_000 }).map((n) => 'x'.repeat(n)),
)
  // '.' and '..' are path segments, not ids: the URL parser resolves them into another route
  .filter((s) => !Id.safeParse(s).success && s !== '.' && s !== '..');

export function restCases(): Arbitrary<RestCase> {
  const arbs: Arbitrary<RestCase>[] = [];
  for (const [name, d] of routes) {
    const method = d.method.toUpperCase();
    const arbsBefore = arbs.length;
    const validBody = d.body && !d.rawBody ? validArb(d.body) : fc.constant(undefined);
    if (d.body && !d.rawBody) {
      arbs.push(malformedArb(d.body).map(({ how, value }) => ({ route: name, method, path: fill(d.path), body: value, how: `body:${how}` })));
      // (an empty body is no body: a route whose fields are all optional takes it as {})
      arbs.push(fc.string({ minLength: 1, maxLength: 40 }).filter((t) => { try { JSON.parse(t); return false; } catch { return true; } })
        .map((t) => ({ route: name, method, path: fill(d.path), rawText: t, contentType: 'application/json', how: 'body:broken-json' })));
    }
    const params = Object.keys(d.params?.shape ?? {});
    if (params.length) {
      arbs.push(fc.tuple(fc.constantFrom(...params), badId, validBody).map(([p, bad, body]) =>
        ({ route: name, method, path: fill(d.path, { [p]: bad }), body, how: 'params:malformed' })));
      // well-formed ids that belong to another conference
      arbs.push(validBody.map((body) => ({ route: name, method, path: fill(d.path, { conf: OTHER, site: 'khac-xa' }), body, how: 'params:other-conference' })));
      if (params.includes('site') && name !== 'putSite') {
        arbs.push(validBody.map((body) => ({ route: name, method, path: fill(d.path, { site: 'khac-xa' }), body, how: 'params:site-of-other-conference' })));
      }
    }
    if (d.query) {
      const q = d.query;
      arbs.push(fc.tuple(malformedArb(q), validBody).filter(([{ value }]) => !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0)
        .map(([{ how, value }, body]) => ({ route: name, method, path: `${fill(d.path)}?${qs(value as Record<string, unknown>)}`, body, how: `query:${how}` }))
        // a query string carries strings only; the service must still refuse it
        .filter((c) => { const sp = Object.fromEntries(new URL(`http://x${c.path}`).searchParams); return !q.safeParse(sp).success; }));
    }
    if (name.startsWith('account.')) {
      for (let i = arbsBefore; i < arbs.length; i++) {
        arbs[i] = arbs[i]!.map((c) => ({ ...c, as: c.how === 'params:other-conference' ? 'organizer' as const : 'operator' as const }));
      }
    }
  }
  return fc.oneof(...arbs);
}

