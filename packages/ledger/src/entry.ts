import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CHANNEL_RE, ParleyError } from '@parley/core';
import type { HashHex, PublicKeyB64, StationId } from '@parley/core';
import { canonicalBytes } from './canonical-json.js';
import { sha256, toBase64Url, toHex } from './hash.js';
import type { Signer } from './keys.js';

/** The entry format version this implementation writes and reads. */
export const ENTRY_VERSION = 1;
/** `prev` of the first entry of every feed: 64 zeros. */
export const GENESIS_PREV = '0'.repeat(64) as HashHex;
/** The largest entry, as its JSON line in UTF-8 bytes. Larger entries are refused on write and on read. */
export const MAX_ENTRY_BYTES = 64 * 1024;

/** Entry kinds the ledger itself gives meaning to. Other kinds are allowed (the format is extensible). */
export const KIND = {
  genesis: 'genesis',
  keyRotation: 'key-rotation',
  keyRepin: 'key-repin',
  message: 'message',
  receipt: 'receipt',
  heartbeat: 'heartbeat',
  checkpoint: 'checkpoint',
  cosignature: 'cosignature',
  alarm: 'alarm',
} as const;

/** A signed feed entry as it travels and as it is exported (one per line of entries.jsonl). */
export const EntrySchema = Type.Object(
  {
    v: Type.Literal(ENTRY_VERSION, { description: 'entry format version' }),
    station: Type.String({
      pattern: '^stn_[0-9a-f]{24}$',
      description: 'the feed owner, derived from its genesis key',
    }),
    seq: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: '1, 2, 3, … with no gaps',
    }),
    prev: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'hex SHA-256 of the previous entry; 64 zeros for seq 1',
    }),
    ts: Type.Integer({
      minimum: 0,
      maximum: 8.64e15,
      description: 'UTC milliseconds since the epoch',
    }),
    kind: Type.String({
      pattern: '^[a-z][a-z0-9-]{0,31}$',
      description: 'what the entry is: message, receipt, …',
    }),
    channel: Type.Optional(
      Type.String({ pattern: CHANNEL_RE.source, description: 'channel name, if any' }),
    ),
    audience: Type.Optional(
      Type.String({
        pattern: '^aud_[0-9a-f]{24}$',
        description: 'the audience feed this entry belongs to; absent in the identity feed',
      }),
    ),
    body: Type.Record(Type.String(), Type.Unknown(), { description: 'kind-specific content' }),
    sig: Type.String({
      pattern: '^[A-Za-z0-9_-]{86}$',
      description:
        'base64url Ed25519 signature over the RFC 8785 canonical JSON of the entry without sig',
    }),
  },
  { additionalProperties: false },
);

export type Entry = Static<typeof EntrySchema>;
/** An entry before it is signed. */
export type UnsignedEntry = Omit<Entry, 'sig'>;

const entryCheck = TypeCompiler.Compile(EntrySchema);

/** A signed entry with its hash and its exact JSON line. */
export interface SealedEntry {
  readonly entry: Entry;
  readonly hash: HashHex;
  readonly line: string;
}

/** The bytes that are hashed and signed: RFC 8785 canonical JSON of the entry without `sig`. */
export function signingBytes(entry: UnsignedEntry | Entry): Uint8Array {
  if ('sig' in entry) {
    const { sig: _sig, ...rest } = entry;
    return canonicalBytes(rest);
  }
  return canonicalBytes(entry);
}

/** The entry hash: SHA-256 of its signing bytes, lower-case hex. */
export function entryHash(entry: UnsignedEntry | Entry): HashHex {
  return toHex(sha256(signingBytes(entry))) as HashHex;
}

