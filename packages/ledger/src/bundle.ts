import { checkBody, isParleyError, ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import { parseCheckpointLine } from './checkpoint.js';
import type { Checkpoint } from './checkpoint.js';
import { KIND, parseEntryLine } from './entry.js';
import { FeedVerifier } from './feed-verifier.js';
import { feedKey, parseFeedKey } from './audience.js';
import type { AudienceId } from './audience.js';
import { framedLines, utf8Text } from './bundle-framing.js';
import { checkManifest, parseManifest } from './bundle-manifest.js';
import type { Manifest } from './bundle-manifest.js';
import { entryRefs } from './bundle-refs.js';
import type { EntryRefClaim } from './bundle-refs.js';
import { BUNDLE_FILES, BundleFault, fault, finishFeed, parseKeys } from './bundle-format.js';
import { MAX_VIOLATIONS_LISTED } from './bundle-format.js';
import type {
  BodyViolationReport,
  BundleKeys,
  FeedSummary,
  Unresolved,
  VerifyBundleInput,
  VerifyResult,
} from './bundle-format.js';
import { bytesEqual, fromHex } from './hash.js';
import { leafHash } from './merkle.js';

/**
 * Verifies a bundle offline, in the order PROTOCOL.md §5.3 gives: manifest.json and keys.json
 * parsed, checkpoints.jsonl read, entries.jsonl streamed through the feed rules (§2.3) with each
 * feed's checkpoints (§4) and key history checked as it ends, then the bundle-wide checks:
 * cosignatures, references, emergency rotations, trusted keys, the manifest, completeness.
 * Stops at the first fault and says where it is.
 */
export async function verifyBundle(input: VerifyBundleInput): Promise<VerifyResult> {
  try {
    return await verify(input);
  } catch (err) {
    if (err instanceof BundleFault) return { ok: false, failure: err.failure };
    throw err;
  }
}

interface Pending {
  line: number;
  station: string;
  seq: number;
}

async function verify(input: VerifyBundleInput): Promise<VerifyResult> {
  let manifest: Manifest;
  try {
    manifest = parseManifest(
      utf8Text(input.manifest, 'PARLEY_E_BUNDLE_MANIFEST', BUNDLE_FILES.manifest),
    );
  } catch (err) {
    fault(err, BUNDLE_FILES.manifest);
  }
  let keys: BundleKeys;
  try {
    keys = parseKeys(utf8Text(input.keys, 'PARLEY_E_BUNDLE_KEYS', BUNDLE_FILES.keys));
  } catch (err) {
    fault(err, BUNDLE_FILES.keys);
  }

  // Checkpoints are few; read them all first, grouped by feed, keeping their line numbers.
  const checkpoints = new Map<string, { cp: Checkpoint; line: number }[]>();
  let cpCount = 0;
  let cpLine: number | undefined;
  try {
    for await (const { line, text } of framedLines([input.checkpoints], BUNDLE_FILES.checkpoints)) {
      cpLine = line;
      const cp = parseCheckpointLine(text);
      cpCount++;
      const key = feedKey(cp.station, cp.audience);
      const list = checkpoints.get(key) ?? [];
      list.push({ cp, line });
      checkpoints.set(key, list);
    }
  } catch (err) {
    fault(
      err,
      BUNDLE_FILES.checkpoints,
      isParleyError(err, 'PARLEY_E_BUNDLE_LINE') ? undefined : cpLine,
    );
  }

  const feeds: FeedSummary[] = [];
  const seen = new Set<string>();
  let feed: FeedVerifier | undefined;
  let lineNo = 0;
  const every = input.progressEvery ?? 1000;

  const verifiers = new Map<string, FeedVerifier>();
  // Witness cosignatures found in any feed: each embeds another station's checkpoint.
  const cosigned: (Pending & { cp: Checkpoint })[] = [];
  // References to other entries (§2.2 refs, delivered receipts), checked once every feed is read.
  const refs: (Pending & { ref: EntryRefClaim })[] = [];
  // Emergency rotations (§2.2) are let through while streaming and settled at the end: each needs
  // a `key-repin` of that station and key in another station's feed, or the key given with --key.
  const emergencies: (Pending & { key: string })[] = [];
  const repins = new Set<string>();
  const violations: BodyViolationReport[] = [];
  let violationCount = 0;
  const finish = (f: FeedVerifier) => {
    const key = feedKey(f.station, f.audience);
    verifiers.set(key, f);
    feeds.push(finishFeed(f, checkpoints.get(key) ?? [], keys));
  };

  let station: string | undefined;
  let seq: number | undefined;
  try {
    for await (const framed of framedLines(input.entries, BUNDLE_FILES.entries)) {
      lineNo = framed.line;
      const entry = parseEntryLine(framed.text);
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
        const st = entry.station;
        feed.acceptEmergency = (k, s) => {
          emergencies.push({ station: st, key: k, line: at + s - 1, seq: s });
          return true;
        };
      }
      feed.push(entry);
      const here = { line: lineNo, station: entry.station, seq: entry.seq };
      const bad = checkBody(entry);
      if (bad && violationCount++ < MAX_VIOLATIONS_LISTED)
        violations.push({
          code: 'PARLEY_E_ENTRY_BODY',
          message: `${entry.kind} body fails its schema at ${bad.path}: ${bad.message}`,
          file: BUNDLE_FILES.entries,
          line: lineNo,
          station: entry.station,
          audience: entry.audience ?? null,
          seq: entry.seq,
          kind: entry.kind,
          path: bad.path,
        });
      // Only a conforming body changes what verification believes (re-pins, cosignatures).
      if (!bad && entry.kind === KIND.keyRepin)
        repins.add(`${entry.station} ${String(entry.body.station)} ${String(entry.body.key)}`);
      if (!bad && entry.kind === KIND.cosignature)
        cosigned.push({ ...here, cp: parseCheckpointLine(JSON.stringify(entry.body)) });
      for (const ref of entryRefs(entry)) refs.push({ ...here, ref });
      if (input.onProgress && lineNo % every === 0) input.onProgress(lineNo);
      station = undefined;
      seq = undefined;
    }
  } catch (err) {
    fault(
      err,
      BUNDLE_FILES.entries,
      isParleyError(err, 'PARLEY_E_BUNDLE_LINE') ? undefined : lineNo,
      station,
      seq,
    );
  }
  if (feed) finish(feed);
  if (input.onProgress) input.onProgress(lineNo);

  if (feeds.length === 0) {
    fault(
      new ParleyError('PARLEY_E_BUNDLE_EMPTY', 'the bundle holds no entries', {}),
      BUNDLE_FILES.entries,
    );
  }
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

  const exporter = manifest.exporter;
  const unresolved: Unresolved[] = [];
  // A cosigned checkpoint must hold against the cosigned feed as the bundle has it: this is
  // what catches a station that truncated or rewrote its own feed after its peer witnessed it.
  const witnessed = new Map<string, { size: number; by: Set<string> }>();
  for (const c of cosigned) {
    const key = feedKey(c.cp.station, c.cp.audience);
    const target = verifiers.get(key);
    if (!target) {
      if (c.station === exporter)
        fault(
          new ParleyError(
            'PARLEY_E_BUNDLE_INCOMPLETE',
            `the exporter cosigned feed ${key} at size ${c.cp.size}, and the bundle does not hold that feed`,
            {},
          ),
          BUNDLE_FILES.entries,
          c.line,
          c.station,
          c.seq,
        );
      unresolved.push({
        file: BUNDLE_FILES.entries,
        line: c.line,
        station: c.station,
        seq: c.seq,
        field: 'cosignature',
        target: key,
        targetSeq: c.cp.size,
        reason: 'feed-absent',
      });
      continue;
    }
    try {
      target.checkCheckpoint(c.cp);
    } catch (err) {
      const e = err as ParleyError;
      fault(
        new ParleyError(e.code, `cosignature by ${c.station}: ${e.message}`, {}),
        BUNDLE_FILES.entries,
        c.line,
        c.station,
        c.seq,
      );
    }
    const w = witnessed.get(key) ?? { size: 0, by: new Set<string>() };
    w.size = Math.max(w.size, c.cp.size);
    w.by.add(c.station);
    witnessed.set(key, w);
  }
  for (const f of feeds) {
    const w = witnessed.get(feedKey(f.station, f.audience));
    f.witnessedSize = w?.size ?? 0;
    f.witnesses = w ? [...w.by].sort() : [];
    f.unwitnessed = f.size - f.witnessedSize;
  }

  for (const { ref: r, ...at } of refs) {
    const target = verifiers.get(r.feed);
    if (target && r.seq <= target.size) {
      const named = fromHex(r.hash)!;
      if (!bytesEqual(leafHash(named), target.tree.leafHashAt(r.seq - 1)))
        fault(
          new ParleyError(
            'PARLEY_E_REF_HASH',
            `body.${r.field} names seq ${r.seq} of feed ${r.feed} with hash ${r.hash}, which is not that entry's hash`,
            {},
          ),
          BUNDLE_FILES.entries,
          at.line,
          at.station,
          at.seq,
        );
      continue;
    }
    if (target && parseFeedKey(r.feed).station === exporter)
      fault(
        new ParleyError(
          'PARLEY_E_BUNDLE_INCOMPLETE',
          `body.${r.field} names seq ${r.seq} of the exporter's feed ${r.feed}, which holds ${target.size} entries in the bundle`,
          {},
        ),
        BUNDLE_FILES.entries,
        at.line,
        at.station,
        at.seq,
      );
    unresolved.push({
      file: BUNDLE_FILES.entries,
      line: at.line,
      station: at.station,
      seq: at.seq,
      field: r.field,
      target: r.feed,
      targetSeq: r.seq,
      reason: target ? 'beyond-feed' : 'feed-absent',
    });
  }

  const trusted = input.trustedKeys ?? [];
  for (const e of emergencies) {
    const repinned = [...repins].some((r) => {
      const [by, st, key] = r.split(' ');
      return by !== e.station && st === e.station && key === e.key;
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
      if (!chain.some((k) => trusted.includes(k as PublicKeyB64))) {
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

  try {
    checkManifest(
      manifest,
      feeds.map((f) => {
        const key = feedKey(f.station, f.audience);
        return {
          feed: key,
          station: f.station,
          audience: f.audience,
          size: f.size,
          root: f.root,
          checkpoints: f.checkpoints,
          currentKey: verifiers.get(key)!.currentKey,
        };
      }),
    );
  } catch (err) {
    fault(err, BUNDLE_FILES.manifest, undefined, exporter);
  }
  // The exporter signs a checkpoint of each of its feeds at export (§5.1): without one, the
  // checkpoints were lost on the way and nothing here is vouched for by its own signed head.
  for (const f of feeds) {
    if (f.station !== exporter || f.uncovered === 0) continue;
    fault(
      new ParleyError(
        'PARLEY_E_BUNDLE_INCOMPLETE',
        `the exporter's feed ${feedKey(f.station, f.audience)} holds ${f.size} entries, and no checkpoint covers them all (latest covers ${f.size - f.uncovered})`,
        {},
      ),
      BUNDLE_FILES.checkpoints,
      undefined,
      f.station,
    );
  }

  return {
    ok: true,
    exporter: {
      station: exporter,
      key: manifest.key,
      ts: manifest.ts,
      audience: manifest.audience ?? null,
    },
    feeds,
    entries: feeds.reduce((n, f) => n + f.size, 0),
    checkpoints: cpCount,
    pinned: trusted.length > 0,
    unresolved,
    violations,
    violationCount,
  };
}
