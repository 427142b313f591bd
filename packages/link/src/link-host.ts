import type { StationId } from '@parley/core';
import type { Clock, FeedWriter, Store } from '@parley/store';

/** The types a peer link and its feed replicas share with the station (no code). */

/** A path's (or a peer's) state; what each means for a path: `PathSet` in path-health.ts, PROTOCOL §8. */
export type LinkState = 'UP' | 'DEGRADED' | 'DOWN';

/** Health of one transport path, from this station's side. */
export interface PathStatus {
  url: string;
  state: LinkState;
  lastOkAt: number | null;
  misses: number;
  lastError: string | null;
}

/** Health and progress of the link to one peer. */
export interface PeerStatus {
  name: string;
  station: string;
  state: LinkState;
  lastExchangeAt: number | null;
  paths: PathStatus[];
  /** Entries of the peer's feeds held here (identity and shared audiences), all verified. */
  size: number;
  /** Per feed of the peer held here: its audience (null: identity feed), size, and how far the peer has receipted this station's feed of that audience. */
  feeds: { audience: string | null; size: number; deliveredUpTo: number }[];
  /** Set after an equivocation: the peer's feed is not accepted until an operator resumes it. */
  halted: { reason: string; at: number } | null;
}

/** Hooks the station uses for metrics and logs. */
export interface LinkEvents {
  rejected(peer: string, code: string, message: string): void;
  ingested(peer: string, entries: number): void;
  equivocation(peer: string, reason: string): void;
  /** The peer signed an entry whose body fails its schema (§2.2): stored, left out of the folds, alarmed. */
  violation(peer: string, code: string, message: string): void;
  /** A background task of the link failed (it is tried again on its next tick): for the log. */
  failed(what: string, err: unknown): void;
  pathState(peer: string, url: string, state: LinkState): void;
  delivered(peer: string, upTo: number, audience: string): void;
}

export interface LinkOptions {
  heartbeatMs: number;
  pullWaitMs: number;
  pullLimit: number;
}

/** What a peer link needs from its station. */
export interface LinkHost {
  station: StationId;
  store: Store;
  writer: FeedWriter;
  clock: Clock;
  events: LinkEvents;
  /** This station's feed for an audience (created if new; `members` include this station). */
  audienceWriter(members: readonly string[]): Promise<FeedWriter>;
  /** This station's audience feeds shared with `peer`. */
  sharedWith(peer: string): Promise<FeedWriter[]>;
}
