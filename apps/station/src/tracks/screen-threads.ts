/**
 * A helper thread for the full screen (`screen(set, { threads })`): while the calling thread
 * walks the grid of one slice, a worker thread takes chunks of the same grid's cells and judges
 * their pairs too, reading the screen's arrays in shared memory. The screen's answer is the
 * same with or without it (the hits are sorted at the end); only the time changes: the pair
 * search and pair test are about half of a 100k-track screen.
 *
 * Protocol (one shared `Int32Array` of three words, `NEXT`, `STATE`, `DONE`):
 * - The caller opens job j: `NEXT` = 0, `STATE` = open(j), and posts the job to the worker.
 * - Both threads claim chunks with `Atomics.add(NEXT, PAIR_CHUNK)` until it passes the cells.
 * - The worker takes part only if it turns `STATE` from open(j) to joined(j); the caller, done
 *   with its chunks, turns it from open(j) to closed(j). Exactly one of the two succeeds: if the
 *   worker was too late (still starting, or its core busy), the caller did every chunk and does
 *   not wait; a late worker sees closed(j) and skips the job.
 * - A worker that joined posts its hits (tagged j) on the job's channel, then sets `DONE` = j and
 *   notifies; the caller waits for that, then takes the message with `receiveMessageOnPort`,
 *   passing over any of an earlier job. A worker stops claiming once the job is not its own.
 * A worker that fails, exits or does not answer within `timeoutMs` is stopped, `failure` says
 * why, and it is offered nothing more. The screen that waited for it judges that slice again on
 * its own thread: its answer is whole either way.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { PAIR_CHUNK } from '@parley/geo';
import type { PairHelper, PairJob, PairResult } from '@parley/geo';

/** Words of the shared control array. @internal */
export const NEXT = 0;
export const STATE = 1;
export const DONE = 2;
/** `STATE` values of job j: open, joined by the worker, closed by the caller. @internal */
export const open = (j: number): number => 4 * j;
export const joined = (j: number): number => 4 * j + 1;
const closed = (j: number): number => 4 * j + 2;
/** Job numbers cycle below this, so that 4j + 2 stays a 32-bit integer. */
const JOBS = 1 << 28;

/** Default `minTracks`: below it the hand-over costs more than the helper saves. */
export const SCREEN_THREADS_MIN_TRACKS = 20_000;

export interface ScreenThreadsOptions {
  /** Pictures smaller than this are screened on the calling thread alone. Default 20,000. */
  minTracks?: number;
  /**
   * How long a screen waits for the worker's share before giving up on it. Default 2 s: far
   * above its share of any screen, and below a station's 3 s leadership lease.
   */
  timeoutMs?: number;
}

/**
 * One worker thread that shares the full screen's pair search.
 *
 * @example
 * const threads = await ScreenThreads.start();
 * const hits = screen(set, { now, threads });
 * await threads.stop();
 */
export class ScreenThreads implements PairHelper {
  /** Jobs the worker took part in. */
  joinedJobs = 0;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ctl: Int32Array;
  private readonly minTracks: number;
  private readonly timeoutMs: number;
  private job = 0;
  private cells = 0;
  private failed: Error | undefined;

  private constructor(worker: Worker, port: MessagePort, ctl: Int32Array, o: ScreenThreadsOptions) {
    this.worker = worker;
    this.port = port;
    this.ctl = ctl;
    this.minTracks = o.minTracks ?? SCREEN_THREADS_MIN_TRACKS;
    this.timeoutMs = o.timeoutMs ?? 2000;
    worker.on('error', (err) => (this.failed ??= err));
    worker.on('exit', () => (this.failed ??= new Error('screen helper thread exited')));
  }

  /** Why the helper no longer takes part, once it has failed or been stopped. */
  get failure(): Error | undefined {
    return this.failed;
  }

  /** Starts the worker; resolves once it is ready to take jobs. */
  static async start(o: ScreenThreadsOptions = {}): Promise<ScreenThreads> {
    const ctl = new Int32Array(new SharedArrayBuffer(12));
    const { port1, port2 } = new MessageChannel();
    // From a build the worker is the compiled module beside this one. From the TypeScript
    // source (tests, benchmarks) it is the source, loaded through tsx as this module was (a
    // worker does not take `--import`, so a two-line script registers tsx first).
    const ts = import.meta.url.endsWith('.ts');
    const url = new URL(
      ts ? './screen-threads-worker.ts' : './screen-threads-worker.js',
      import.meta.url,
    );
    const init = { workerData: { ctl, port: port2 }, transferList: [port2] };
    let worker: Worker;
    if (ts) {
      // tsx's ESM API (`require` resolves its CommonJS twin beside it), with the checkout's test
      // configuration, so that the worker runs the workspace packages' sources as its caller does.
      const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
      const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
      const tsconfig = fileURLToPath(new URL('../../../../tsconfig.test.json', import.meta.url));
      const options = existsSync(tsconfig) ? { tsconfig } : {};
      const boot =
        `import(${JSON.stringify(api)}).then((m) => {` +
        ` m.register(${JSON.stringify(options)}); return import(${JSON.stringify(url.href)}); });`;
      worker = new Worker(boot, { ...init, eval: true });
    } else worker = new Worker(url, init);
    worker.unref();
    port1.unref();
    const [ready] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([err]) => Promise.reject(err as Error)),
      once(worker, 'exit').then(([code]) =>
        Promise.reject(new Error(`screen helper thread exited while starting (${String(code)})`)),
      ),
    ])) as unknown[];
    if (ready !== 'ready') throw new Error(`screen helper thread: unexpected ${String(ready)}`);
    return new ScreenThreads(worker, port1, ctl, o);
  }

  wants(n: number): boolean {
    return this.failed === undefined && n >= this.minTracks;
  }

  offer(job: PairJob): void {
    const j = (this.job = (this.job % (JOBS - 1)) + 1);
    this.cells = job.cells;
    Atomics.store(this.ctl, NEXT, 0);
    Atomics.store(this.ctl, DONE, 0);
    Atomics.store(this.ctl, STATE, open(j));
    job.id = j;
    this.port.postMessage(job);
  }

  claim(): number {
    const c = Atomics.add(this.ctl, NEXT, PAIR_CHUNK);
    return c < this.cells ? c : -1;
  }

  finish(): PairResult | undefined {
    const j = this.job;
    if (Atomics.compareExchange(this.ctl, STATE, open(j), closed(j)) === open(j)) return undefined;
    // The worker joined job j: wait for its share.
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const done = Atomics.load(this.ctl, DONE);
      if (done === j) break;
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.ctl, DONE, done, left) === 'timed-out')
        this.fail(`did not answer within ${this.timeoutMs} ms`);
    }
    for (;;) {
      const got = receiveMessageOnPort(this.port) as
        { message: PairResult | { id: number; error: string } } | undefined;
      if (!got) this.fail('posted no answer');
      const m = got.message;
      if (m.id !== j) continue; // an earlier job's
      if ('error' in m) this.fail(m.error);
      this.joinedJobs++;
      return m;
    }
  }

  private fail(why: string): never {
    this.failed = new Error(`screen helper thread: ${why}`);
    void this.worker.terminate();
    throw this.failed;
  }

  /** Stops the worker. */
  async stop(): Promise<void> {
    this.failed ??= new Error('screen helper thread closed');
    await this.worker.terminate();
  }
}
