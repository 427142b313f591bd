import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_NOTE_BYTES,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  cosignerVerifierKey,
  formatVkey,
  noteVerifierKey,
  parseNote,
  parseVkey,
  signNoteLine,
  signerFromSeed,
  verifyNote,
} from '@parley/ledger';
import type { PublicKeyB64 } from '@parley/core';
import { isParleyError } from '@parley/core';
import { GO_REFERENCE } from './note-vectors.js';
import { EM_DASH, rawKeyId, rawOpen, rawSign, rawSplit, rawVkey } from './raw-note.js';

// eslint-disable-next-line no-control-regex -- note texts exclude controls
const CONTROL = /[\u0000-\u001f]/;

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (isParleyError(err)) return err.code;
    throw err;
  }
  return 'no error';
};

/** The Ed25519 seed of a Go `PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed)` signer key. */
const goSeed = (skey: string) =>
  Buffer.from(skey.split('+').slice(4).join('+'), 'base64').subarray(1);

function freshKey(): { seed: Buffer; pub: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const d = privateKey.export({ format: 'jwk' }).d!;
  return {
    seed: Buffer.from(d, 'base64url'),
    pub: Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'),
  };
}

describe('the Go reference example (golang.org/x/mod/sumdb/note), a known answer', () => {
  it('raw node:crypto: key ID, vkey and signature', () => {
    const k = rawVkey(GO_REFERENCE.vkey);
    expect(k.name).toBe('PeterNeumann');
    expect(k.type).toBe(0x01);
    expect(rawKeyId(k.name, 0x01, k.key)).toBe(GO_REFERENCE.key_id);
    expect(rawOpen(GO_REFERENCE.note, GO_REFERENCE.vkey)).toBe(true);
    // Ed25519 is deterministic: the seed of the published signer key reproduces the signature.
    const sig = rawSign(goSeed(GO_REFERENCE.skey), Buffer.from(GO_REFERENCE.text, 'utf8'));
    expect(rawSplit(GO_REFERENCE.note).sigs[0]!.blob.equals(sig)).toBe(true);
  });

  it('our code reads the vkey, opens the note and signs it byte for byte', () => {
    const v = parseVkey(GO_REFERENCE.vkey);
    expect(v).toMatchObject({ name: 'PeterNeumann', type: SIG_TYPE_ED25519, keyId: 0xc74f20a3 });
    expect(formatVkey(v.name, v.key, SIG_TYPE_ED25519)).toBe(GO_REFERENCE.vkey);
    const note = parseNote(GO_REFERENCE.note);
    expect(note.text).toBe(GO_REFERENCE.text);
    expect(verifyNote(note, [v])).toHaveLength(1);
    const signer = signerFromSeed(goSeed(GO_REFERENCE.skey));
    expect(signer.publicKey).toBe(v.key);
    expect(
      `${GO_REFERENCE.text}\n${signNoteLine(GO_REFERENCE.text, 'PeterNeumann', signer)}\n`,
    ).toBe(GO_REFERENCE.note);
  });

  it('refuses the Go test suite’s malformed messages and manglings', () => {
    const v = parseVkey(GO_REFERENCE.vkey);
    const { text, note } = GO_REFERENCE;
    const sigLine = note.slice(text.length + 1);
    for (const bad of [
      text,
      `${text}\n`,
      `${text}\n${sigLine.slice(0, -1)}`,
      `\u0001${text}\n${sigLine}`,
      `${text}\n${EM_DASH} Bad Name ${sigLine.split(' ')[2]}`,
      `${text}\n${sigLine}Unexpected line.\n`,
    ])
      expect(codeOf(() => verifyNote(parseNote(bad), [v]))).toBe('PARLEY_E_NOTE_MALFORMED');
    expect(
      codeOf(() => parseNote(Buffer.concat([Buffer.from([0xff]), Buffer.from(note, 'utf8')]))),
    ).toBe('PARLEY_E_NOTE_MALFORMED');
    // A signature changed in the middle: a known key that fails rejects the whole note.
    const forged = `${text}\n${sigLine.slice(0, 60)}ABCD${sigLine.slice(60)}`;
    expect(codeOf(() => verifyNote(parseNote(forged), [v]))).toBe('PARLEY_E_NOTE_SIGNATURE');
    // 101 signatures: over the limit.
    expect(codeOf(() => parseNote(`${text}\n${sigLine.repeat(101)}`))).toBe(
      'PARLEY_E_NOTE_TOO_LARGE',
    );
    // Every proper substring and every byte changed in the vkey is refused, as in the Go tests.
    const b = Buffer.from(GO_REFERENCE.vkey);
    for (let i = 0; i < b.length; i += 3)
      for (let j = i + 1; j <= b.length; j += 5)
        if (i !== 0 || j !== b.length) {
          const part = b.subarray(i, j).toString('latin1');
          expect(() => parseVkey(part), part).toThrow();
        }
    for (let i = 0; i < b.length; i++) {
      const m = Buffer.from(b);
      m[i]!++;
      expect(() => parseVkey(m.toString('latin1'))).toThrow();
    }
  });
});

