// Builds the published negative vectors (docs/test-vectors/negative-v1.json): for each code
// `parley verify` can emit, a minimal bundle that must be refused with it. Deterministic (fixed
// seeds and times). `scripts/write-test-vectors.ts` writes the file; the store's
// negative-vectors.test.ts checks that the code reproduces it and runs every case through
// `verifyBundleDir` on real files.
import type { ErrorCode } from '@parley/core';
import {
  KIND,
  audienceId,
  rotationProofBytes,
  sealEntry,
  signCheckpoint,
  stationIdFromKey,
  toBase64Url,
} from '@parley/ledger';
import type { UnsignedEntry } from '@parley/ledger';
import { FeedBuilder, T0, bundleOf, seedSigner } from './bundle-builder.js';
import type { BundleText } from './bundle-builder.js';

/** A file's content: text, or raw bytes as base64 (for bytes that are not UTF-8). */
export type FileContent = string | { base64: string };

export interface NegativeCase {
  name: string;
  /** Files of the bundle directory; a file not listed is absent. */
  files: Partial<Record<keyof typeof FILE_NAMES, FileContent>>;
  /** Keys given with --key. */
  trusted_keys?: string[];
  expect: { code: ErrorCode; file: string; line?: number } | { ok: true };
}

const FILE_NAMES = {
  'manifest.json': true,
  'keys.json': true,
  'checkpoints.jsonl': true,
  'entries.jsonl': true,
} as const;

const alphaKey = seedSigner('parley negative vector alpha');
const alphaNext = seedSigner('parley negative vector alpha next');
const bravoKey = seedSigner('parley negative vector bravo');

function files(b: BundleText): NegativeCase['files'] {
  return {
    'manifest.json': b.manifest,
    'keys.json': b.keys,
    'checkpoints.jsonl': b.checkpoints,
    'entries.jsonl': b.entries,
  };
}

/** Alpha's identity feed of 3 entries with a checkpoint at its head, exported by Alpha. */
function alpha(): FeedBuilder {
  const a = new FeedBuilder('Alpha', alphaKey);
  a.message('one');
  a.message('two');
  return a;
}

const lines = (text: string) => text.split('\n').slice(0, -1);
const join = (ls: string[]) => ls.map((l) => l + '\n').join('');

/** Replaces entry line `n` (1-based) of a bundle's entries. */
function withEntryLine(b: BundleText, n: number, line: string): BundleText {
  const ls = lines(b.entries);
  ls[n - 1] = line;
  return { ...b, entries: join(ls) };
}

/** The line of an unsigned entry sealed by `signer` (validly signed, wrong in another way). */
const sealed = (u: UnsignedEntry, signer = alphaKey) => sealEntry(u, signer).line;

