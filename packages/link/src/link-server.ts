import type { StationId } from '@parley/core';
import type { FeedWriter, Store } from '@parley/store';
import { LINK_DEFAULTS, MAX_PULL_BYTES } from './wire.js';
import type { Heartbeat, HeartbeatReply, PullQuery, PullResponse } from './wire.js';

/** What the serving side of the link needs from its station. */
export interface ServeContext {
  station: StationId;
  store: Store;
  writer: FeedWriter;
  /** Aborted when the station shuts down: held pulls return at once. */
  shutdown: AbortSignal;
}

/** Resolves when the feed grows past `size`, after `waitMs`, or at shutdown, whichever is first. */
export function waitForGrowth(
  writer: FeedWriter,
  size: number,
  waitMs: number,
  signal: AbortSignal,
): Promise<void> {
  if (writer.size > size || waitMs <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      off();
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const off = writer.onCommit((n) => {
      if (n > size) done();
    });
    const timer = setTimeout(done, waitMs);
    signal.addEventListener('abort', done);
  });
}

/**
 * Serves "entries after N" from this station's own feed: up to `limit` entries and 4 MiB, with
 * the latest signed checkpoint. With `wait`, an up-to-date puller is held until the next commit
 * (long poll), so a new entry crosses the link in milliseconds, not at the next poll.
 */
export async function servePull(
  ctx: ServeContext,
  q: PullQuery,
  requestAborted?: AbortSignal,
): Promise<PullResponse> {
  const limit = q.limit ?? LINK_DEFAULTS.pullLimit;
  if (ctx.writer.size <= q.after && q.wait) {
    const both = requestAborted ? AbortSignal.any([ctx.shutdown, requestAborted]) : ctx.shutdown;
    await waitForGrowth(ctx.writer, q.after, q.wait, both);
  }
  const rows = await ctx.store.entries(ctx.station, q.after, limit);
  const entries: string[] = [];
  let bytes = 0;
  for (const r of rows) {
    bytes += r.line.length + 3;
    if (entries.length > 0 && bytes > MAX_PULL_BYTES) break;
    entries.push(r.line);
  }
  const checkpoint = ctx.writer.latestCheckpoint ?? (await ctx.store.latestCheckpoint(ctx.station));
  return { station: ctx.station, entries, checkpoint: checkpoint ?? null, head: ctx.writer.size };
}

/** Answers a heartbeat: this station's clock and feed size. */
export function serveHeartbeat(ctx: ServeContext, _hb: Heartbeat, now: number): HeartbeatReply {
  return { station: ctx.station, ts: now, head: ctx.writer.size };
}
