// fast-check arbitraries from the zod schemas in signaling/: the schemas are
// the contract, so they also say what a valid payload is and which payloads
// must be refused. Covers the zod kinds our schemas use (string with length,
// regex and ISO formats; number with int and bounds; enum, literal, object in
// its three modes, array, record, union, optional, nullable, default).
// Anything else (refinements) is generated loosely and then filtered by the
// schema itself, so a "valid" value always parses and a "malformed" one never does.
import fc, { type Arbitrary } from 'fast-check';
import type { z } from 'zod';

type Def = { type: string; [k: string]: any };
const def = (s: z.ZodType): Def => (s as any)._zod.def as Def;
const checks = (d: Def): any[] => (d.checks ?? []).map((c: any) => c._zod.def);

const isoDate = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true });

function stringArb(d: Def): Arbitrary<string> {
  if (d.format === 'date') return isoDate.map((x) => x.toISOString().slice(0, 10));
  if (d.format === 'datetime') return isoDate.map((x) => x.toISOString().replace('Z', '+07:00'));
  let min = 0, max = Infinity;
  let pattern: RegExp | undefined;
  for (const c of checks(d)) {
    if (c.check === 'min_length') min = c.minimum;
    else if (c.check === 'max_length') max = c.maximum;
    else if (c.check === 'length_equals') min = max = c.length;
    else if (c.check === 'string_format' && c.pattern) pattern = c.pattern;
  }
  // the pattern decides the shape; lengths only filter what it makes
  if (pattern) return fc.stringMatching(pattern).filter((s) => s.length >= min && s.length <= max);
  return fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max, 40)), unit: fc.constantFrom(...'aăâbcdđeêghiklmnoôơpqrstuưvxyÀẢÃÁẠ 0123456789-'.split('')) });
}

function numberArb(d: Def): Arbitrary<number> {
  let min = -1e6, max = 1e6, int = false;
  for (const c of checks(d)) {
    if (c.check === 'number_format' && /int/.test(c.format)) int = true;
    else if (c.check === 'greater_than') min = c.inclusive ? c.value : c.value + (int ? 1 : 1e-6);
    else if (c.check === 'less_than') max = c.inclusive ? c.value : c.value - (int ? 1 : 1e-6);
  }
  min = Math.max(min, -1e9); max = Math.min(max, 1e9);
  return int ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Values that `schema` accepts. */
export function validArb<S extends z.ZodType>(schema: S): Arbitrary<z.input<S>> {
  return (raw(schema) as Arbitrary<z.input<S>>).filter((v) => schema.safeParse(v).success);
}

function raw(s: z.ZodType): Arbitrary<unknown> {
  const d = def(s);
  switch (d.type) {
    case 'string': return stringArb(d);
    case 'number': return numberArb(d);
    case 'boolean': return fc.boolean();
    case 'enum': return fc.constantFrom(...Object.values(d.entries as Record<string, string>));
    case 'literal': return fc.constantFrom(...(d.values as unknown[]));
    case 'null': return fc.constant(null);
    case 'any': case 'unknown': return fc.jsonValue({ maxDepth: 2 });
    case 'optional': return fc.option(raw(d.innerType), { nil: undefined });
    case 'nullable': return fc.option(raw(d.innerType), { nil: null });
    case 'default': case 'prefault': return fc.option(raw(d.innerType), { nil: undefined });
    case 'pipe': return raw(d.in);
    case 'union': return fc.oneof(...(d.options as z.ZodType[]).map(raw));
    case 'array': {
      let min = 0, max = 4;
      for (const c of checks(d)) {
        if (c.check === 'min_length') min = c.minimum;
        else if (c.check === 'max_length') max = Math.min(c.maximum, Math.max(min, 4));
      }
      return fc.array(raw(d.element), { minLength: min, maxLength: max });
    }
    case 'record': return fc.dictionary(raw(d.keyType) as Arbitrary<string>, raw(d.valueType), { maxKeys: 4 });
    case 'object': {
      const shape = d.shape as Record<string, z.ZodType>;
      const required = Object.keys(shape).filter((k) => !['optional', 'default', 'prefault'].includes(def(shape[k]!).type));
      return fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, raw(v)])), { requiredKeys: required as never[] })
        .map((o) => Object.fromEntries(Object.entries(o as object).filter(([, v]) => v !== undefined)));
    }
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

// ---------------------------------------------------------------- malformed payloads

const hugeString = fc.integer({ min: 20_000, max: 300_000 }).map((n) => 'Đ'.repeat(n));
const unicodeString = fc.string({ unit: 'binary', maxLength: 64 });
const deepNesting = fc.integer({ min: 50, max: 1_000 }).map((n) => {
  let v: unknown = 'đáy';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
});
const wrongType = fc.oneof(
  fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}),
  unicodeString, fc.constant(''), fc.constant(-1), fc.constant(1e12), fc.constant('__proto__'), fc.constant({ __proto__: { admin: true } }),
);
const anyJson = fc.jsonValue({ maxDepth: 4 });

export type Mutation = 'anything' | 'drop-key' | 'wrong-type' | 'extra-key' | 'huge-string' | 'unicode' | 'deep-nesting' | 'not-an-object';

/** Payloads that `schema` refuses: wrong types, missing and extra fields, huge strings, deep nesting, unicode. */
export function malformedArb(schema: z.ZodType): Arbitrary<{ how: Mutation; value: unknown }> {
  const base = raw(schema);
  const obj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const keyOf = (o: Record<string, unknown>, i: number) => Object.keys(o)[i % Math.max(1, Object.keys(o).length)];
  const withKey = (how: Mutation, value: Arbitrary<unknown>) =>
    fc.tuple(base, fc.nat(), value).map(([v, i, x]) => {
      if (!obj(v) || !Object.keys(v).length) return { how, value: x };
      return { how, value: { ...v, [keyOf(v, i)!]: x } };
    });
  return fc.oneof(
    anyJson.map((value) => ({ how: 'anything' as const, value })),
    fc.oneof(unicodeString, fc.integer(), fc.constant(null), fc.array(anyJson, { maxLength: 3 })).map((value) => ({ how: 'not-an-object' as const, value })),
    fc.tuple(base, fc.nat()).map(([v, i]) => {
      if (!obj(v) || !Object.keys(v).length) return { how: 'drop-key' as const, value: v };
      const { [keyOf(v, i)!]: _dropped, ...rest } = v;
      return { how: 'drop-key' as const, value: rest };
    }),
    withKey('wrong-type', wrongType),
    withKey('huge-string', hugeString),
    withKey('unicode', unicodeString),
    withKey('deep-nesting', deepNesting),
    fc.tuple(base, fc.string({ minLength: 1, maxLength: 12 }), anyJson).map(([v, k, x]) => ({ how: 'extra-key' as const, value: obj(v) ? { ...v, [`x-${k}`]: x } : v })),
  ).filter(({ value }) => !schema.safeParse(value).success);
}

/** The seed of this run: FC_SEED=… reproduces it; printed by the fuzz tests. */
export const FUZZ_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
