import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import { fromBase64Url, fromHex, toBase64, toBase64Url, utf8 } from './hash.js';
import type { Signer } from './keys.js';
import { verifySignature } from './keys.js';

/**
 * A signed checkpoint (signed tree head) of one station's feed. The signed bytes are a
 * C2SP tlog-checkpoint note body (origin line, tree size, base64 root hash, then one extension
 * line with the time), so a checkpoint can be re-expressed as a standard signed note.
 */
export const CheckpointSchema = Type.Object(
  {
    station: Type.String({ pattern: '^stn_[0-9a-f]{24}$', description: 'whose feed' }),
    audience: Type.Optional(
      Type.String({
        pattern: '^aud_[0-9a-f]{24}$',
        description: "which of the station's audience feeds; absent for its identity feed",
      }),
    ),
    size: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'number of entries covered',
    }),
    root: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'RFC 9162 Merkle tree hash of entries 1..size, hex',
    }),
    ts: Type.Integer({ minimum: 0, maximum: 8.64e15, description: 'UTC ms when it was signed' }),
    sig: Type.String({
      pattern: '^[A-Za-z0-9_-]{86}$',
      description: 'Ed25519 signature over the note body',
    }),
  },
  { additionalProperties: false },
);
export type Checkpoint = Static<typeof CheckpointSchema>;

const checkpointCheck = TypeCompiler.Compile(CheckpointSchema);

/** The C2SP note body that a checkpoint signature covers. */
export function checkpointBody(
  station: string,
  size: number,
  rootHex: string,
  ts: number,
  audience?: string,
): string {
  const root = fromHex(rootHex);
  if (!root || root.length !== 32) {
    throw new ParleyError(
      'PARLEY_E_CHECKPOINT_MALFORMED',
      `checkpoint root ${JSON.stringify(rootHex)} is not 32 bytes of hex`,
      {},
    );
  }
  const origin = audience ? `${station}/${audience}` : station;
  return `parley.checkpoint/v1/${origin}\n${size}\n${toBase64(root)}\ntime ${ts}\n`;
}

/** Signs a checkpoint for `size` entries with Merkle root `rootHex`. */
export function signCheckpoint(
  station: StationId,
  size: number,
  rootHex: string,
  ts: number,
  signer: Signer,
  audience?: string,
): Checkpoint {
  const body = checkpointBody(station, size, rootHex, ts, audience);
  const sig = toBase64Url(signer.sign(utf8.encode(body)));
  return audience
    ? { station, audience, size, root: rootHex, ts, sig }
    : { station, size, root: rootHex, ts, sig };
}

/** True when the checkpoint's signature verifies under `key`. Never throws. */
export function verifyCheckpointSignature(cp: Checkpoint, key: PublicKeyB64): boolean {
  const sig = fromBase64Url(cp.sig);
  if (!sig) return false;
  try {
    return verifySignature(
      key,
      utf8.encode(checkpointBody(cp.station, cp.size, cp.root, cp.ts, cp.audience)),
      sig,
    );
  } catch {
    return false;
  }
}

/** Parses and schema-checks a checkpoint line, or throws `PARLEY_E_CHECKPOINT_MALFORMED`. */
export function parseCheckpointLine(line: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new ParleyError(
      'PARLEY_E_CHECKPOINT_MALFORMED',
      // Never the parser's message: it quotes the text, which may come from any file.
      `checkpoint is not JSON (${(err as Error).name})`,
      {},
    );
  }
  if (!checkpointCheck.Check(value)) {
    const first = checkpointCheck.Errors(value).First();
    throw new ParleyError(
      'PARLEY_E_CHECKPOINT_MALFORMED',
      `checkpoint ${first ? `${first.path || '/'}: ${first.message}` : 'is malformed'}`,
      {},
    );
  }
  return value;
}
