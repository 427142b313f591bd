/**
 * Ed25519 verification of a batch of signatures spread over worker threads and the calling
 * thread. A receiving station spends most of a catch-up verifying its peer's signatures; this
 * lets it use the cores it has. The workers only answer "valid or not" for (key, bytes, sig)
 * triples: what to verify, and what a failure means, stays with the caller (the feed verifier
 * re-checks any entry the pool did not vouch for and raises the coded error itself).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { verifySignature } from '@parley/ledger';
import type { PublicKeyB64 } from '@parley/core';

/** One signature to check. */
export interface SignatureJob {
  key: PublicKeyB64;
  bytes: Uint8Array;
  sig: Uint8Array;
}

/** Batches smaller than this are verified on the calling thread: a worker round trip costs more. */
export const POOL_MIN_BATCH = 64;

// The worker: raw node:crypto verification of packed jobs. Message in: { id, key, data, offsets }
// where data holds each job's 64-byte signature followed by its signed bytes; out: { id, ok }.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
function keyObject(b64) {
  let k = keys.get(b64);
  if (!k) {
    if (keys.size > 64) keys.clear();
    k = createPublicKey({ key: Buffer.concat([SPKI, Buffer.from(b64, 'base64url')]), format: 'der', type: 'spki' });
    keys.set(b64, k);
  }
  return k;
}
parentPort.on('message', ({ id, key, data, offsets }) => {
  const buf = Buffer.from(data);
  const ok = new Uint8Array(offsets.length - 1);
  let k;
  try { k = keyObject(key); } catch { parentPort.postMessage({ id, ok }); return; }
  for (let i = 0; i + 1 < offsets.length; i++) {
    const sig = buf.subarray(offsets[i], offsets[i] + 64);
    const msg = buf.subarray(offsets[i] + 64, offsets[i + 1]);
    try { ok[i] = verify(null, msg, k, sig) ? 1 : 0; } catch { ok[i] = 0; }
  }
  parentPort.postMessage({ id, ok }, [ok.buffer]);
});
`;

interface Pending {
  resolve(ok: Uint8Array): void;
  reject(err: Error): void;
}

/** Worker threads to start by default: one fewer than the cores, at most 3, at least 1. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(3, availableParallelism() - 1));
}

/**
 * A small pool of verification workers. `verifyAll` splits a batch between the workers and the
 * calling thread and resolves to one boolean per job, in order. Jobs of one call share one key
 * per worker message when they can; mixed keys are grouped.
 */
export class VerifyPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(size = defaultPoolSize()) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.on('message', (m: { id: number; ok: Uint8Array }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.ok);
      });
      w.on('error', (err) => this.failAll(err));
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Verifies every job; `true` where the signature is valid under the job's key. */
  async verifyAll(jobs: readonly SignatureJob[]): Promise<boolean[]> {
    const out = new Array<boolean>(jobs.length).fill(false);
    if (this.closed || this.workers.length === 0 || jobs.length < POOL_MIN_BATCH) {
      for (let i = 0; i < jobs.length; i++) out[i] = verifyJob(jobs[i]!);
      return out;
    }
    // Contiguous runs of one key: a worker message carries a single key.
    const parts = this.workers.length + 1;
    const share = Math.ceil(jobs.length / parts);
    const sent: Promise<void>[] = [];
    let w = 0;
    // The first `share` jobs stay on this thread; the rest go to the workers in slices.
    for (let start = share; start < jobs.length; start += share) {
      const end = Math.min(jobs.length, start + share);
      for (const [a, b] of sameKeyRuns(jobs, start, end)) {
        sent.push(
          this.send(this.workers[w % this.workers.length]!, jobs, a, b).then(
            (ok) => {
              for (let i = a; i < b; i++) out[i] = ok[i - a] === 1;
            },
            // A worker that died: its share is verified here instead.
            () => {
              for (let i = a; i < b; i++) out[i] = verifyJob(jobs[i]!);
            },
          ),
        );
      }
      w++;
    }
    for (let i = 0; i < Math.min(share, jobs.length); i++) out[i] = verifyJob(jobs[i]!);
    await Promise.all(sent);
    return out;
  }

  private send(worker: Worker, jobs: readonly SignatureJob[], a: number, b: number) {
    let bytes = 0;
    for (let i = a; i < b; i++) bytes += 64 + jobs[i]!.bytes.length;
    const data = new Uint8Array(bytes);
    const offsets = new Uint32Array(b - a + 1);
    let at = 0;
    for (let i = a; i < b; i++) {
      const j = jobs[i]!;
      offsets[i - a] = at;
      // A signature of the wrong length can never verify: send 64 zero bytes in its place.
      if (j.sig.length === 64) data.set(j.sig, at);
      data.set(j.bytes, at + 64);
      at += 64 + j.bytes.length;
    }
    offsets[b - a] = at;
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, key: jobs[a]!.key, data, offsets }, [data.buffer]);
    }).then((ok) => {
      // A wrong-length signature was sent as zeros; never let it count as valid.
      for (let i = a; i < b; i++) if (jobs[i]!.sig.length !== 64) ok[i - a] = 0;
      return ok;
    });
  }

  private failAll(err: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Stops the workers; later calls verify on the calling thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.failAll(new Error('verify pool closed'));
  }
}

function verifyJob(j: SignatureJob): boolean {
  return verifySignature(j.key, j.bytes, j.sig);
}

function* sameKeyRuns(
  jobs: readonly SignatureJob[],
  start: number,
  end: number,
): Generator<[number, number]> {
  let a = start;
  for (let i = start + 1; i <= end; i++) {
    if (i === end || jobs[i]!.key !== jobs[a]!.key) {
      yield [a, i];
      a = i;
    }
  }
}
