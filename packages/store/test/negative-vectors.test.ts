// Every published negative vector (docs/test-vectors/negative-v1.json) written as a real bundle
// directory and run through `verifyBundleDir`: each must be refused with its code, at its file
// and line; the first case is valid and must verify.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicKeyB64 } from '@parley/core';
import { verifyBundleDir } from '@parley/store';
import { makeNegativeVectors } from '../../ledger/test/negative-vectors.js';
import type { NegativeCase } from '../../ledger/test/negative-vectors.js';

const published = JSON.parse(
  readFileSync(new URL('../../../docs/test-vectors/negative-v1.json', import.meta.url), 'utf8'),
) as { cases: NegativeCase[] };

/** Codes `parley verify` can report for a bundle (all but the CLI's own argument errors). */
const VERIFY_CODES = [
  'PARLEY_E_BUNDLE_MISSING_FILE',
  'PARLEY_E_BUNDLE_LINE',
  'PARLEY_E_BUNDLE_EMPTY',
  'PARLEY_E_BUNDLE_MANIFEST',
  'PARLEY_E_BUNDLE_KEYS',
  'PARLEY_E_BUNDLE_FEED_SPLIT',
  'PARLEY_E_BUNDLE_UNTRUSTED_KEY',
  'PARLEY_E_BUNDLE_INCOMPLETE',
  'PARLEY_E_REF_HASH',
  'PARLEY_E_JSON_DUPLICATE_NAME',
  'PARLEY_E_JSON_TOO_DEEP',
  'PARLEY_E_JSON_NUMBER',
  'PARLEY_E_CANONICAL_JSON',
  'PARLEY_E_ENTRY_MALFORMED',
  'PARLEY_E_ENTRY_VERSION',
  'PARLEY_E_ENTRY_TOO_LARGE',
  'PARLEY_E_ENTRY_SEQ',
  'PARLEY_E_ENTRY_PREV_HASH',
  'PARLEY_E_ENTRY_TIME',
  'PARLEY_E_ENTRY_SIGNATURE',
  'PARLEY_E_GENESIS',
  'PARLEY_E_AUDIENCE',
  'PARLEY_E_KEY_ROTATION',
  'PARLEY_E_KEY_REPIN_REQUIRED',
  'PARLEY_E_CHECKPOINT_MALFORMED',
  'PARLEY_E_CHECKPOINT_SIGNATURE',
  'PARLEY_E_CHECKPOINT_BEYOND_FEED',
  'PARLEY_E_CHECKPOINT_ROOT',
  // Not reachable from a bundle (PROTOCOL.md §5.3): PARLEY_E_CHECKPOINT_INCONSISTENT (two
  // checkpoints whose roots both match the bundle's entries are consistent), and
  // PARLEY_E_ENTRY_WRONG_STATION / PARLEY_E_ENTRY_WRONG_FEED (a bundle's feeds are delimited by
  // the entries' own station and audience, so another station's entry starts another feed).
];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-negative-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('published negative vectors (docs/test-vectors/negative-v1.json)', () => {
  it('the code reproduces the published file exactly', () => {
    expect(makeNegativeVectors()).toEqual(published);
  });

  it('cover every code verify can report', () => {
    const covered = new Set(
      published.cases.map((c) => ('code' in c.expect ? c.expect.code : 'ok')),
    );
    for (const code of VERIFY_CODES) expect(covered, code).toContain(code);
  });

  it.each(published.cases.map((c, i) => [i, c.name, c] as const))(
    'case %i: %s',
    async (i, _name, c) => {
      const dir = join(root, `case-${i}`);
      await mkdir(dir);
      for (const [file, content] of Object.entries(c.files))
        await writeFile(
          join(dir, file),
          typeof content === 'string' ? content : Buffer.from(content.base64, 'base64'),
        );
      const res = await verifyBundleDir(dir, {
        trustedKeys: (c.trusted_keys ?? []) as PublicKeyB64[],
      });
      if ('ok' in c.expect) {
        expect(res.ok, JSON.stringify(res)).toBe(true);
        return;
      }
      expect(res.ok, JSON.stringify(res)).toBe(false);
      if (res.ok) return;
      expect(res.failure, res.failure.message).toMatchObject(c.expect);
    },
  );
});
