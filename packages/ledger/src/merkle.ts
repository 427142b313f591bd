import { ParleyError } from '@parley/core';
import { bytesEqual, sha256 } from './hash.js';

/** Bytes in every tree hash (SHA-256). */
export const HASH_SIZE = 32;

// RFC 9162 §2.1.1 domain separation: distinct prefixes stop a leaf from being passed off as an
// interior node (second-preimage attacks on the tree).
const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = new Uint8Array(sha256());

/** Leaf hash: SHA-256(0x00 ‖ data) (RFC 9162 §2.1.1). */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

/** Interior node hash: SHA-256(0x01 ‖ left ‖ right); any input lengths (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** The largest power of two strictly smaller than n (n ≥ 2): RFC 9162 §2.1.1's split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** One level of cached subtree hashes, packed 32 bytes per node in one growable buffer. */
class Level {
  private buf = new Uint8Array(HASH_SIZE * 16);
  count = 0;

  push(hash: Uint8Array): void {
    const at = this.count * HASH_SIZE;
    if (at + HASH_SIZE > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf.set(hash, at);
    this.count++;
  }

  /** A view, valid until the next push; copy before handing it out. */
  at(i: number): Uint8Array {
    return this.buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }
}

/** A fresh plain Uint8Array: never a view into the cache (nor Buffer, whose slice() is a view). */
function copy(hash: Uint8Array): Uint8Array {
  return new Uint8Array(hash);
}

function rangeError(message: string, details: Record<string, unknown>): ParleyError {
  return new ParleyError('PARLEY_E_PROOF_RANGE', message, details);
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** An append-only RFC 9162 Merkle tree over leaf hashes, caching every complete aligned subtree. */
export class MerkleTree {
  /** levels[k] holds the hash of leaves [i·2^k, (i+1)·2^k) at index i, for every complete one. */
  private readonly levels: Level[] = [new Level()];

  /** A tree holding the given leaf hashes in order. */
  static fromLeafHashes(hashes: Iterable<Uint8Array>): MerkleTree {
    const tree = new MerkleTree();
    for (const h of hashes) tree.appendLeafHash(h);
    return tree;
  }

  /** Number of leaves. */
  get size(): number {
    return this.levels[0]!.count;
  }

  /** Appends a 32-byte leaf hash; amortised O(1) hashes. */
  appendLeafHash(hash: Uint8Array): void {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw rangeError(
        `leaf hash must be ${HASH_SIZE} bytes, got ${hash instanceof Uint8Array ? hash.length : typeof hash}`,
        { length: hash instanceof Uint8Array ? hash.length : undefined },
      );
    }
    let level = this.levels[0]!;
    level.push(hash);
    // Each time a level's count becomes even a new pair is complete: its parent is the next
    // complete aligned subtree one level up. Carries ripple like binary increment.
    for (let k = 0; level.count % 2 === 0; k++) {
      const parent = nodeHash(level.at(level.count - 2), level.at(level.count - 1));
      let up = this.levels[k + 1];
      if (!up) {
        up = new Level();
        this.levels.push(up);
      }
      up.push(parent);
      level = up;
    }
  }

  /**
   * Drops every leaf after the first `size` (undoes appends whose entries were not committed).
   * Only complete aligned subtrees are cached, so level k keeps exactly ⌊size / 2^k⌋ of them.
   */
  truncate(size: number): void {
    this.checkSize(size, 'truncate');
    for (let k = 0, width = 1; k < this.levels.length; k++, width *= 2)
      this.levels[k]!.count = Math.floor(size / width);
  }

  /** Appends the leaf hash of `data`. */
  appendLeaf(data: Uint8Array): void {
    this.appendLeafHash(leafHash(data));
  }

  /** Copy of the hash of leaf `index`. */
  leafHashAt(index: number): Uint8Array {
    if (!isCount(index) || index >= this.size) {
      throw rangeError(`leaf index ${index} is outside a tree of ${this.size} leaves`, {
        index,
        treeSize: this.size,
      });
    }
    return copy(this.levels[0]!.at(index));
  }

  /** MTH(D[0:size]) for any 0 ≤ size ≤ this.size, in O(log n) hashes. */
  root(size: number = this.size): Uint8Array {
    this.checkSize(size, 'root');
    if (size === 0) return copy(EMPTY_ROOT);
    return copy(this.rangeHash(0, size));
  }

  /** RFC 9162 §2.1.3.1 PATH(index, D[0:size]), leaf level first. */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.checkSize(size, 'inclusion proof');
    if (!isCount(index) || index >= size) {
      throw rangeError(
        `inclusion proof for leaf ${index} in a tree of size ${size}: the index must be below the size`,
        { index, size, treeSize: this.size },
      );
    }
    // PATH recurses into the half holding the leaf and appends the other half's MTH; walking
    // top-down and reversing gives the same list without recursion.
    const path: Uint8Array[] = [];
    let lo = 0;
    let hi = size;
    while (hi - lo > 1) {
      const k = splitPoint(hi - lo);
      if (index < lo + k) {
        path.push(copy(this.rangeHash(lo + k, hi)));
        hi = lo + k;
      } else {
        path.push(copy(this.rangeHash(lo, lo + k)));
        lo += k;
      }
    }
    return path.reverse();
  }

