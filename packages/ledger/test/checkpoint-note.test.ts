import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MerkleTree,
  checkpointOrigin,
  checkpointVerifierKey,
  cosignNoteLine,
  cosignerVerifierKey,
  formatAddCheckpoint,
  openCheckpointNote,
  parseAddCheckpoint,
  parseCheckpointOrigin,
  parseCheckpointText,
  parseVkey,
  signCheckpointNote,
  signerFromSeed,
  toHex,
  verifyConsistency,
} from '@parley/ledger';
import { isParleyError } from '@parley/core';
import { makeNoteVectors } from './note-vectors.js';
import { rawCosignatureTime, rawKeyId, rawOpen, rawSplit, rawVkey } from './raw-note.js';

const published = JSON.parse(
  readFileSync(new URL('../../../docs/test-vectors/signed-note-v1.json', import.meta.url), 'utf8'),
);
const ledger = JSON.parse(
  readFileSync(new URL('../../../docs/test-vectors/ledger-v1.json', import.meta.url), 'utf8'),
);

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (isParleyError(err)) return err.code;
    throw err;
  }
  return 'no error';
};
const seed = (label: string) => createHash('sha256').update(label).digest();

describe('published vectors (docs/test-vectors/signed-note-v1.json)', () => {
  it('the code reproduces the published file exactly', () => {
    const leaves = ledger.entries.map((e: { merkle_leaf_hash: string }) => e.merkle_leaf_hash);
    expect(makeNoteVectors(ledger.station, leaves)).toEqual(published);
  });

  it('raw node:crypto: the checkpoint note, its key name, key ID and signature', () => {
    const c = published.checkpoint_note;
    // The origin is the feed key under a fixed prefix; the key name is the origin.
    expect(c.origin).toBe(`parley.checkpoint/v1/${ledger.station}`);
    expect(c.text).toBe(
      `${c.origin}\n4\n${Buffer.from(ledger.entries[3].merkle_root_after, 'hex').toString('base64')}\n`,
    );
    const k = rawVkey(c.vkey);
    expect(k.name).toBe(c.origin);
    expect(k.key.toString('base64url')).toBe(ledger.keys.key2.public);
    expect(k.id).toBe(rawKeyId(c.origin, 0x01, k.key));
    expect(rawOpen(c.note, c.vkey)).toBe(true);
    expect(rawSplit(c.note).text).toBe(c.text);
    // Three lines and no extension: the time of the Parley checkpoint is not in the note.
    expect(c.text.split('\n')).toHaveLength(4);
  });

  it('raw node:crypto: the cosignature/v1 line, its timestamp and signed message', () => {
    const c = published.cosignature;
    const k = rawVkey(c.vkey);
    expect(k.type).toBe(0x04);
    expect(k.id).toBe(rawKeyId(c.witness_name, 0x04, k.key));
    expect(c.signed_message).toBe(
      `cosignature/v1\ntime ${c.time}\n${published.checkpoint_note.text}`,
    );
    expect(rawCosignatureTime(c.cosigned_note, c.vkey)).toBe(BigInt(c.time));
    // The same signature is no plain Ed25519 note signature of the text.
    expect(rawCosignatureTime(published.checkpoint_note.note, c.vkey)).toBeUndefined();
  });

  it('our code opens both, and the add-checkpoint body carries a valid proof', () => {
    const c = published.checkpoint_note;
    const opened = openCheckpointNote(published.cosignature.cosigned_note, {
      logKeys: [parseVkey(c.vkey)],
      witnesses: [parseVkey(published.cosignature.vkey)],
      origin: c.origin,
    });
    expect(opened.checkpoint).toEqual({ origin: c.origin, size: 4, root: c.root, extensions: [] });
    expect(opened.cosigned.map((s) => s.time)).toEqual([BigInt(published.cosignature.time)]);
    const req = parseAddCheckpoint(Buffer.from(published.add_checkpoint.body, 'utf8'));
    expect(req.old).toBe(3);
    expect(req.proof.map(toHex)).toEqual(published.add_checkpoint.proof);
    expect(Buffer.from(req.note).toString('utf8')).toBe(c.note);
    const root3 = Buffer.from(ledger.entries[2].merkle_root_after, 'hex');
    expect(verifyConsistency(3, 4, req.proof, root3, Buffer.from(c.root, 'hex'))).toBe(true);
  });
});

