import { FeedVerifier, leafHash } from '@parley/ledger';
import type { StationId } from '@parley/core';
import { keyHistory } from './bundle-files.js';
import type { Store } from './store.js';

/**
 * A `FeedVerifier` positioned at the stored head of a feed already verified (a peer's copy):
 * replication continues from it after a restart without re-verifying old signatures.
 */
export async function loadFeedVerifier(store: Store, station: StationId): Promise<FeedVerifier> {
  const head = await store.head(station);
  if (!head) return new FeedVerifier(station);
  const { name, keys } = await keyHistory(store, station);
  const hashes = await store.hashes(station, head.seq);
  return FeedVerifier.resume(station, {
    name,
    keys,
    head: head.hash,
    lastTs: head.ts,
    leafHashes: hashes.map(leafHash),
  });
}
