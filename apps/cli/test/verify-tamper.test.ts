import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StationId } from '@parley/core';
import {
  entryHash,
  generateIdentity,
  parseCheckpointLine,
  parseEntryLine,
  sealEntry,
  signCheckpoint,
  signerFromPem,
} from '@parley/ledger';
import type { Entry, Signer } from '@parley/ledger';
import { exportBundle, initStation, StationHandle } from '@parley/store';
import { parley, tempDir } from './helpers.js';

/** A feed of 30 entries (genesis, messages, a key rotation at seq 12) with checkpoints at 5, 12, 20 and 30. */
async function makeBundle(
  root: string,
): Promise<{ bundle: string; key: string; currentSigner: Signer }> {
  const data = join(root, 'station');
  const { publicKey } = await initStation(data, 'Tamper Test');
  const s = await StationHandle.open(data);
  for (let i = 2; i <= 30; i++) {
    if (i === 12) await s.rotateKey();
    else
      await s.writer.append({
        kind: 'message',
        channel: 'ops',
        body: { precedence: 'FLASH', text: `message ${i}` },
      });
    if (i === 5 || i === 12 || i === 20) await s.writer.checkpoint();
  }
  await s.writer.checkpoint();
  await s.close();
  // The current private key (to forge a validly signed but wrong checkpoint, as a lying station would).
  const s2 = await StationHandle.open(data);
  const current = s2.writer.publicKey;
  await s2.close();
  let currentSigner: Signer | undefined;
  for (const f of await readdir(join(data, 'keys'))) {
    const signer = signerFromPem(await readFile(join(data, 'keys', f), 'utf8'));
    if (signer.publicKey === current) currentSigner = signer;
  }
  expect(currentSigner).toBeDefined();
  const handle = await StationHandle.open(data);
  const bundle = join(root, 'bundle');
  await exportBundle(handle.store, bundle, { exporter: handle.exporter });
  await handle.close();
  return { bundle, key: publicKey, currentSigner: currentSigner! };
}

type Lines = string[];
interface Case {
  name: string;
  mutate: (
    entries: Lines,
    checkpoints: Lines,
    ctx: { signer: Signer; attacker: Signer },
  ) => Promise<string | void> | string | void;
  code: string;
  where: RegExp;
}

const reseal = (e: Entry, signer: Signer) => {
  const { sig: _sig, ...rest } = e;
  return sealEntry(rest, signer);
};

const cases: Case[] = [
  {
    name: 'an edited field in an entry',
    mutate: (en) => {
      en[6] = en[6]!.replace('message 7', 'message 7 (amended)');
    },
    code: 'PARLEY_E_ENTRY_SIGNATURE',
    where: /seq 7, entries\.jsonl line 7/,
  },
  {
    name: 'an edited timestamp',
    mutate: (en) => {
      const e = JSON.parse(en[2]!);
      e.ts += 1;
      en[2] = JSON.stringify(e);
    },
    code: 'PARLEY_E_ENTRY_SIGNATURE',
    where: /seq 3, entries\.jsonl line 3/,
  },
  {
    name: 'a deleted entry',
    mutate: (en) => {
      en.splice(8, 1);
    },
    code: 'PARLEY_E_ENTRY_SEQ',
    where: /seq 10, entries\.jsonl line 9/,
  },
  {
    name: 'an inserted entry (forged by someone without the key)',
    mutate: (en, _cp, { attacker }) => {
      const prev = parseEntryLine(en[9]!);
      const forged = reseal(
        { ...prev, seq: 11, prev: entryHash(prev), body: { precedence: 'FLASH', text: 'forged' } },
        attacker,
      );
      en.splice(10, 0, forged.line);
    },
    code: 'PARLEY_E_ENTRY_SIGNATURE',
    where: /seq 11, entries\.jsonl line 11/,
  },
  {
    name: 'a duplicated entry',
    mutate: (en) => {
      en.splice(15, 0, en[14]!);
    },
    code: 'PARLEY_E_ENTRY_SEQ',
    where: /seq 15, entries\.jsonl line 16/,
  },
  {
    name: 'two entries swapped',
    mutate: (en) => {
      [en[17], en[18]] = [en[18]!, en[17]!];
    },
    code: 'PARLEY_E_ENTRY_SEQ',
    where: /seq 19, entries\.jsonl line 18/,
  },
  {
    name: 'a truncated tail',
    mutate: (en) => {
      en.splice(27);
    },
    code: 'PARLEY_E_CHECKPOINT_BEYOND_FEED',
    where: /checkpoints\.jsonl line \d+/,
  },
  {
    name: 'an entry re-signed by a different key',
    mutate: (en, _cp, { attacker }) => {
      en[3] = reseal(parseEntryLine(en[3]!), attacker).line;
    },
    code: 'PARLEY_E_ENTRY_SIGNATURE',
    where: /seq 4, entries\.jsonl line 4/,
  },
  {
    name: 'an entry after the rotation signed by the retired key',
    mutate: (en, _cp) => {
      const e = parseEntryLine(en[12]!);
      en[12] = JSON.stringify({ ...e, sig: parseEntryLine(en[2]!).sig });
    },
    code: 'PARLEY_E_ENTRY_SIGNATURE',
    where: /seq 13, entries\.jsonl line 13/,
  },
  {
    name: 'a checkpoint with an altered root',
    mutate: (_en, cps) => {
      const c = parseCheckpointLine(cps[1]!);
      cps[1] = JSON.stringify({ ...c, root: c.root.replace(/^./, (x) => (x === '0' ? '1' : '0')) });
    },
    code: 'PARLEY_E_CHECKPOINT_SIGNATURE',
    where: /checkpoints\.jsonl line 2/,
  },
  {
    name: 'a checkpoint with an altered size',
    mutate: (_en, cps) => {
      const c = parseCheckpointLine(cps[2]!);
      cps[2] = JSON.stringify({ ...c, size: c.size - 1 });
    },
    code: 'PARLEY_E_CHECKPOINT_SIGNATURE',
    where: /checkpoints\.jsonl line 3/,
  },
  {
    name: 'a checkpoint forged with another key',
    mutate: (_en, cps, { attacker }) => {
      const c = parseCheckpointLine(cps[3]!);
      cps[3] = JSON.stringify(
        signCheckpoint(c.station as StationId, c.size, c.root, c.ts, attacker),
      );
    },
    code: 'PARLEY_E_CHECKPOINT_SIGNATURE',
    where: /checkpoints\.jsonl line 4/,
  },
  {
    name: "a checkpoint signed with the station's own key over a wrong root",
    mutate: (_en, cps, { signer }) => {
      // The last checkpoint (size 30) is one the current key signs.
      const c = parseCheckpointLine(cps[cps.length - 1]!);
      cps.splice(
        2,
        0,
        JSON.stringify(
          signCheckpoint(c.station as StationId, c.size, 'ab'.repeat(32), c.ts, signer),
        ),
      );
    },
    code: 'PARLEY_E_CHECKPOINT_ROOT',
    where: /checkpoints\.jsonl line 3/,
  },
  {
    name: 'keys.json edited to hide the rotation',
    mutate: () => 'keys',
    code: 'PARLEY_E_BUNDLE_KEYS',
    where: /keys\.json/,
  },
  {
    name: 'a line that is not JSON',
    mutate: (en) => {
      en[4] = en[4]!.slice(0, 40);
    },
    code: 'PARLEY_E_ENTRY_MALFORMED',
    where: /entries\.jsonl line 5/,
  },
];