export function makeNegativeVectors() {
  const cases: NegativeCase[] = [];
  const add = (
    name: string,
    b: BundleText | NegativeCase['files'],
    expect: NegativeCase['expect'],
    trusted?: string[],
  ) => {
    const f = 'manifest' in b && typeof b.manifest === 'string' ? files(b as BundleText) : b;
    cases.push({
      name,
      files: f as NegativeCase['files'],
      ...(trusted ? { trusted_keys: trusted } : {}),
      expect,
    });
  };
  const a = alpha();
  a.checkpoint();
  const base = bundleOf([a], a);
  add('the base bundle (valid)', base, { ok: true }, [alphaKey.publicKey]);

  // Files and framing (§5.1)
  for (const missing of Object.keys(FILE_NAMES) as (keyof typeof FILE_NAMES)[]) {
    const f = files(base);
    delete f[missing];
    add(`${missing} missing`, f, { code: 'PARLEY_E_BUNDLE_MISSING_FILE', file: missing });
  }
  add(
    'entries.jsonl empty',
    { ...base, entries: '' },
    { code: 'PARLEY_E_BUNDLE_EMPTY', file: 'entries.jsonl' },
  );
  add(
    'manifest.json empty',
    { ...base, manifest: '' },
    { code: 'PARLEY_E_BUNDLE_MANIFEST', file: 'manifest.json' },
  );
  add(
    'keys.json empty',
    { ...base, keys: '' },
    { code: 'PARLEY_E_BUNDLE_KEYS', file: 'keys.json' },
  );
  add(
    'checkpoints.jsonl empty: the exporter feed has no checkpoint at its head',
    { ...base, checkpoints: '' },
    { code: 'PARLEY_E_BUNDLE_MANIFEST', file: 'manifest.json' },
  );
  add(
    'a blank line between entries',
    { ...base, entries: base.entries.replace('\n', '\n\n') },
    { code: 'PARLEY_E_BUNDLE_LINE', file: 'entries.jsonl', line: 2 },
  );
  add(
    'CRLF line ends',
    { ...base, entries: base.entries.replaceAll('\n', '\r\n') },
    { code: 'PARLEY_E_BUNDLE_LINE', file: 'entries.jsonl', line: 1 },
  );
  add(
    'no LF after the last line',
    { ...base, entries: base.entries.slice(0, -1) },
    { code: 'PARLEY_E_BUNDLE_LINE', file: 'entries.jsonl', line: 3 },
  );
  add(
    'a blank line in checkpoints.jsonl',
    { ...base, checkpoints: '\n' + base.checkpoints },
    { code: 'PARLEY_E_BUNDLE_LINE', file: 'checkpoints.jsonl', line: 1 },
  );
  {
    const f = files(base);
    const bytes = Buffer.from(base.entries, 'utf8');
    // Entry 2's text starts "one"… no: put a lone 0xFF byte inside line 2's message text.
    const at = bytes.indexOf(Buffer.from('"one"')) + 1;
    bytes[at] = 0xff;
    f['entries.jsonl'] = { base64: bytes.toString('base64') };
    add('bytes that are not UTF-8', f, {
      code: 'PARLEY_E_BUNDLE_LINE',
      file: 'entries.jsonl',
      line: 2,
    });
  }

  // Strict JSON (§0)
  const l2 = lines(base.entries)[1]!;
  add(
    'a duplicate member name in an entry body',
    withEntryLine(base, 2, l2.replace('"body":{', '"body":{"text":"hidden",')),
    { code: 'PARLEY_E_JSON_DUPLICATE_NAME', file: 'entries.jsonl', line: 2 },
  );
  add('seq written as 2e0', withEntryLine(base, 2, l2.replace('"seq":2', '"seq":2e0')), {
    code: 'PARLEY_E_JSON_NUMBER',
    file: 'entries.jsonl',
    line: 2,
  });
  {
    const b = alpha();
    const u = b.next(
      KIND.message,
      { precedence: 'ROUTINE', text: 'big', n: 9007199254740992 },
      'ops',
    );
    const line = sealed(u).replace('9007199254740992', '9007199254740993');
    add('2^53 + 1 in a body (a double cannot hold it)', withEntryLine(base, 3, line), {
      code: 'PARLEY_E_JSON_NUMBER',
      file: 'entries.jsonl',
      line: 3,
    });
  }
  {
    let deep: unknown = 0;
    for (let i = 0; i < 63; i++) deep = [deep];
    const b = alpha();
    // entry object (1) + body (2) + 63 arrays = 65 levels
    const line = sealed(b.next(KIND.message, { precedence: 'ROUTINE', text: 'x' }, 'ops')).replace(
      '"text":"x"',
      `"text":"x","deep":${JSON.stringify(deep)}`,
    );
    add('nesting of 65 levels', withEntryLine(base, 3, line), {
      code: 'PARLEY_E_JSON_TOO_DEEP',
      file: 'entries.jsonl',
      line: 3,
    });
  }
  add(
    'a lone surrogate escape in a string',
    withEntryLine(base, 2, l2.replace('"one"', '"\\ud800"')),
    { code: 'PARLEY_E_CANONICAL_JSON', file: 'entries.jsonl', line: 2 },
  );

  // Entries (§2, §2.3)
  add('an entry line that is not JSON', withEntryLine(base, 2, l2.slice(0, -1)), {
    code: 'PARLEY_E_ENTRY_MALFORMED',
    file: 'entries.jsonl',
    line: 2,
  });
  {
    // Sealed small, then grown: the size check comes before anything else, signature included.
    const b = alpha();
    const u = b.next(KIND.message, { precedence: 'ROUTINE', text: '€' }, 'ops');
    const line = sealed(u).replace('"text":"€"', `"text":"${'€'.repeat(22_000)}"`);
    add('a line of 66,000 UTF-8 bytes (22,000 UTF-16 units)', withEntryLine(base, 3, line), {
      code: 'PARLEY_E_ENTRY_TOO_LARGE',
      file: 'entries.jsonl',
      line: 3,
    });
  }
  {
    // The first two entries of alpha(), so the next one is seq 3 after them.
    const b = new FeedBuilder('Alpha', alphaKey);
    b.message('one');
    const u = b.next(KIND.message, { precedence: 'ROUTINE', text: 'late' }, 'ops');
    add('ts past 8.64e15', withEntryLine(base, 3, sealed({ ...u, ts: 8_640_000_000_000_001 })), {
      code: 'PARLEY_E_ENTRY_MALFORMED',
      file: 'entries.jsonl',
      line: 3,
    });
    add('v = 2', withEntryLine(base, 3, sealed({ ...u, v: 2 as 1 })), {
      code: 'PARLEY_E_ENTRY_VERSION',
      file: 'entries.jsonl',
      line: 3,
    });
    add('ts before the previous entry', withEntryLine(base, 3, sealed({ ...u, ts: T0 })), {
      code: 'PARLEY_E_ENTRY_TIME',
      file: 'entries.jsonl',
      line: 3,
    });
    add('seq skips one', withEntryLine(base, 3, sealed({ ...u, seq: 4 })), {
      code: 'PARLEY_E_ENTRY_SEQ',
      file: 'entries.jsonl',
      line: 3,
    });
    add(
      'prev is not the hash of the entry before',
      withEntryLine(base, 3, sealed({ ...u, prev: '1'.repeat(64) })),
      {
        code: 'PARLEY_E_ENTRY_PREV_HASH',
        file: 'entries.jsonl',
        line: 3,
      },
    );
    add('signed by another key', withEntryLine(base, 3, sealed(u, bravoKey)), {
      code: 'PARLEY_E_ENTRY_SIGNATURE',
      file: 'entries.jsonl',
      line: 3,
    });
    const genesis2 = b.next(KIND.genesis, { name: 'Alpha', key: alphaKey.publicKey });
    add(
      'a second genesis at seq 2',
      withEntryLine(base, 2, sealed({ ...genesis2, seq: 2, prev: b.entries[0]!.hash })),
      {
        code: 'PARLEY_E_GENESIS',
        file: 'entries.jsonl',
        line: 2,
      },
    );
    add(
      'a key rotation whose new key did not sign the proof',
      withEntryLine(
        base,
        3,
        sealed(
          b.next(KIND.keyRotation, {
            next: alphaNext.publicKey,
            proof: toBase64Url(new Uint8Array(64)),
          }),
        ),
      ),
      { code: 'PARLEY_E_KEY_ROTATION', file: 'entries.jsonl', line: 3 },
    );
  }
  {
    const g = new FeedBuilder('Alpha', alphaKey);
    const first = g.entries[0]!.entry;
    const { sig: _sig, ...u } = first;
    add(
      'seq 1 is not a genesis',
      withEntryLine(
        base,
        1,
        sealed({
          ...u,
          kind: KIND.message,
          body: { precedence: 'ROUTINE', text: 'x' },
          channel: 'ops',
        }),
      ),
      { code: 'PARLEY_E_GENESIS', file: 'entries.jsonl', line: 1 },
    );
  }
  moreCases(add);
  return { description: DESCRIPTION, cases };
}

