import type { StationId } from '@parley/core';
import type { FeedWriter, Store } from '@parley/store';
import { LINK_DEFAULTS, MAX_PULL_BYTES } from './wire.js';
import type { FeedChunk, Heartbeat, HeartbeatReply, PullRequest, PullResponse } from './wire.js';

/** What the serving side of the link needs from its station. */
export interface ServeContext {
  station: StationId;
  store: Store;
  /** The writer of this station's identity feed (genesis and key rotations; every peer may read it). */
  writer: FeedWriter;
  /** This station's audience feeds that `peer` is a member of (ADR 0003). */
  sharedWith(peer: string): Promise<FeedWriter[]>;
  /** Calls `fn` when this station starts a new audience feed; returns the unsubscribe function. */
  onAudienceCreated(fn: (w: FeedWriter) => void): () => void;
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
  return waitForAny([{ writer, size }], waitMs, signal);
}

/**
 * Resolves when any of the feeds grows past its size, when `onNew` reports a new feed, after
 * `waitMs`, or when `signal` aborts, whichever is first.
 */
function waitForAny(
  feeds: { writer: FeedWriter; size: number }[],
  waitMs: number,
  signal: AbortSignal,
  onNew?: (fn: () => void) => () => void,
): Promise<void> {
  if (feeds.some((f) => f.writer.size > f.size) || waitMs <= 0 || signal.aborted)
    return Promise.resolve();
  return new Promise((resolve) => {
    const offs: (() => void)[] = [];
    const done = () => {
      for (const off of offs) off();
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    for (const f of feeds)
      offs.push(
        f.writer.onCommit((n) => {
          if (n > f.size) done();
        }),
      );
    if (onNew) offs.push(onNew(done));
    const timer = setTimeout(done, waitMs);
    signal.addEventListener('abort', done);
  });
}

/**
 * Serves a pull (docs/PROTOCOL.md §8): for every feed of this station that the requester may
 * read — the identity feed, and each audience feed whose members include the requester — the
 * entries after the requester's cursor, with the feed's latest signed checkpoint; up to `limit`
 * entries and about 4 MiB in all. A cursor naming any other feed is ignored, exactly as a feed
 * that does not exist: a non-member learns nothing of it. With `wait`, an up-to-date requester
 * is held until one of its feeds grows or a new one is shared with it (long poll).
 */
export async function servePull(
  ctx: ServeContext,
  peer: string,
  q: PullRequest,
  requestAborted?: AbortSignal,
): Promise<PullResponse> {
  const limit = q.limit ?? LINK_DEFAULTS.pullLimit;
  const cursors = new Map<string | null, number>();
  for (const f of q.feeds) cursors.set(f.audience, f.after);
  const shared = async () => {
    const audiences = (await ctx.sharedWith(peer)).sort((a, b) =>
      a.audience! < b.audience! ? -1 : 1,
    );
    return [ctx.writer, ...audiences].map((writer) => ({
      writer,
      size: cursors.get(writer.audience) ?? 0,
    }));
  };
  let feeds = await shared();
  if (q.wait && !feeds.some((f) => f.writer.size > f.size)) {
    const both = requestAborted ? AbortSignal.any([ctx.shutdown, requestAborted]) : ctx.shutdown;
    await waitForAny(feeds, q.wait, both, (fn) => ctx.onAudienceCreated(fn));
    feeds = await shared();
  }
  const chunks: FeedChunk[] = [];
  let count = 0;
  let bytes = 0;
  for (const { writer, size } of feeds) {
    if (writer.size <= size || count >= limit || bytes > MAX_PULL_BYTES) continue;
    const rows = await ctx.store.entries(writer.feed, size, limit - count);
    const entries: string[] = [];
    for (const r of rows) {
      bytes += r.line.length + 3;
      if (count > 0 && bytes > MAX_PULL_BYTES) break;
      entries.push(r.line);
      count++;
    }
    if (entries.length === 0) continue;
    const checkpoint = writer.latestCheckpoint ?? (await ctx.store.latestCheckpoint(writer.feed));
    chunks.push({
      audience: writer.audience,
      entries,
      checkpoint: checkpoint ?? null,
      head: writer.size,
    });
  }
  return { station: ctx.station, feeds: chunks };
}

/** Answers a heartbeat: this station's clock and feed size. */
export function serveHeartbeat(ctx: ServeContext, _hb: Heartbeat, now: number): HeartbeatReply {
  return { station: ctx.station, ts: now, head: ctx.writer.size };
}