describe('parley verify catches every kind of tampering', () => {
  let root: string;
  let made: Awaited<ReturnType<typeof makeBundle>>;
  const attacker = signerFromPem(generateIdentity().privatePem);

  beforeAll(async () => {
    root = await tempDir('parley-tamper-');
    made = await makeBundle(root);
  });

  it('the untouched bundle verifies, pinned to the genesis key', async () => {
    const r = await parley(['verify', made.bundle, '--key', made.key]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^OK: 1 feed\(s\), 30 entries, \d+ checkpoints verified, keys pinned/);
    // It names the exporter (from the signed manifest) and says, per feed, what is witnessed.
    const station = JSON.parse(await readFile(join(made.bundle, 'manifest.json'), 'utf8')).exporter;
    expect(r.stdout).toContain(`exported by ${station}`);
    expect(r.stdout).toMatch(
      new RegExp(
        `^  ${station} "Tamper Test" size 30 .*checkpointed to 30; identity feed, not cosigned`,
        'm',
      ),
    );
    const j = await parley(['verify', made.bundle, '--key', made.key, '--json']);
    const res = JSON.parse(j.stdout);
    expect(res).toMatchObject({
      ok: true,
      exporter: { station },
      feeds: [{ station, size: 30, witnessedSize: 0, unwitnessed: 30, witnesses: [] }],
      unresolved: [],
    });
  });

  it('catches a bundle that lost its manifest, and one whose checkpoints were dropped', async () => {
    const dir = join(root, 'no-manifest');
    await cp(made.bundle, dir, { recursive: true });
    await rm(join(dir, 'manifest.json'));
    const r = await parley(['verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('PARLEY_E_BUNDLE_MISSING_FILE');
    const dir2 = join(root, 'no-checkpoints');
    await cp(made.bundle, dir2, { recursive: true });
    await writeFile(join(dir2, 'checkpoints.jsonl'), '');
    const r2 = await parley(['verify', dir2]);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(
      /FAILED at .*manifest\.json: PARLEY_E_BUNDLE_MANIFEST: .*checkpoints/,
    );
  });

  for (const c of cases) {
    it(`catches ${c.name}`, async () => {
      const dir = join(root, c.name.replace(/[^a-z]+/gi, '-'));
      await cp(made.bundle, dir, { recursive: true });
      const en = (await readFile(join(dir, 'entries.jsonl'), 'utf8')).trimEnd().split('\n');
      const cps = (await readFile(join(dir, 'checkpoints.jsonl'), 'utf8')).trimEnd().split('\n');
      const what = await c.mutate(en, cps, { signer: made.currentSigner, attacker });
      await writeFile(join(dir, 'entries.jsonl'), en.join('\n') + '\n');
      await writeFile(join(dir, 'checkpoints.jsonl'), cps.join('\n') + '\n');
      if (what === 'keys') {
        const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'));
        const st = Object.values(keys.stations)[0] as { keys: unknown[] };
        st.keys = [{ ...(st.keys[0] as object), to: null }];
        await writeFile(join(dir, 'keys.json'), JSON.stringify(keys));
      }
      const r = await parley(['verify', dir, '--key', made.key]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^FAILED at /);
      expect(r.stdout).toContain(c.code);
      expect(r.stdout).toMatch(c.where);
    });
  }
});