const DESCRIPTION =
  'Parley negative vectors v1 (PROTOCOL.md §6): each case is a bundle directory (files not listed are absent; {"base64": …} for bytes that are not UTF-8) that `parley verify` must refuse with expect.code, reported at expect.file (and expect.line when given); trusted_keys are the --key arguments. The first case is valid.';

type Add = (
  name: string,
  b: BundleText | NegativeCase['files'],
  expect: NegativeCase['expect'],
  trusted?: string[],
) => void;

function moreCases(add: Add): void {
  const a = alpha();
  a.checkpoint();
  const base = bundleOf([a], a);
  const cps = lines(base.checkpoints);
  const cp = JSON.parse(cps[0]!) as Record<string, unknown>;
  const cpLine = (c: Record<string, unknown>) => ({
    ...base,
    checkpoints: JSON.stringify(c) + '\n',
  });

  // Checkpoints (§4)
  add('a checkpoint without its sig', cpLine({ ...cp, sig: undefined }), {
    code: 'PARLEY_E_CHECKPOINT_MALFORMED',
    file: 'checkpoints.jsonl',
    line: 1,
  });
  add(
    'a checkpoint with size 1e0',
    { ...base, checkpoints: JSON.stringify(cp).replace('"size":3', '"size":3.0') + '\n' },
    {
      code: 'PARLEY_E_JSON_NUMBER',
      file: 'checkpoints.jsonl',
      line: 1,
    },
  );
  add('a checkpoint past the feed', cpLine({ ...cp, size: 4 }), {
    code: 'PARLEY_E_CHECKPOINT_BEYOND_FEED',
    file: 'checkpoints.jsonl',
    line: 1,
  });
  add('a checkpoint with another signature', cpLine({ ...cp, ts: (cp.ts as number) + 1 }), {
    code: 'PARLEY_E_CHECKPOINT_SIGNATURE',
    file: 'checkpoints.jsonl',
    line: 1,
  });
  {
    const wrong = alpha();
    wrong.checkpoints.length = 0;
    // validly signed by Alpha over a root that is not its entries'
    const forged = signCheckpoint(wrong.station, 3, '00'.repeat(32), T0 + 5, alphaKey);
    add('a checkpoint over the wrong root', cpLine(forged as unknown as Record<string, unknown>), {
      code: 'PARLEY_E_CHECKPOINT_ROOT',
      file: 'checkpoints.jsonl',
      line: 1,
    });
  }
  // Bundle structure (§5)
  const bravo = new FeedBuilder('Bravo', bravoKey);
  bravo.message('b1');
  bravo.checkpoint();
  const two = bundleOf([a, bravo], a);
  {
    // Bravo's feed in two runs around Alpha's; its checkpoint covers only the first run.
    const b2 = new FeedBuilder('Bravo', bravoKey);
    b2.message('b1');
    b2.checkpoint(1);
    const split = bundleOf([b2, a], a);
    const ls = lines(split.entries);
    add(
      'a feed in two separate runs',
      { ...split, entries: join([ls[0]!, ls[2]!, ls[3]!, ls[4]!, ls[1]!]) },
      {
        code: 'PARLEY_E_BUNDLE_FEED_SPLIT',
        file: 'entries.jsonl',
        line: 5,
      },
    );
  }
  add(
    'keys.json hiding a key period',
    { ...base, keys: base.keys.replace('"to": null', '"to": 9') },
    {
      code: 'PARLEY_E_BUNDLE_KEYS',
      file: 'keys.json',
    },
  );
  add(
    'keys.json with a duplicate member name',
    { ...base, keys: base.keys.replace('{\n  "format"', '{\n  "format": "x",\n  "format"') },
    {
      code: 'PARLEY_E_JSON_DUPLICATE_NAME',
      file: 'keys.json',
    },
  );
  add(
    'a feed signed by no --key',
    base,
    { code: 'PARLEY_E_BUNDLE_UNTRUSTED_KEY', file: 'keys.json' },
    [bravoKey.publicKey],
  );
  add(
    'the manifest signed by another key',
    {
      ...base,
      manifest: base.manifest.replace(/"ts": (\d+)/, (_m, t: string) => `"ts": ${Number(t) + 1}`),
    },
    {
      code: 'PARLEY_E_BUNDLE_MANIFEST',
      file: 'manifest.json',
    },
  );
  {
    const ls = lines(two.entries);
    add(
      "the peer's whole feed dropped (the manifest names it)",
      {
        ...two,
        entries: join(ls.slice(0, 3)),
        checkpoints: lines(two.checkpoints)[0]! + '\n',
        keys: base.keys,
      },
      { code: 'PARLEY_E_BUNDLE_MANIFEST', file: 'manifest.json' },
    );
  }
  {
    const short = alpha();
    short.checkpoint(2);
    add('an exporter feed past its latest checkpoint', bundleOf([short], short), {
      code: 'PARLEY_E_BUNDLE_INCOMPLETE',
      file: 'checkpoints.jsonl',
    });
  }
  {
    // Audience feeds: Alpha cosigns Bravo's feed, and the bundle (manifest included) leaves it out.
    const aud = audienceId([a.station, bravo.station].sort());
    const members = [a.station, bravo.station].sort();
    const ba = new FeedBuilder('Bravo', bravoKey, aud, members);
    ba.message('hello');
    const bcp = ba.checkpoint();
    const aa = new FeedBuilder('Alpha', alphaKey, aud, members);
    aa.add(KIND.cosignature, { ...bcp });
    aa.checkpoint();
    add('the exporter cosigns a feed the bundle does not hold', bundleOf([aa], aa), {
      code: 'PARLEY_E_BUNDLE_INCOMPLETE',
      file: 'entries.jsonl',
      line: 2,
    });
    // Bravo's delivered receipt names Alpha's seq 2 with the hash of seq 1.
    const ab = new FeedBuilder('Alpha', alphaKey, aud, members);
    ab.message('to bravo');
    ab.checkpoint();
    const br = new FeedBuilder('Bravo', bravoKey, aud, members);
    br.add(KIND.receipt, {
      level: 'delivered',
      station: ab.station,
      upTo: 2,
      hash: ab.entries[0]!.hash,
    });
    br.checkpoint();
    add('a delivered receipt naming the wrong hash', bundleOf([ab, br], ab), {
      code: 'PARLEY_E_REF_HASH',
      file: 'entries.jsonl',
      line: 4,
    });
    const wrongMembers = new FeedBuilder(
      'Alpha',
      alphaKey,
      aud,
      [a.station, seedStation('x')].sort(),
    );
    wrongMembers.checkpoint();
    add(
      'an audience genesis whose members do not make its audience',
      bundleOf([wrongMembers], wrongMembers),
      {
        code: 'PARLEY_E_AUDIENCE',
        file: 'entries.jsonl',
        line: 1,
      },
    );
  }
  {
    // An emergency rotation (signed by the new key) with no key-repin anywhere and no --key.
    const e = alpha();
    const seq = e.size + 1;
    const proof = toBase64Url(
      alphaNext.sign(rotationProofBytes(e.station, seq, alphaNext.publicKey)),
    );
    e.signer = alphaNext;
    e.add(KIND.keyRotation, { next: alphaNext.publicKey, proof, emergency: true });
    e.checkpoint();
    add('an emergency rotation nobody re-pinned', bundleOf([e], e), {
      code: 'PARLEY_E_KEY_REPIN_REQUIRED',
      file: 'entries.jsonl',
      line: 4,
    });
  }
}

const seedStation = (label: string) => stationIdFromKey(seedSigner(label).publicKey);
