import { isParleyError, ParleyError } from '@parley/core';
import type { ErrorCode, PublicKeyB64, StationId } from '@parley/core';
import { parseCheckpointLine } from './checkpoint.js';
import type { Checkpoint } from './checkpoint.js';
import { KIND, parseEntryLine } from './entry.js';
import { FeedVerifier } from './feed-verifier.js';
import type { KeyPeriod } from './feed-verifier.js';
import { feedKey } from './audience.js';
import type { AudienceId } from './audience.js';

/**
 * An exported bundle is a directory of three files:
 * - `entries.jsonl`: every entry of every feed, one per line, each feed contiguous and in seq order;
 * - `checkpoints.jsonl`: signed checkpoints, one per line, any order;
 * - `keys.json`: each feed's station name and key history, which must agree with the feed.
 * A feed is a station's identity feed or one of its audience feeds (`feedKey`).
 */
export const BUNDLE_FILES = {
  entries: 'entries.jsonl',
  checkpoints: 'checkpoints.jsonl',
  keys: 'keys.json',
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

export type VerifyResult =
  | { ok: true; feeds: FeedSummary[]; entries: number; checkpoints: number; pinned: boolean }
  | { ok: false; failure: VerifyFailure };

export interface VerifyBundleInput {
  /** Lines of entries.jsonl, in file order (a final empty line is ignored). */
  entryLines: AsyncIterable<string> | Iterable<string>;
  /** Lines of checkpoints.jsonl. */
  checkpointLines: Iterable<string>;
  /** Text of keys.json. */
  keysJson: string;
  /** Public keys the verifier trusts; when given, every feed's key chain must include one. */
  trustedKeys?: readonly PublicKeyB64[];
  /** Called every `progressEvery` entries with the count so far. */
  onProgress?: (entries: number) => void;
  progressEvery?: number;
}

class BundleFault extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.message);
  }
}

function fault(err: unknown, file: string, line?: number, station?: string, seq?: number): never {
  if (err instanceof BundleFault) throw err;
  if (!isParleyError(err)) throw err;
  const failure: VerifyFailure = { code: err.code, message: err.message, file };
  if (line !== undefined) failure.line = line;
  const st = station ?? (err.details.station as string | undefined);
  const sq = seq ?? (err.details.seq as number | undefined);
  if (st !== undefined) failure.station = st;
  if (sq !== undefined) failure.seq = sq;
  throw new BundleFault(failure);
}

function parseKeys(text: string): BundleKeys {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ParleyError(
      'PARLEY_E_BUNDLE_KEYS',
      // Never the parser's message: it quotes the text, which may be any file's (a symlink).
      `keys.json is not JSON (${(err as Error).name})`,
      {},
    );
  }
  const v = value as Partial<BundleKeys>;
  if (
    typeof v !== 'object' ||
    v === null ||
    v.format !== KEYS_FORMAT ||
    typeof v.stations !== 'object' ||
    v.stations === null
  ) {
    throw new ParleyError('PARLEY_E_BUNDLE_KEYS', `keys.json is not of format ${KEYS_FORMAT}`, {});
  }
  return v as BundleKeys;
}

/**
 * Verifies a bundle offline: every entry's signature, the hash chain, seq continuity, every
 * checkpoint's signature and root against the entries, consistency between successive
 * checkpoints, the key chain against keys.json, and (with `trustedKeys`) that each feed is
 * signed by a trusted key. Stops at the first fault and says where it is.
 */
export async function verifyBundle(input: VerifyBundleInput): Promise<VerifyResult> {
  try {
    return await verify(input);
  } catch (err) {
    if (err instanceof BundleFault) return { ok: false, failure: err.failure };
    throw err;
  }
}

