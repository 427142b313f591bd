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
  /** How long news that does not concern the requester may be held (default COALESCE_MS). */
  coalesceMs?: number;
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
  const collect = async (feeds: { writer: FeedWriter; size: number }[]) => {
    const chunks: FeedChunk[] = [];
    let count = 0;
    let bytes = 0;
    let urgent = false;
    for (const { writer, size } of feeds) {
      if (writer.size <= size || count >= limit || bytes > MAX_PULL_BYTES) continue;
      const rows = await ctx.store.entries(writer.feed, size, limit - count);
      const entries: string[] = [];
      for (const r of rows) {
        bytes += r.line.length + 3;
        if (count > 0 && bytes > MAX_PULL_BYTES) break;
        entries.push(r.line);
        urgent ||= writer.audience === null || concerns(r.kind, r.line, peer);
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
    return { chunks, urgent };
  };
  const both = requestAborted ? AbortSignal.any([ctx.shutdown, requestAborted]) : ctx.shutdown;
  const end = Date.now() + (q.wait ?? 0);
  let chatterSince: number | null = null;
  for (;;) {
    const feeds = await shared();
    const grown = feeds.some((f) => f.writer.size > f.size);
    if (grown) {
      const got = await collect(feeds);
      // Growth that concerns the requester goes at once; other members' receipts and
      // cosignatures (chatter) are held up to COALESCE_MS so that they travel in batches.
      if (got.urgent || !q.wait || both.aborted) return { station: ctx.station, feeds: got.chunks };
      chatterSince ??= Date.now();
      const until = Math.min(end, chatterSince + (ctx.coalesceMs ?? COALESCE_MS));
      if (Date.now() >= until) return { station: ctx.station, feeds: got.chunks };
      await waitForAny(
        feeds.map((f) => ({ writer: f.writer, size: f.writer.size })),
        until - Date.now(),
        both,
        (fn) => ctx.onAudienceCreated(fn),
      );
      continue;
    }
    if (!q.wait || Date.now() >= end || both.aborted) return { station: ctx.station, feeds: [] };
    await waitForAny(feeds, end - Date.now(), both, (fn) => ctx.onAudienceCreated(fn));
  }
}

/** How long other members' receipts and cosignatures may wait to travel together (§8). */
export const COALESCE_MS = 500;

/**
 * Whether an entry concerns the requester at once: anything but a receipt or a cosignature, a
 * receipt of the requester's feed (delivered) or of one of its entries (read, understood).
 */
function concerns(kind: string, line: string, peer: string): boolean {
  if (kind === 'cosignature') return false;
  if (kind !== 'receipt') return true;
  const body = (JSON.parse(line) as { body?: { station?: unknown; of?: { station?: unknown } } })
    .body;
  return body?.station === peer || body?.of?.station === peer;
}

/** Answers a heartbeat: this station's clock and feed size. */
export function serveHeartbeat(ctx: ServeContext, _hb: Heartbeat, now: number): HeartbeatReply {
  return { station: ctx.station, ts: now, head: ctx.writer.size };
}
