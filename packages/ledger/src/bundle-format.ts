import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { isParleyError, ParleyError } from '@parley/core';
import type { ErrorCode, PublicKeyB64, StationId } from '@parley/core';
import type { Checkpoint } from './checkpoint.js';
import type { FeedVerifier, KeyPeriod } from './feed-verifier.js';
import { feedKey } from './audience.js';
import type { AudienceId } from './audience.js';
import { parseStrictJson } from './strict-json.js';

/**
 * An exported bundle is a directory of four files (PROTOCOL.md §5):
 * - `manifest.json`: the exporter, its key, each feed's size, root and checkpoint count, signed;
 * - `keys.json`: each feed's station name and key history, which must agree with the feed;
 * - `checkpoints.jsonl`: signed checkpoints, one per line, any order;
 * - `entries.jsonl`: every entry of every feed, one per line, each feed contiguous and in seq order.
 * A feed is a station's identity feed or one of its audience feeds (`feedKey`).
 */
export const BUNDLE_FILES = {
  manifest: 'manifest.json',
  keys: 'keys.json',
  checkpoints: 'checkpoints.jsonl',
  entries: 'entries.jsonl',
} as const;
export const KEYS_FORMAT = 'parley-keys/1';

/** The content of `keys.json`: by feed key (`stn_…` or `stn_…/aud_…`). */
export interface BundleKeys {
  format: typeof KEYS_FORMAT;
  stations: Record<string, { name: string; keys: KeyPeriod[] }>;
}

/** What one verified feed looks like. */
export interface FeedSummary {
  station: StationId;
  /** The audience of an audience feed, null for an identity feed. */
  audience: AudienceId | null;
  name: string;
  size: number;
  root: string;
  checkpoints: number;
  keys: number;
  /** Entries past the latest checkpoint (signed, but not yet covered by a signed tree head). */
  uncovered: number;
  /** The largest checkpoint of this feed cosigned by another feed in the bundle (0 if none). */
  witnessedSize: number;
  /** Stations whose cosignatures in the bundle cover part of this feed. */
  witnesses: string[];
  /** Entries past `witnessedSize`: no other station in the bundle vouches for them. */
  unwitnessed: number;
}

/** A reference or cosignature the bundle cannot check, because it lacks what it names. */
export interface Unresolved {
  file: string;
  line: number;
  /** The referring entry. */
  station: string;
  seq: number;
  /** The body field (`of`, `upTo`, …) or `cosignature`. */
  field: string;
  /** The feed and seq (or checkpoint size) it names. */
  target: string;
  targetSeq: number;
  reason: 'feed-absent' | 'beyond-feed';
}

/** Where and why verification failed: the first fault found. */
export interface VerifyFailure {
  code: ErrorCode;
  message: string;
  file: string;
  line?: number;
  station?: string;
  seq?: number;
}

/**
 * A validly signed and chained entry whose body fails the schema of its kind (§2.2): the log is
 * intact, but the entry is a protocol violation by its station, which readers leave out.
 */
export interface BodyViolationReport {
  code: 'PARLEY_E_ENTRY_BODY';
  message: string;
  file: string;
  line: number;
  station: string;
  audience: string | null;
  seq: number;
  kind: string;
  /** JSON pointer of the first failing field (`/body/agreement`). */
  path: string;
}

/** At most this many violations are listed (all are counted). */
export const MAX_VIOLATIONS_LISTED = 1000;

export interface VerifyOk {
  ok: true;
  /** The station that exported the bundle, by its signed manifest. */
  exporter: { station: string; key: string; ts: number; audience: string | null };
  feeds: FeedSummary[];
  entries: number;
  checkpoints: number;
  pinned: boolean;
  /** References and cosignatures naming entries or feeds the bundle does not hold. */
  unresolved: Unresolved[];
  /** Entries whose body fails its kind's schema, in file order (the first `MAX_VIOLATIONS_LISTED`). */
  violations: BodyViolationReport[];
  violationCount: number;
}

export type VerifyResult = VerifyOk | { ok: false; failure: VerifyFailure };

