/**
 * The worker of `ScreenThreads`: takes part in a screen's job if the caller has not closed it
 * yet, judges the chunks of cells it claims, and answers with its hits (see the protocol in
 * `screen-threads.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { PAIR_CHUNK, judgeShare } from '@parley/geo';
import type { PairJob } from '@parley/geo';
import { DONE, NEXT, STATE, joined, open } from './screen-threads.js';

const { ctl, port } = workerData as { ctl: Int32Array; port: MessagePort };

port.on('message', (job: PairJob) => {
  const j = job.id;
  if (Atomics.compareExchange(ctl, STATE, open(j), joined(j)) !== open(j)) return;
  try {
    const share = judgeShare(job, () => {
      // Only while the job is still this one (the caller never moves on without waiting).
      if (Atomics.load(ctl, STATE) !== joined(j)) return -1;
      const c = Atomics.add(ctl, NEXT, PAIR_CHUNK);
      return c < job.cells ? c : -1;
    });
    const bufs = [share.a, share.b, share.code, share.num].map((x) => x.buffer as ArrayBuffer);
    port.postMessage(share, bufs);
  } catch (err) {
    port.postMessage({ id: j, error: err instanceof Error ? err.message : String(err) });
  }
  Atomics.store(ctl, DONE, j);
  Atomics.notify(ctl, DONE);
});

parentPort!.postMessage('ready');
