// The serving side of a pull on a real station store: news that concerns the requester is
// answered at once; other members' receipts and cosignatures wait (up to the coalescing window)
// to travel together (docs/PROTOCOL.md §8).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initStation, StationHandle } from '@parley/store';
import type { FeedWriter } from '@parley/store';
import type { StationId } from '@parley/core';
import { servePull } from '../src/link-server.js';
import type { ServeContext } from '../src/link-server.js';

const P = 'stn_aaaaaaaaaaaaaaaaaaaaaaaa' as StationId; // the requester
const Q = 'stn_bbbbbbbbbbbbbbbbbbbbbbbb' as StationId; // another member
let dir: string;
let handle: StationHandle;
let feed: FeedWriter;
const shutdown = new AbortController();
let ctx: ServeContext;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-serve-'));
  await initStation(dir, 'Server');
  handle = await StationHandle.open(dir);
  feed = await handle.audienceWriter([P, Q]);
  ctx = {
    station: handle.station,
    store: handle.store,
    writer: handle.writer,
    sharedWith: (peer) => handle.sharedWith(peer),
    onAudienceCreated: (fn) => handle.onAudienceCreated(fn),
    shutdown: shutdown.signal,
    // Long enough that only news that concerns the requester can end the wait in this test.
    coalesceMs: 30_000,
  };
});
afterAll(async () => {
  shutdown.abort();
  await handle.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts a long poll from P at the current heads; reports whether it has been answered. */
function poll() {
  const cursors = [
    { audience: null, after: handle.writer.size },
    { audience: feed.audience, after: feed.size },
  ];
  const state = { answered: false };
  const answer = servePull(ctx, P, { feeds: cursors, wait: 60_000 }).then((r) => {
    state.answered = true;
    return r;
  });
  return { state, answer };
}

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kinds = (r: Awaited<ReturnType<typeof servePull>>) =>
  r.feeds.flatMap((f) => f.entries.map((l) => (JSON.parse(l) as { kind: string }).kind));

describe('a held pull', () => {
  it("is not answered for another member's receipt; it is, at once, for one of the requester's feed, with both", async () => {
    const { state, answer } = poll();
    await feed.appendMany([
      { kind: 'receipt', body: { level: 'delivered', station: Q, upTo: 1, hash: 'x'.repeat(64) } },
    ]);
    await later(1000);
    expect(state.answered).toBe(false);
    await feed.appendMany([
      { kind: 'receipt', body: { level: 'delivered', station: P, upTo: 1, hash: 'y'.repeat(64) } },
    ]);
    const r = await answer;
    expect(kinds(r)).toEqual(['receipt', 'receipt']);
  });

  it("is answered at once for anything but another member's receipts and cosignatures", async () => {
    const { state, answer } = poll();
    await feed.appendMany([
      {
        kind: 'cosignature',
        body: { station: Q, size: 1, root: 'z'.repeat(64), ts: 1, sig: 'AA' },
      },
    ]);
    await later(1000);
    expect(state.answered).toBe(false);
    await feed.appendMany([{ kind: 'alarm', body: { reason: 'test', text: 'an alarm' } }]);
    expect(kinds(await answer)).toEqual(['cosignature', 'alarm']);
  });

  it('with no coalescing window configured, answers chatter within the default window', async () => {
    const quick: ServeContext = { ...ctx };
    delete quick.coalesceMs;
    const started = Date.now();
    const answer = servePull(quick, P, {
      feeds: [
        { audience: null, after: handle.writer.size },
        { audience: feed.audience, after: feed.size },
      ],
      wait: 60_000,
    });
    await feed.appendMany([
      { kind: 'receipt', body: { level: 'delivered', station: Q, upTo: 2, hash: 'x'.repeat(64) } },
    ]);
    expect(kinds(await answer)).toEqual(['receipt']);
    // Held for the window (a lower bound, which no load can shorten), and answered long before `wait`.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