describe('checkpoint notes: origins, keys and hostile input', () => {
  const k2 = signerFromSeed(seed('parley test vector key 2'));
  const station = ledger.station as string;
  const aud = 'aud_' + 'ab'.repeat(12);
  const root = ledger.entries[3].merkle_root_after as string;

  it('an audience feed has its own origin and key name; a note of one feed does not open as another', () => {
    expect(checkpointOrigin(station, aud)).toBe(`parley.checkpoint/v1/${station}/${aud}`);
    expect(parseCheckpointOrigin(checkpointOrigin(station, aud))).toEqual({
      station,
      audience: aud,
    });
    expect(parseCheckpointOrigin(checkpointOrigin(station))).toEqual({ station });
    for (const o of [
      'example.com/log',
      `parley.checkpoint/v1/${station}/`,
      `parley.checkpoint/v2/${station}`,
    ])
      expect(parseCheckpointOrigin(o)).toBeUndefined();
    const note = signCheckpointNote(station, aud, 4, root, k2);
    const key = checkpointVerifierKey(station, aud, k2.publicKey);
    expect(openCheckpointNote(note, { logKeys: [key], origin: key.name }).checkpoint.size).toBe(4);
    // Asked for the identity feed: wrong origin.
    expect(
      codeOf(() =>
        openCheckpointNote(note, {
          logKeys: [checkpointVerifierKey(station, null, k2.publicKey)],
          origin: checkpointOrigin(station),
        }),
      ),
    ).toBe('PARLEY_E_NOTE_WRONG_ORIGIN');
    // Verified with the identity feed's key name: that key is unknown to this note.
    expect(
      codeOf(() =>
        openCheckpointNote(note, { logKeys: [checkpointVerifierKey(station, null, k2.publicKey)] }),
      ),
    ).toBe('PARLEY_E_NOTE_UNKNOWN_KEY');
    // Another key under the right name: unknown (another key ID).
    const k1 = signerFromSeed(seed('parley test vector key 1'));
    expect(
      codeOf(() =>
        openCheckpointNote(note, { logKeys: [checkpointVerifierKey(station, aud, k1.publicKey)] }),
      ),
    ).toBe('PARLEY_E_NOTE_UNKNOWN_KEY');
    // The raw verifier agrees.
    const vkey = `${key.name}+${rawKeyId(key.name, 1, Buffer.from(k2.publicKey, 'base64url'))}+${Buffer.concat([Buffer.from([1]), Buffer.from(k2.publicKey, 'base64url')]).toString('base64')}`;
    expect(rawOpen(note, vkey)).toBe(true);
  });

  it('cosignatures: a missing, forged or mistyped witness is refused', () => {
    const w = signerFromSeed(seed('parley test vector witness key'));
    const other = signerFromSeed(seed('another witness'));
    const note = signCheckpointNote(station, null, 4, root, k2);
    const text = rawSplit(note).text;
    const logKeys = [checkpointVerifierKey(station, null, k2.publicKey)];
    const wk = cosignerVerifierKey('w.example/1', w.publicKey);
    const line = cosignNoteLine(text, 'w.example/1', w, 1700000000n);
    expect(
      openCheckpointNote(`${note}${line}\n`, { logKeys, witnesses: [wk] }).cosigned,
    ).toHaveLength(1);
    expect(codeOf(() => openCheckpointNote(note, { logKeys, witnesses: [wk] }))).toBe(
      'PARLEY_E_COSIGNATURE_MISSING',
    );
    // Cosigned by another key under the witness's name: unknown, so missing.
    const otherLine = cosignNoteLine(text, 'w.example/1', other, 1700000000n);
    expect(
      codeOf(() => openCheckpointNote(`${note}${otherLine}\n`, { logKeys, witnesses: [wk] })),
    ).toBe('PARLEY_E_COSIGNATURE_MISSING');
    // The timestamp changed after signing: a known key whose signature fails.
    const blob = Buffer.from(line.split(' ')[2]!, 'base64');
    blob.writeBigUInt64BE(1700000001n, 4);
    const forged = `${line.split(' ').slice(0, 2).join(' ')} ${blob.toString('base64')}`;
    expect(
      codeOf(() => openCheckpointNote(`${note}${forged}\n`, { logKeys, witnesses: [wk] })),
    ).toBe('PARLEY_E_NOTE_SIGNATURE');
    // A witness given as a plain Ed25519 key is a configuration error.
    expect(codeOf(() => openCheckpointNote(note, { logKeys, witnesses: [logKeys[0]!] }))).toBe(
      'PARLEY_E_VKEY_MALFORMED',
    );
    // A cosigner cannot stand in for the log: a cosignature named like the origin is not a log signature.
    const fake = cosignNoteLine(text, checkpointOrigin(station), w, 1n);
    const onlyCosigned = `${text}\n${fake}\n`;
    expect(
      codeOf(() =>
        openCheckpointNote(onlyCosigned, {
          logKeys: [cosignerVerifierKey(checkpointOrigin(station), w.publicKey)],
        }),
      ),
    ).toBe('PARLEY_E_NOTE_UNKNOWN_KEY');
  });

  it('checkpoint texts: sizes, roots and lines', () => {
    const r = Buffer.from(root, 'hex').toString('base64');
    for (const t of [
      `o\n4\n${r}`,
      `o\n4\n`,
      `\n4\n${r}\n`,
      `o\n04\n${r}\n`,
      `o\n-4\n${r}\n`,
      `o\n9007199254740992\n${r}\n`,
      `o\n4\n${r.slice(0, -1)}\n`,
      `o\n4\n${Buffer.alloc(31).toString('base64')}\n`,
      `o\n4\n${r}\n\n`,
    ])
      expect(
        codeOf(() => parseCheckpointText(t)),
        t,
      ).toBe('PARLEY_E_CHECKPOINT_MALFORMED');
    expect(parseCheckpointText(`o\n0\n${r}\next\n`)).toMatchObject({
      size: 0,
      extensions: ['ext'],
    });
  });

  it('add-checkpoint bodies: hostile inputs refused, any bytes parsed or refused with the witness code', () => {
    const note = signCheckpointNote(station, null, 4, root, k2);
    const h = Buffer.alloc(32, 1).toString('base64');
    for (const b of [
      `old 1\n`,
      `old 01\n\n${note}`,
      `old -1\n\n${note}`,
      `Old 1\n\n${note}`,
      `old 1 \n\n${note}`,
      `old 1\n${h.slice(0, -1)}\n\n${note}`,
      `old 1\n${Buffer.alloc(33).toString('base64')}\n\n${note}`,
      `old 1\n${`${h}\n`.repeat(64)}\n${note}`,
    ])
      expect(
        codeOf(() => parseAddCheckpoint(Buffer.from(b))),
        b,
      ).toBe('PARLEY_E_WITNESS_BAD_REQUEST');
    const tree = new MerkleTree();
    for (let i = 0; i < 9; i++) tree.appendLeaf(Buffer.from([i]));
    const proof = tree.consistencyProof(5, 9);
    const body = formatAddCheckpoint(5, proof, note);
    expect(parseAddCheckpoint(Buffer.from(body)).proof.map(toHex)).toEqual(proof.map(toHex));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc
            .tuple(fc.nat(body.length), fc.string({ unit: 'binary', maxLength: 3 }))
            .map(([i, s]) => Buffer.from(body.slice(0, i) + s + body.slice(i + 1))),
        ),
        (b) => {
          const code = codeOf(() => parseAddCheckpoint(b));
          expect(['no error', 'PARLEY_E_WITNESS_BAD_REQUEST']).toContain(code);
        },
      ),
      { numRuns: 400 },
    );
  });
});
