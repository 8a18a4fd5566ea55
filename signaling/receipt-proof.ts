// A material receipt proves the site holds the file: the sha256 of the whole
// file is public (every site is told it), so the receipt also carries
// sha256(challenge ‖ a slice of the file), where the per-site challenge picks
// the slice. The control service reads only that slice to check it.
// Browser-safe: no hashing here, only which bytes to hash.

/** At most this many bytes are hashed for the proof (the whole file when smaller). */
export const PROOF_SLICE = 64 * 1024;

/** The inclusive byte range of a file of `size` bytes that `challenge` (hex) selects. */
export function proofRange(challenge: string, size: number): { start: number; end: number } | null {
  if (size <= 0) return null;
  const len = Math.min(PROOF_SLICE, size);
  const start = parseInt(challenge.slice(0, 12), 16) % (size - len + 1);
  return { start, end: start + len - 1 };
}
