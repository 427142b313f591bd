import { ParleyError } from '@parley/core';
import type { PublicKeyB64 } from '@parley/core';
import { fromHex, toBase64, toHex } from './hash.js';
import type { Signer } from './keys.js';
import {
  fromBase64Std,
  noteVerifierKey,
  parseNote,
  signNoteLine,
  verifyNote,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
} from './note.js';
import type { ParsedNote, VerifiedSignature, VerifierKey } from './note.js';

/**
 * Checkpoints as C2SP signed notes (docs/PROTOCOL.md §4.1): the note text is a C2SP
 * tlog-checkpoint body of exactly three lines (origin, size, base64 root; no extension line, so
 * that every witness takes it), signed with Ed25519 under the key name = the origin.
 */

/** Every Parley origin starts with this; the feed key follows (`<station>` or `<station>/<audience>`). */
export const CHECKPOINT_ORIGIN_PREFIX = 'parley.checkpoint/v1/';
/** The key name of a station's witness: this prefix, then its station id. */
export const WITNESS_NAME_PREFIX = 'parley.witness/v1/';
/** Most consistency proof lines an add-checkpoint request may carry (tlog-witness). */
export const MAX_PROOF_LINES = 63;

const ORIGIN_RE = /^parley\.checkpoint\/v1\/(stn_[0-9a-f]{24})(?:\/(aud_[0-9a-f]{24}))?$/;
const SIZE_RE = /^(?:0|[1-9][0-9]{0,15})$/;

/** The origin line (and key name) of a feed's checkpoints. */
export function checkpointOrigin(station: string, audience?: string | null): string {
  return `${CHECKPOINT_ORIGIN_PREFIX}${audience ? `${station}/${audience}` : station}`;
}

/** The feed a Parley origin names, or undefined for any other origin. */
export function parseCheckpointOrigin(
  origin: string,
): { station: string; audience?: string } | undefined {
  const m = ORIGIN_RE.exec(origin);
  if (!m) return undefined;
  return m[2] ? { station: m[1]!, audience: m[2] } : { station: m[1]! };
}

/** The C2SP checkpoint text of a tree: origin, size and standard-base64 root, three lines. */
export function checkpointNoteText(origin: string, size: number, rootHex: string): string {
  const root = fromHex(rootHex);
  if (!root || root.length !== 32 || !Number.isSafeInteger(size) || size < 0)
    throw new ParleyError(
      'PARLEY_E_CHECKPOINT_MALFORMED',
      `checkpoint of size ${size} and root ${JSON.stringify(rootHex)} cannot be written`,
      {},
    );
  return `${origin}\n${size}\n${toBase64(root)}\n`;
}

/** A checkpoint read from a note text. */
export interface NoteCheckpoint {
  origin: string;
  size: number;
  /** Root hash, lower-case hex. */
  root: string;
  /** Extension lines (Parley writes none; other logs may). */
  extensions: string[];
}

/**
 * Reads a C2SP checkpoint from a note text: an origin, a decimal size without leading zeros (at
 * most 2^53 − 1), a canonical base64 32-byte root, then any non-empty extension lines.
 */
