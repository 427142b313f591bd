import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MerkleTree, leafHash, toHex } from '@parley/ledger';

const leaves = Array.from({ length: 300 }, (_, i) => leafHash(new Uint8Array([i & 255, i >> 8])));

describe('MerkleTree.truncate', () => {
  it('undoes appends exactly: any truncate-then-append history matches a fresh tree', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (a, b, c) => {
          const grown = Math.max(a, b);
          const cut = Math.min(a, b);
          const t = MerkleTree.fromLeafHashes(leaves.slice(0, grown));
          t.truncate(cut);
          expect(t.size).toBe(cut);
          const end = Math.max(cut, c);
          for (let i = cut; i < end; i++) t.appendLeafHash(leaves[i]!);
          const fresh = MerkleTree.fromLeafHashes(leaves.slice(0, end));
          expect(toHex(t.root())).toBe(toHex(fresh.root()));
          if (end > 1)
            expect(t.consistencyProof(1, end).map(toHex)).toEqual(
              fresh.consistencyProof(1, end).map(toHex),
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses to grow', () => {
    const t = MerkleTree.fromLeafHashes(leaves.slice(0, 3));
    expect(() => t.truncate(4)).toThrow(expect.objectContaining({ code: 'PARLEY_E_PROOF_RANGE' }));
  });
});