async function verify(input: VerifyBundleInput): Promise<VerifyResult> {
  let keys: BundleKeys;
  try {
    keys = parseKeys(input.keysJson);
  } catch (err) {
    fault(err, BUNDLE_FILES.keys);
  }

  // Checkpoints are few; read them all first, grouped by station, keeping their line numbers.
  const checkpoints = new Map<string, { cp: Checkpoint; line: number }[]>();
  let cpLine = 0;
  let cpCount = 0;
  for (const text of input.checkpointLines) {
    cpLine++;
    if (text === '') continue;
    let cp: Checkpoint;
    try {
      cp = parseCheckpointLine(text);
    } catch (err) {
      fault(err, BUNDLE_FILES.checkpoints, cpLine);
    }
    cpCount++;
    const key = feedKey(cp.station, cp.audience);
    const list = checkpoints.get(key) ?? [];
    list.push({ cp, line: cpLine });
    checkpoints.set(key, list);
  }

  const feeds: FeedSummary[] = [];
  const seen = new Set<string>();
  let feed: FeedVerifier | undefined;
  let lineNo = 0;
  let pendingBlank = 0;
  const every = input.progressEvery ?? 1000;

  const verifiers = new Map<string, FeedVerifier>();
  // Witness cosignatures found in any feed: each embeds another station's checkpoint.
  const cosigned: { cp: Checkpoint; line: number; witness: string; seq: number }[] = [];
  // Emergency rotations (§2.2) are let through while streaming and settled at the end: each needs
  // a `key-repin` of that station and key in another station's feed, or the key given with --key.
  const emergencies: { station: string; key: string; line: number; seq: number }[] = [];
  const repins = new Set<string>();
  const finish = (f: FeedVerifier) => {
    const key = feedKey(f.station, f.audience);
    verifiers.set(key, f);
    feeds.push(finishFeed(f, checkpoints.get(key) ?? [], keys));
  };

  for await (const text of input.entryLines) {
    lineNo++;
    if (text === '') {
      pendingBlank = lineNo;
      continue;
    }
    if (pendingBlank)
      fault(
        new ParleyError('PARLEY_E_BUNDLE_LINE', 'empty line inside entries.jsonl', {}),
        BUNDLE_FILES.entries,
        pendingBlank,
      );
    let station: string | undefined;
    let seq: number | undefined;
    try {
      const entry = parseEntryLine(text);
      station = entry.station;
      seq = entry.seq;
      const key = feedKey(entry.station, entry.audience);
      if (!feed || feedKey(feed.station, feed.audience) !== key) {
        if (feed) finish(feed);
        if (seen.has(key)) {
          throw new ParleyError(
            'PARLEY_E_BUNDLE_FEED_SPLIT',
            `entries of feed ${key} appear in two separate runs`,
            {},
          );
        }
        seen.add(key);
        feed = new FeedVerifier(
          entry.station as StationId,
          (entry.audience ?? null) as AudienceId | null,
        );
        const at = lineNo;
        feed.acceptEmergency = (k, s) => {
          emergencies.push({ station: entry.station, key: k, line: at + s - 1, seq: s });
          return true;
        };
      }
      feed.push(entry);
      if (entry.kind === KIND.keyRepin && typeof entry.body.station === 'string')
        repins.add(`${entry.station} ${entry.body.station} ${String(entry.body.key)}`);
      if (entry.kind === KIND.cosignature) {
        cosigned.push({
          cp: parseCheckpointLine(JSON.stringify(entry.body)),
          line: lineNo,
          witness: entry.station,
          seq: entry.seq,
        });
      }
    } catch (err) {
      fault(err, BUNDLE_FILES.entries, lineNo, station, seq);
    }
    if (input.onProgress && lineNo % every === 0) input.onProgress(lineNo);
  }
  if (feed) finish(feed);
  if (input.onProgress) input.onProgress(lineNo);

  for (const [key, list] of checkpoints) {
    if (!seen.has(key)) {
      const first = list[0]!;
      fault(
        new ParleyError(
          'PARLEY_E_CHECKPOINT_BEYOND_FEED',
          `checkpoint of feed ${key} has no entries in the bundle`,
          {},
        ),
        BUNDLE_FILES.checkpoints,
        first.line,
        first.cp.station,
      );
    }
  }
  for (const key of Object.keys(keys.stations)) {
    if (!seen.has(key)) {
      fault(
        new ParleyError(
          'PARLEY_E_BUNDLE_KEYS',
          `keys.json lists feed ${key}, which has no entries`,
          {},
        ),
        BUNDLE_FILES.keys,
        undefined,
        key.split('/')[0],
      );
    }
  }
  if (feeds.length === 0) {
    fault(
      new ParleyError('PARLEY_E_BUNDLE_EMPTY', 'the bundle holds no entries', {}),
      BUNDLE_FILES.entries,
    );
  }

  // A cosigned checkpoint must hold against the cosigned feed as the bundle has it: this is
  // what catches a station that truncated or rewrote its own feed after its peer witnessed it.
  const witnessed = new Map<string, number>();
  for (const c of cosigned) {
    const target = verifiers.get(feedKey(c.cp.station, c.cp.audience));
    if (!target) continue;
    try {
      target.checkCheckpoint(c.cp);
    } catch (err) {
      const e = err as ParleyError;
      fault(
        new ParleyError(e.code, `cosignature by ${c.witness}: ${e.message}`, {}),
        BUNDLE_FILES.entries,
        c.line,
        c.witness,
        c.seq,
      );
    }
    const key = feedKey(c.cp.station, c.cp.audience);
    witnessed.set(key, Math.max(witnessed.get(key) ?? 0, c.cp.size));
  }
  for (const f of feeds) f.witnessedSize = witnessed.get(feedKey(f.station, f.audience)) ?? 0;

  const trusted = input.trustedKeys ?? [];
  for (const e of emergencies) {
    const repinned = [...repins].some((r) => {
      const [by, station, key] = r.split(' ');
      return by !== e.station && station === e.station && key === e.key;
    });
    if (!repinned && !trusted.includes(e.key as PublicKeyB64)) {
      fault(
        new ParleyError(
          'PARLEY_E_KEY_REPIN_REQUIRED',
          `seq ${e.seq} is an emergency rotation onto ${e.key}, which no key-repin entry of another feed in the bundle names and --key does not give`,
          {},
        ),
        BUNDLE_FILES.entries,
        e.line,
        e.station,
        e.seq,
      );
    }
  }
  if (trusted.length > 0) {
    for (const f of feeds) {
      const chain = keys.stations[feedKey(f.station, f.audience)]!.keys.map((k) => k.key);
      if (!chain.some((k) => trusted.includes(k))) {
        fault(
          new ParleyError(
            'PARLEY_E_BUNDLE_UNTRUSTED_KEY',
            `station ${f.station} (${f.name}) is signed by ${chain.join(', ')}, none of them given with --key`,
            {},
          ),
          BUNDLE_FILES.keys,
          undefined,
          f.station,
        );
      }
    }
  }
  return {
    ok: true,
    feeds,
    entries: feeds.reduce((n, f) => n + f.size, 0),
    checkpoints: cpCount,
    pinned: trusted.length > 0,
  };
}

function finishFeed(
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
  };
}