/** Hashes and signs an entry. Throws `PARLEY_E_ENTRY_TOO_LARGE` past `MAX_ENTRY_BYTES`. */
export function sealEntry(unsigned: UnsignedEntry, signer: Signer): SealedEntry {
  const bytes = signingBytes(unsigned);
  if (bytes.length + 100 > MAX_ENTRY_BYTES) {
    throw new ParleyError(
      'PARLEY_E_ENTRY_TOO_LARGE',
      `entry of kind ${unsigned.kind} is ${bytes.length} bytes; the limit is ${MAX_ENTRY_BYTES}`,
      { bytes: bytes.length, limit: MAX_ENTRY_BYTES },
    );
  }
  const hash = toHex(sha256(bytes)) as HashHex;
  const sig = toBase64Url(signer.sign(bytes));
  const entry = { ...unsigned, sig } as Entry;
  return { entry, hash, line: withSig(bytes, sig) };
}

const decoder = new TextDecoder();

/**
 * The canonical line of a signed entry, without canonicalising twice: in RFC 8785 key order
 * "sig" falls between "seq" and "station", and the top-level `,"station":"` is the last one in
 * the text (only station, ts and v follow it, none of which can contain it).
 */
function withSig(signingBytes: Uint8Array, sig: string): string {
  const text = decoder.decode(signingBytes);
  const at = text.lastIndexOf(',"station":"');
  return `${text.slice(0, at)},"sig":"${sig}"${text.slice(at)}`;
}

/**
 * Parses one entry line (from a bundle or a peer) and checks it against the schema.
 * Throws `PARLEY_E_ENTRY_TOO_LARGE`, `PARLEY_E_ENTRY_MALFORMED` or `PARLEY_E_ENTRY_VERSION`.
 * It does not check the signature or the chain: `FeedVerifier` does.
 */
export function parseEntryLine(line: string): Entry {
  if (line.length > MAX_ENTRY_BYTES) {
    throw new ParleyError(
      'PARLEY_E_ENTRY_TOO_LARGE',
      `entry line is ${line.length} characters; the limit is ${MAX_ENTRY_BYTES}`,
      {
        length: line.length,
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new ParleyError(
      'PARLEY_E_ENTRY_MALFORMED',
      // Never the parser's message: it quotes the text, which may come from any file.
      `entry is not JSON (${(err as Error).name})`,
      {},
    );
  }
  return parseEntry(value);
}

/** Checks a parsed value against the entry schema (see `parseEntryLine`). */
export function parseEntry(value: unknown): Entry {
  if (typeof value === 'object' && value !== null && 'v' in value && value.v !== ENTRY_VERSION) {
    throw new ParleyError(
      'PARLEY_E_ENTRY_VERSION',
      `entry format version ${JSON.stringify(value.v)} is not ${ENTRY_VERSION}`,
      {
        version: value.v,
      },
    );
  }
  if (!entryCheck.Check(value)) {
    const first = entryCheck.Errors(value).First();
    const where = first ? `${first.path || '/'}: ${first.message}` : 'does not match the schema';
    throw new ParleyError('PARLEY_E_ENTRY_MALFORMED', `entry ${where}`, { path: first?.path });
  }
  return value;
}

/**
 * Body of the genesis entry (seq 1): the station's name and first public key. The genesis of an
 * audience feed also names the audience's members (sorted station ids).
 */
export interface GenesisBody {
  name: string;
  key: PublicKeyB64;
  members?: string[];
}

/** Body of a key-rotation entry: the next key, and its signature over `rotationProofBytes`. */
export interface KeyRotationBody {
  next: PublicKeyB64;
  proof: string;
}

/**
 * What the incoming key signs to accept a rotation, so nobody can rotate a station onto a key
 * it does not hold: `parley-key-rotation/v1\n<feed>\n<seq>\n<next key>\n`, where the feed is
 * the station id (identity feed) or `<station>/<audience>` (an audience feed).
 */
export function rotationProofBytes(
  station: StationId,
  seq: number,
  next: PublicKeyB64,
  audience?: string | null,
): Uint8Array {
  const feed = audience ? `${station}/${audience}` : station;
  return new TextEncoder().encode(`parley-key-rotation/v1\n${feed}\n${seq}\n${next}\n`);
}
