import { feedKey, FeedVerifier, KIND, leafHash, parseEntryLine } from '@parley/ledger';
import type { AudienceId } from '@parley/ledger';
import type { StationId } from '@parley/core';
import { keyHistory } from './bundle-files.js';
import type { Store } from './store.js';

/**
 * A `FeedVerifier` positioned at the stored head of a feed already verified (a peer's copy):
 * replication continues from it after a restart without re-verifying old signatures. With an
 * audience, the station's feed for that audience (ADR 0003).
 */
export async function loadFeedVerifier(
  store: Store,
  station: StationId,
  audience: AudienceId | null = null,
): Promise<FeedVerifier> {
  const feed = feedKey(station, audience);
  const head = await store.head(feed);
  if (!head) return new FeedVerifier(station, audience);
  const { name, keys } = await keyHistory(store, feed);
  const hashes = await store.hashes(feed, head.seq);
  let members: string[] | undefined;
  if (audience) {
    const [genesis] = await store.entriesOfKind(feed, [KIND.genesis]);
    const m = genesis ? parseEntryLine(genesis.line).body.members : undefined;
    if (Array.isArray(m)) members = m as string[];
  }
  return FeedVerifier.resume(station, {
    name,
    keys,
    head: head.hash,
    lastTs: head.ts,
    leafHashes: hashes.map(leafHash),
    audience,
    ...(members ? { members } : {}),
  });
}