describe('notes signed here open with an independent verifier', () => {
  it('any text, any valid key name: raw node:crypto verifies the line, the key ID matches', () => {
    const key = freshKey();
    const signer = signerFromSeed(key.seed);
    const name = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => !/[\s\u0085+]/u.test(s) && !CONTROL.test(s));
    const line = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
      .filter((s) => !CONTROL.test(s));
    fc.assert(
      fc.property(name, fc.array(line, { minLength: 1, maxLength: 5 }), (n, lines) => {
        const text = lines.map((l) => `${l}\n`).join('');
        const note = `${text}\n${signNoteLine(text, n, signer)}\n`;
        const vkey = formatVkey(n, signer.publicKey, SIG_TYPE_ED25519);
        expect(rawVkey(vkey).id).toBe(rawKeyId(n, 0x01, key.pub));
        expect(rawOpen(note, vkey)).toBe(true);
        expect(verifyNote(parseNote(note), [parseVkey(vkey)])).toHaveLength(1);
      }),
      { numRuns: 60 },
    );
  });

  it('unknown keys are ignored; a note with no trusted signature is refused', () => {
    const a = signerFromSeed(freshKey().seed);
    const b = signerFromSeed(freshKey().seed);
    const text = 'hello\n';
    const note = parseNote(`${text}\n${signNoteLine(text, 'a.example', a)}\n`);
    // Same name, another key (another key ID): unknown, not a failure.
    expect(codeOf(() => verifyNote(note, [noteVerifierKey('a.example', b.publicKey)]))).toBe(
      'PARLEY_E_NOTE_UNKNOWN_KEY',
    );
    // Same key, another name: unknown too.
    expect(codeOf(() => verifyNote(note, [noteVerifierKey('b.example', a.publicKey)]))).toBe(
      'PARLEY_E_NOTE_UNKNOWN_KEY',
    );
    // The same key as a cosigner (type 0x04) has another key ID: unknown.
    expect(codeOf(() => verifyNote(note, [cosignerVerifierKey('a.example', a.publicKey)]))).toBe(
      'PARLEY_E_NOTE_UNKNOWN_KEY',
    );
    expect(verifyNote(note, [noteVerifierKey('a.example', a.publicKey)])).toHaveLength(1);
  });
});