export function parseCheckpointText(text: string): NoteCheckpoint {
  const bad = (why: string) =>
    new ParleyError('PARLEY_E_CHECKPOINT_MALFORMED', `checkpoint note ${why}`, {});
  if (!text.endsWith('\n')) throw bad('text does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw bad('has fewer than three lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  if (origin.length === 0) throw bad('has an empty origin');
  if (!SIZE_RE.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    throw bad(`size ${JSON.stringify(sizeText)} is not a decimal tree size`);
  const root = fromBase64Std(rootText);
  if (!root || root.length !== 32) throw bad('root is not base64 of 32 bytes');
  if (extensions.some((l) => l.length === 0)) throw bad('has an empty extension line');
  return { origin, size: Number(sizeText), root: toHex(root), extensions };
}

/** A whole checkpoint note of `size` entries with root `rootHex`, signed by the feed's key. */
export function signCheckpointNote(
  station: string,
  audience: string | null | undefined,
  size: number,
  rootHex: string,
  signer: Signer,
): string {
  const origin = checkpointOrigin(station, audience);
  const text = checkpointNoteText(origin, size, rootHex);
  return `${text}\n${signNoteLine(text, origin, signer)}\n`;
}

/** The verifier key (vkey fields) of a feed's checkpoints under one of the station's keys. */
export function checkpointVerifierKey(
  station: string,
  audience: string | null | undefined,
  key: PublicKeyB64,
): VerifierKey {
  return noteVerifierKey(checkpointOrigin(station, audience), key);
}

/** An opened checkpoint note: the checkpoint, its verified log signature and cosignatures. */
export interface OpenedCheckpoint {
  checkpoint: NoteCheckpoint;
  note: ParsedNote;
  /** Verified signatures by the log's keys. */
  signed: VerifiedSignature[];
  /** Verified cosignatures by the witnesses given, in note order. */
  cosigned: VerifiedSignature[];
}

/**
 * Opens a checkpoint note: parses it, checks its origin is `origin` when given
 * (`PARLEY_E_NOTE_WRONG_ORIGIN`), verifies it under the log keys (at least one, else
 * `PARLEY_E_NOTE_UNKNOWN_KEY`; a known signature that fails, `PARLEY_E_NOTE_SIGNATURE`) and then
 * every witness cosignature: each witness in `witnesses` MUST have cosigned it
 * (`PARLEY_E_COSIGNATURE_MISSING`), and a cosignature by a given witness that fails is refused.
 */
export function openCheckpointNote(
  input: string | Uint8Array,
  opts: { logKeys: readonly VerifierKey[]; witnesses?: readonly VerifierKey[]; origin?: string },
): OpenedCheckpoint {
  const note = parseNote(input);
  const checkpoint = parseCheckpointText(note.text);
  if (opts.origin !== undefined && checkpoint.origin !== opts.origin)
    throw new ParleyError(
      'PARLEY_E_NOTE_WRONG_ORIGIN',
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(opts.origin)}`,
      { origin: checkpoint.origin },
    );
  // Only plain Ed25519 keys named like the origin sign for the log: a cosigner is never one.
  const logKeys = opts.logKeys.filter(
    (k) => k.name === checkpoint.origin && k.type === SIG_TYPE_ED25519,
  );
  const signed = verifyNote(note, logKeys);
  const witnesses = opts.witnesses ?? [];
  const cosigned: VerifiedSignature[] = [];
  for (const w of witnesses) {
    if (w.type !== SIG_TYPE_COSIGNATURE_V1)
      throw new ParleyError(
        'PARLEY_E_VKEY_MALFORMED',
        `witness key ${w.name} is not a cosignature/v1 (type 0x04) key`,
        { name: w.name },
      );
    let found: VerifiedSignature[];
    try {
      found = verifyNote(note, [w]);
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'PARLEY_E_NOTE_UNKNOWN_KEY')
        throw new ParleyError(
          'PARLEY_E_COSIGNATURE_MISSING',
          `the checkpoint has no cosignature by witness ${w.name}`,
          { witness: w.name },
        );
      throw err;
    }
    cosigned.push(...found);
  }
  return { checkpoint, note, signed, cosigned };
}

/** An add-checkpoint request body (c2sp.org/tlog-witness). */
export interface AddCheckpointRequest {
  old: number;
  proof: Uint8Array[];
  /** The checkpoint note, as sent. */
  note: Uint8Array;
}

/** Writes an add-checkpoint body: `old N`, the proof lines, a blank line, the note. */
export function formatAddCheckpoint(
  old: number,
  proof: readonly Uint8Array[],
  note: string,
): string {
  return `old ${old}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${note}`;
}

/**
 * Reads an add-checkpoint body. Refuses (`PARLEY_E_WITNESS_BAD_REQUEST`) a first line that is not
 * `old <decimal>`, a proof line that is not base64 of 32 bytes, more than 63 proof lines, and a
 * body with no blank line. The note after the blank line is returned as bytes, unparsed.
 */
export function parseAddCheckpoint(body: Uint8Array): AddCheckpointRequest {
  const bad = (why: string) =>
    new ParleyError('PARLEY_E_WITNESS_BAD_REQUEST', `add-checkpoint request ${why}`, {});
  const proof: Uint8Array[] = [];
  let at = 0;
  let old: number | undefined;
  for (let line = 0; ; line++) {
    const nl = body.indexOf(0x0a, at);
    if (nl < 0) throw bad('has no blank line before the checkpoint');
    // Header lines are ASCII; decoding them as latin1 keeps any other byte visible to the checks.
    const text = Buffer.from(body.buffer, body.byteOffset + at, nl - at).toString('latin1');
    at = nl + 1;
    if (line === 0) {
      const m = /^old (0|[1-9][0-9]{0,15})$/.exec(text);
      if (!m || !Number.isSafeInteger(Number(m[1])))
        throw bad('does not start with "old <tree size>"');
      old = Number(m[1]);
      continue;
    }
    if (text.length === 0) break;
    if (proof.length === MAX_PROOF_LINES) throw bad(`has more than ${MAX_PROOF_LINES} proof lines`);
    const h = fromBase64Std(text);
    if (!h || h.length !== 32) throw bad(`proof line ${line} is not base64 of a 32-byte hash`);
    proof.push(h);
  }
  return { old: old!, proof, note: body.subarray(at) };
}
