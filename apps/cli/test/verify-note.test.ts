// `parley verify-note` on the published vectors (docs/test-vectors/signed-note-v1.json), with the
// real bin/parley: a cosigned checkpoint note verifies; each hostile variant fails with its code.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parley, tempDir } from './helpers.js';

const v = JSON.parse(
  readFileSync(new URL('../../../docs/test-vectors/signed-note-v1.json', import.meta.url), 'utf8'),
);

async function file(name: string, content: string): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, content);
  return path;
}

describe('parley verify-note', () => {
  const key = v.checkpoint_note.vkey as string;
  const witness = v.cosignature.vkey as string;

  it('verifies a checkpoint note and its witness cosignature, and says when it was cosigned', async () => {
    const path = await file('cp.note', v.cosignature.cosigned_note);
    const r = await parley(['verify-note', path, '--key', key, '--witness', witness]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `OK: ${v.checkpoint_note.origin} size 4 root ${v.checkpoint_note.root}; cosigned by ${v.cosignature.witness_name} at 2018-09-30T14:02:11.000Z\n`,
    );
    const j = await parley(
      ['verify-note', '-', '--key', key, '--json', '--origin', v.checkpoint_note.origin],
      {
        input: v.checkpoint_note.note,
      },
    );
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, size: 4, cosigned: [] });
  });

  it('fails with the code of each hostile input', async () => {
    const note = v.checkpoint_note.note as string;
    const cosigned = v.cosignature.cosigned_note as string;
    const sig = note.slice(note.indexOf('\n\n') + 2);
    const cases: [string, string[], string][] = [
      [note, ['--witness', witness], 'PARLEY_E_COSIGNATURE_MISSING'],
      [
        cosigned,
        ['--origin', 'parley.checkpoint/v1/stn_000000000000000000000000'],
        'PARLEY_E_NOTE_WRONG_ORIGIN',
      ],
      [cosigned.replace('\n4\n', '\n5\n'), [], 'PARLEY_E_NOTE_SIGNATURE'],
      [note.replace('\u2014 ', '-- '), [], 'PARLEY_E_NOTE_MALFORMED'],
      [
        `${note.slice(0, note.indexOf('\n\n'))}\n${'x'.repeat(70_000)}\n\n${sig}`,
        [],
        'PARLEY_E_NOTE_TOO_LARGE',
      ],
      [v.go_reference.note, [], 'PARLEY_E_CHECKPOINT_MALFORMED'],
    ];
    for (const [content, extra, code] of cases) {
      const r = await parley([
        'verify-note',
        await file('x.note', content),
        '--key',
        key,
        ...extra,
      ]);
      expect(r.stdout, code).toMatch(new RegExp(`^FAILED: ${code}: `));
      expect(r.code).toBe(1);
    }
    // A note signed by another key than the one given: no trusted signature.
    const other = await parley([
      'verify-note',
      await file('y.note', note),
      '--key',
      v.go_reference.vkey,
    ]);
    expect([other.code, other.stdout.split(':')[1]?.trim()]).toEqual([
      1,
      'PARLEY_E_NOTE_UNKNOWN_KEY',
    ]);
    // A vkey that is not one is bad input (exit 2), before any note is read.
    const bad = await parley([
      'verify-note',
      await file('z.note', note),
      '--key',
      key.replace('+', '-'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/PARLEY_E_VKEY_MALFORMED/);
  });
});