describe('hostile notes and verifier keys', () => {
  const signer = signerFromSeed(Buffer.alloc(32, 7));
  const text = 'parley.checkpoint/v1/stn_000000000000000000000000\n1\n' + 'A'.repeat(43) + '=\n';
  const good = `${text}\n${signNoteLine(text, 'k.example', signer)}\n`;

  it('each malformation is refused with its code', () => {
    const sig = good.slice(text.length + 1);
    const blob = sig.split(' ')[2]!.trim();
    const cases: [string | Uint8Array, string][] = [
      [good.replace(EM_DASH, '-'), 'PARLEY_E_NOTE_MALFORMED'],
      [good.replace(`${EM_DASH} `, `${EM_DASH}\u00a0`), 'PARLEY_E_NOTE_MALFORMED'],
      [`${text}\n${EM_DASH} k.example ${blob.slice(0, -2)}\n`, 'PARLEY_E_NOTE_MALFORMED'],
      [`${text}\n${EM_DASH} k.example AAAA\n`, 'PARLEY_E_NOTE_MALFORMED'],
      [`${text}\n${EM_DASH} k+x ${blob}\n`, 'PARLEY_E_NOTE_MALFORMED'],
      [`${text}\n${EM_DASH}  ${blob}\n`, 'PARLEY_E_NOTE_MALFORMED'],
      [`${text}\n${EM_DASH} k.example ${blob}  \n`, 'PARLEY_E_NOTE_MALFORMED'],
      [`${text}\n${EM_DASH} k.example ${blob.replace(/=+$/, '')}\n`, 'PARLEY_E_NOTE_MALFORMED'],
      [good.replace('\n1\n', '\r\n1\n'), 'PARLEY_E_NOTE_MALFORMED'],
      [good.replace('\n1\n', '\t\n1\n'), 'PARLEY_E_NOTE_MALFORMED'],
      [`\n\n${sig}`, 'PARLEY_E_NOTE_MALFORMED'],
      [`${text}\n${sig}\n`, 'PARLEY_E_NOTE_MALFORMED'],
      [`${text}${'x'.repeat(MAX_NOTE_BYTES)}\n\n${sig}`, 'PARLEY_E_NOTE_TOO_LARGE'],
    ];
    for (const [note, code] of cases)
      expect(
        codeOf(() => parseNote(note)),
        String(note),
      ).toBe(code);
  });

  it('vkeys: bad names, ids, types, lengths and weak keys', () => {
    const vkey = formatVkey('k.example', signer.publicKey, SIG_TYPE_ED25519);
    const [, id, material] = vkey.split('+') as [string, string, string];
    const raw = Buffer.from(material, 'base64');
    const as = (type: number, key: Buffer) =>
      Buffer.concat([Buffer.from([type]), key]).toString('base64');
    const idFor = (name: string, type: number, key: Buffer) => rawKeyId(name, type, key);
    const zero = Buffer.alloc(32); // y = 0: not on the curve's prime-order subgroup
    const cases: [string, string][] = [
      ['', 'PARLEY_E_VKEY_MALFORMED'],
      [`k.example+${id}`, 'PARLEY_E_VKEY_MALFORMED'],
      [
        `k example+${idFor('k example', 1, raw.subarray(1))}+${material}`,
        'PARLEY_E_VKEY_MALFORMED',
      ],
      [`k.example+${id.toUpperCase()}0+${material}`, 'PARLEY_E_VKEY_MALFORMED'],
      [`k.example+00000000+${material}`, 'PARLEY_E_VKEY_MALFORMED'],
      [
        `k.example+${idFor('k.example', 2, raw.subarray(1))}+${as(2, raw.subarray(1))}`,
        'PARLEY_E_VKEY_MALFORMED',
      ],
      [
        `k.example+${idFor('k.example', 1, raw.subarray(1, 32))}+${as(1, raw.subarray(1, 32))}`,
        'PARLEY_E_VKEY_MALFORMED',
      ],
      [`k.example+${idFor('k.example', 1, zero)}+${as(1, zero)}`, 'PARLEY_E_KEY_INVALID'],
    ];
    for (const [v, code] of cases)
      expect(
        codeOf(() => parseVkey(v)),
        v,
      ).toBe(code);
    // Upper-case hex in the key ID is read (as Go does); the key is the same.
    expect(parseVkey(`k.example+${id.toUpperCase()}+${material}`).key).toBe(signer.publicKey);
    const w = formatVkey('w.example', signer.publicKey as PublicKeyB64, SIG_TYPE_COSIGNATURE_V1);
    expect(parseVkey(w).type).toBe(SIG_TYPE_COSIGNATURE_V1);
  });

  it('property: any input is parsed or refused with a note code, nothing else', () => {
    const codes = new Set(['PARLEY_E_NOTE_MALFORMED', 'PARLEY_E_NOTE_TOO_LARGE']);
    const near = fc.constantFrom(good, `${text}\n`, `${EM_DASH} `, '\n\n', '=', '+', ' ');
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .array(fc.oneof(near, fc.string({ maxLength: 8 })), { maxLength: 8 })
        .map((a) => a.join('')),
      fc.uint8Array({ maxLength: 300 }),
      fc
        .tuple(fc.nat(good.length), fc.string({ unit: 'binary', maxLength: 4 }))
        .map(([i, s]) => good.slice(0, i) + s + good.slice(i + 1)),
    );
    fc.assert(
      fc.property(input, (x) => {
        const code = codeOf(() => {
          const n = parseNote(x);
          verifyNote(n, [noteVerifierKey('k.example', signer.publicKey)]);
        });
        expect(
          code === 'no error' ||
            codes.has(code) ||
            code === 'PARLEY_E_NOTE_SIGNATURE' ||
            code === 'PARLEY_E_NOTE_UNKNOWN_KEY',
          code,
        ).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (v) => {
        const code = codeOf(() => parseVkey(v));
        expect([
          'PARLEY_E_VKEY_MALFORMED',
          'PARLEY_E_KEY_INVALID',
          'PARLEY_E_BAD_PUBLIC_KEY',
        ]).toContain(code);
      }),
      { numRuns: 300 },
    );
  });
});