  /** RFC 9162 §2.1.4.1 PROOF(size1, D[0:size2]) for 0 < size1 ≤ size2; empty when they are equal. */
  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    this.checkSize(size2, 'consistency proof');
    if (!isCount(size1) || size1 === 0 || size1 > size2) {
      throw rangeError(
        `consistency proof from size ${size1} to size ${size2}: need 0 < size1 ≤ size2`,
        { size1, size2, treeSize: this.size },
      );
    }
    // SUBPROOF(m, D[lo:hi], b), unrolled top-down then reversed as in inclusionProof. `complete`
    // is b: whether the old tree's root is already known to the verifier (only on the left edge).
    const proof: Uint8Array[] = [];
    let lo = 0;
    let hi = size2;
    let m = size1;
    let complete = true;
    for (;;) {
      const n = hi - lo;
      if (m === n) {
        if (!complete) proof.push(copy(this.rangeHash(lo, hi)));
        break;
      }
      const k = splitPoint(n);
      if (m <= k) {
        proof.push(copy(this.rangeHash(lo + k, hi)));
        hi = lo + k;
      } else {
        proof.push(copy(this.rangeHash(lo, lo + k)));
        lo += k;
        m -= k;
        complete = false;
      }
    }
    return proof.reverse();
  }

  private checkSize(size: number, what: string): void {
    if (!isCount(size) || size > this.size) {
      throw rangeError(`${what} for size ${size}: the tree has ${this.size} leaves`, {
        size,
        treeSize: this.size,
      });
    }
  }

  /**
   * MTH(D[lo:hi]) for a range the RFC 9162 recursion can produce: non-empty, with lo a multiple
   * of a power of two ≥ hi − lo. Such a range splits into complete aligned subtrees (one per set
   * bit of its length, largest first), all cached, so only the right-edge joins are hashed.
   * Returns a view into the cache when the range is itself complete.
   */
  private rangeHash(lo: number, hi: number): Uint8Array {
    let acc: Uint8Array | undefined;
    let end = hi;
    // Fold from the smallest (rightmost) chunk: MTH = HASH(biggest, MTH(rest)) at every split.
    for (let k = 0, width = 1; end > lo; k++, width *= 2) {
      if ((end - lo) % (width * 2) === 0) continue;
      end -= width;
      const chunk = this.levels[k]!.at(end / width);
      acc = acc === undefined ? chunk : nodeHash(chunk, acc);
    }
    return acc!;
  }
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function isPowerOfTwo(n: number): boolean {
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

function isProof(proof: unknown): proof is Uint8Array[] {
  return Array.isArray(proof) && proof.every(isHash);
}

/**
 * The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1–4), or undefined when the
 * arguments are malformed or the proof has the wrong length for (index, size).
 */
export function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array | undefined {
  if (!isHash(leaf) || !isCount(index) || !isCount(size) || index >= size || !isProof(proof)) {
    return undefined;
  }
  // Plain arithmetic rather than bit operators: sizes come from the wire and may exceed 2^31.
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      // A right-edge node with no sibling at a level is promoted unchanged, so skip those levels.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // §2.1.3.2 step 5: a proof that ends before reaching the root is too short.
  return sn === 0 ? r : undefined;
}

/** RFC 9162 §2.1.3.2 inclusion check; false (never a throw) for any malformed input. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(root)) return false;
  const computed = rootFromInclusionProof(leaf, index, size, proof);
  return computed !== undefined && bytesEqual(computed, root);
}

/** RFC 9162 §2.1.4.2 consistency check of root1 (size1) against root2 (size2); false on malformed input. */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isCount(size1) || !isCount(size2) || !isHash(root1) || !isHash(root2) || !isProof(proof)) {
    return false;
  }
  // RFC 9162 defines proofs only for 0 < size1 < size2. Every tree is consistent with itself
  // (the empty PROOF of §2.1.4.1), and nothing commits to the empty tree's contents, so 0 → n
  // proves nothing and is refused, as transparency-dev/merkle does.
  if (size1 === 0 || size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  // §2.1.4.2 step 1: an empty path fails.
  if (proof.length === 0) return false;
  // Step 2: when size1 is a power of two the old root is a complete subtree of the new tree and
  // PROOF omits it, since the verifier already has it.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2);
}
