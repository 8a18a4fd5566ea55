// What the fuzz run counted (payloads sent and refused, by code, area and
// kind of fault), the checks every answer goes through, the property runner
// that names the payload and the seed on a failure, and the summary lines.
import assert from 'node:assert/strict';
import fc, { type Arbitrary } from 'fast-check';
import { ErrorBody, type ErrorCode } from '../../../signaling/common.js';
import { FUZZ_SEED } from '../../support/zod-arb.js';
import { preview } from './json.js';

export type Area = 'hall' | 'node' | 'http';
export const tally = {
  payloads: 0,
  refused: 0,
  byCode: {} as Record<string, number>,
  byArea: { hall: 0, node: 0, http: 0 } as Record<Area, number>,
  /** What was wrong with the payloads: the zod-arb mutations, wrong scope, bad tokens, broken bodies and paths. */
  byKind: {} as Record<string, number>,
  http5xx: 0,
  internal: 0,
  valid: 0,
};
/** A frame over FRAME_LIMIT is refused by closing the socket: counted under this key. */
export const DROPPED = 'frame-too-large:disconnected';

export function kind(how: string): void {
  tally.byKind[how] = (tally.byKind[how] ?? 0) + 1;
}

/** Counts a payload as sent (before its answer is checked). */
export function sent(area: Area): void {
  tally.payloads++;
  tally.byArea[area]++;
}

/** Counts a payload as refused the way it must be. */
export function refusedWith(code: string): void {
  tally.refused++;
  tally.byCode[code] = (tally.byCode[code] ?? 0) + 1;
}

/** Runs a property against the live nodes; a failure names the payload (shortened) and the seed. */
export async function check<T>(name: string, arb: Arbitrary<T>, numRuns: number, fn: (v: T) => Promise<void>): Promise<void> {
  const out = await fc.check(fc.asyncProperty(arb, async (v) => { await fn(v); }), { seed: FUZZ_SEED, numRuns, endOnFailure: true });
  if (out.failed) {
    const err = out.errorInstance;
    throw new Error(
      `${name}: failed after ${out.numRuns} run(s): ${err instanceof Error ? err.message : String(err)}\n` +
        `  payload: ${preview(out.counterexample)}\n  reproduce: FC_SEED=${FUZZ_SEED} (path ${out.counterexamplePath})`,
    );
  }
}

export function assertRefusedAck(ack: unknown, expect: readonly ErrorCode[], what: string): ErrorCode {
  assert.ok(ack && typeof ack === 'object', `${what}: ack is not an object: ${preview(ack)}`);
  const a = ack as { ok?: unknown; error?: unknown };
  assert.equal(a.ok, false, `${what}: accepted: ${preview(ack)}`);
  const body = ErrorBody.safeParse(a.error);
  assert.ok(body.success, `${what}: untyped error ${preview(a.error)}`);
  if (body.data.code === 'INTERNAL') tally.internal++;
  assert.notEqual(body.data.code, 'INTERNAL', `${what}: INTERNAL ${body.data.message}`);
  assert.ok(expect.includes(body.data.code), `${what}: ${body.data.code} (${body.data.message}), expected ${expect.join('|')}`);
  return body.data.code;
}

export function assertOkAck<T = unknown>(ack: unknown, what: string): T {
  const a = ack as { ok?: unknown; data?: unknown; error?: unknown };
  assert.ok(a && a.ok === true, `${what}: refused: ${preview(ack)}`);
  return a.data as T;
}

/** The summary lines printed after the run. */
export function printSummary(): void {
  const codes = Object.entries(tally.byCode).sort(([a], [b]) => a.localeCompare(b));
  console.log(
    `[fuzz media] seed=${FUZZ_SEED} (FC_SEED=${FUZZ_SEED} reproduces) payloads=${tally.payloads} refused=${tally.refused} ` +
      `byCode=${JSON.stringify(Object.fromEntries(codes))} 5xx=${tally.http5xx} valid accepted=${tally.valid}`,
  );
  console.log(`[fuzz media] by area: hall=${tally.byArea.hall} node=${tally.byArea.node} http=${tally.byArea.http}; by kind: ${JSON.stringify(tally.byKind)}; INTERNAL acks=${tally.internal}`);
}
