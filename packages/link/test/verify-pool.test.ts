// The verify pool must answer exactly what a plain verification on this thread answers, for any
// mix of keys, corrupted signatures, corrupted bytes and wrong-length signatures, and keep
// answering (on this thread) once its workers are gone.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { signerFromSeed, verifySignature } from '@parley/ledger';
import { POOL_MIN_BATCH, VerifyPool } from '@parley/link';
import type { SignatureJob } from '@parley/link';

const signers = [1, 2, 3].map((n) => signerFromSeed(new Uint8Array(32).fill(n)));

function job(
  k: number,
  text: string,
  fault: 'none' | 'sig' | 'bytes' | 'short' | 'key',
): SignatureJob {
  const s = signers[k % signers.length]!;
  const bytes = new TextEncoder().encode(text);
  let sig: Uint8Array = s.sign(bytes);
  const other = signers[(k + 1) % signers.length]!;
  if (fault === 'sig') sig = Uint8Array.from(sig, (b, i) => (i === 7 ? b ^ 1 : b));
  if (fault === 'short') sig = sig.subarray(0, 63);
  const signed = fault === 'bytes' ? new TextEncoder().encode(text + '!') : bytes;
  return { key: fault === 'key' ? other.publicKey : s.publicKey, bytes: signed, sig };
}

const pool = new VerifyPool(2);
afterAll(() => pool.close());

describe('VerifyPool', () => {
  it('answers what verifySignature answers, job by job, for any batch', async () => {
    const jobArb = fc.record({
      k: fc.nat(5),
      text: fc.string({ maxLength: 300 }),
      fault: fc.constantFrom('none', 'none', 'none', 'sig', 'bytes', 'short', 'key'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(jobArb, { minLength: 0, maxLength: 400 }), async (specs) => {
        const jobs = specs.map((s) => job(s.k, s.text, s.fault as never));
        const got = await pool.verifyAll(jobs);
        expect(got).toEqual(jobs.map((j) => verifySignature(j.key, j.bytes, j.sig)));
      }),
      { numRuns: 40 },
    );
  });

  it('finds one bad signature in each worker share of a large batch', async () => {
    const n = POOL_MIN_BATCH * 8;
    for (const bad of [0, Math.floor(n / 3), n / 2, n - 1]) {
      const jobs = Array.from({ length: n }, (_, i) =>
        job(0, `entry ${i}`, i === bad ? 'sig' : 'none'),
      );
      const got = await pool.verifyAll(jobs);
      expect(got.filter((ok) => !ok)).toHaveLength(1);
      expect(got[bad]).toBe(false);
    }
  });

  it('verifies on the calling thread after close', async () => {
    const p = new VerifyPool(1);
    await p.close();
    const jobs = Array.from({ length: POOL_MIN_BATCH * 2 }, (_, i) =>
      job(i, `after close ${i}`, i % 5 === 0 ? 'bytes' : 'none'),
    );
    expect(await p.verifyAll(jobs)).toEqual(jobs.map((_, i) => i % 5 !== 0));
  });
});
