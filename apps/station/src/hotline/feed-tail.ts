import type { HotlineEntry } from '@parley/core';
import { parseEntryLine, parseFeedKey } from '@parley/ledger';
import type { Store } from '@parley/store';

/** Entries read per store query while catching up. */
const PAGE = 2000;

/**
 * Reads every feed a station holds from where it last stopped, keeping one cursor per feed:
 * each call returns only the entries stored since the previous one, of the kinds `wants`
 * accepts, parsed for a fold. The hotline and the notices each keep one, so the cost of bringing
 * a fold up to date follows new traffic, not the length of history.
 */
export class FeedTail {
  private readonly cursors = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly wants: (kind: string) => boolean,
  ) {}

  /** The wanted entries stored since the last call, feed by feed, each feed in seq order. */
  async next(): Promise<HotlineEntry[]> {
    const out: HotlineEntry[] = [];
    for (const { station: feed, size } of await this.store.feeds()) {
      const { station, audience } = parseFeedKey(feed);
      let after = this.cursors.get(feed) ?? 0;
      while (after < size) {
        const rows = await this.store.entries(feed, after, PAGE);
        if (rows.length === 0) break;
        for (const r of rows) {
          if (!this.wants(r.kind)) continue;
          out.push({
            station,
            audience,
            seq: r.seq,
            hash: r.hash,
            ts: r.ts,
            kind: r.kind,
            channel: r.channel,
            body: parseEntryLine(r.line).body,
          });
        }
        after = rows[rows.length - 1]!.seq;
        this.cursors.set(feed, after);
      }
    }
    return out;
  }
}