export interface VerifyBundleInput {
  /** Bytes of manifest.json. */
  manifest: Uint8Array;
  /** Bytes of keys.json. */
  keys: Uint8Array;
  /** Bytes of checkpoints.jsonl. */
  checkpoints: Uint8Array;
  /** Bytes of entries.jsonl, in any chunking (streamed). */
  entries: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Public keys the verifier trusts; when given, every feed's key chain must include one. */
  trustedKeys?: readonly PublicKeyB64[];
  /** Called every `progressEvery` entries with the count so far. */
  onProgress?: (entries: number) => void;
  progressEvery?: number;
}

export class BundleFault extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.message);
  }
}

export function fault(
  err: unknown,
  file: string,
  line?: number,
  station?: string,
  seq?: number,
): never {
  if (err instanceof BundleFault) throw err;
  if (!isParleyError(err)) throw err;
  const failure: VerifyFailure = { code: err.code, message: err.message, file };
  const ln = line ?? (err.details.line as number | undefined);
  if (ln !== undefined) failure.line = ln;
  const st = station ?? (err.details.station as string | undefined);
  const sq = seq ?? (err.details.seq as number | undefined);
  if (st !== undefined) failure.station = st;
  if (sq !== undefined) failure.seq = sq;
  throw new BundleFault(failure);
}

const KeyPeriodSchema = Type.Object(
  {
    key: Type.String(),
    from: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    to: Type.Union([Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()]),
  },
  { additionalProperties: false },
);
const KeysSchema = Type.Object(
  {
    format: Type.Literal(KEYS_FORMAT),
    stations: Type.Record(
      Type.String({ pattern: '^stn_[0-9a-f]{24}(/aud_[0-9a-f]{24})?$' }),
      Type.Object(
        { name: Type.String(), keys: Type.Array(KeyPeriodSchema) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const keysCheck = TypeCompiler.Compile(KeysSchema);

export function parseKeys(text: string): BundleKeys {
  const value = parseStrictJson(text, 'PARLEY_E_BUNDLE_KEYS', 'keys.json');
  if (!keysCheck.Check(value)) {
    const first = keysCheck.Errors(value).First();
    throw new ParleyError(
      'PARLEY_E_BUNDLE_KEYS',
      `keys.json is not of format ${KEYS_FORMAT}: ${first ? `${first.path || '/'}: ${first.message}` : 'malformed'}`,
      {},
    );
  }
  return value as BundleKeys;
}

/** Checks a feed that has ended against its checkpoints (§4) and keys.json, and sums it up. */
export function finishFeed(
  feed: FeedVerifier,
  list: { cp: Checkpoint; line: number }[],
  keys: BundleKeys,
): FeedSummary {
  // Check in file order first, so the reported line is the first bad one; then consistency in size order.
  for (const { cp, line } of list) {
    try {
      feed.checkCheckpoint(cp);
    } catch (err) {
      fault(err, BUNDLE_FILES.checkpoints, line, cp.station);
    }
  }
  const bySize = [...list].sort((a, b) => a.cp.size - b.cp.size || a.cp.ts - b.cp.ts);
  for (let i = 1; i < bySize.length; i++) {
    try {
      feed.checkConsistency(bySize[i - 1]!.cp, bySize[i]!.cp);
    } catch (err) {
      fault(err, BUNDLE_FILES.checkpoints, bySize[i]!.line, feed.station);
    }
  }
  const listed = keys.stations[feedKey(feed.station, feed.audience)];
  const same =
    listed !== undefined &&
    listed.name === feed.name &&
    Array.isArray(listed.keys) &&
    listed.keys.length === feed.keys.length &&
    listed.keys.every((k, i) => {
      const p = feed.keys[i]!;
      return k.key === p.key && k.from === p.from && k.to === p.to;
    });
  if (!same) {
    fault(
      new ParleyError(
        'PARLEY_E_BUNDLE_KEYS',
        `keys.json does not match the key chain in the feed of ${feed.station}: feed has ${JSON.stringify(feed.keys)}`,
        {},
      ),
      BUNDLE_FILES.keys,
      undefined,
      feed.station,
    );
  }
  const latest = bySize[bySize.length - 1]?.cp.size ?? 0;
  return {
    station: feed.station,
    audience: feed.audience,
    name: feed.name ?? '',
    size: feed.size,
    root: feed.rootHex(),
    checkpoints: list.length,
    keys: feed.keys.length,
    uncovered: feed.size - latest,
    witnessedSize: 0,
    witnesses: [],
    unwitnessed: feed.size,
  };
}
