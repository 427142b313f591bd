// Builds the published signed-note test vectors (docs/test-vectors/signed-note-v1.json) from
// fixed seeds. `scripts/write-note-vectors.ts` writes the file; `note-vectors.test.ts` checks
// that code and file agree and checks the file with raw node:crypto.
import {
  MerkleTree,
  checkpointOrigin,
  checkpointNoteText,
  cosignNoteLine,
  cosignedMessage,
  formatAddCheckpoint,
  formatVkey,
  fromHex,
  signCheckpointNote,
  signerFromSeed,
  toHex,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  WITNESS_NAME_PREFIX,
} from '@parley/ledger';
import { seedOf } from './vectors.js';

/** The example of the Go reference implementation (golang.org/x/mod/sumdb/note), known answers. */
export const GO_REFERENCE = {
  source: 'golang.org/x/mod/sumdb/note tests (TestSign, TestOpen): the PeterNeumann key and note',
  vkey: 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  skey: 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
  text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
  note:
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n" +
    '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
  key_id: 'c74f20a3',
};

/**
 * `leaves`: the Merkle leaf hashes (hex) of the four entries of ledger-v1.json, whose station is
 * `station` and whose checkpoint of size 4 is signed by key 2.
 */
export function makeNoteVectors(station: string, leaves: readonly string[]) {
  const k2 = signerFromSeed(seedOf('parley test vector key 2'));
  const witness = signerFromSeed(seedOf('parley test vector witness key'));
  const tree = new MerkleTree();
  for (const l of leaves) tree.appendLeafHash(fromHex(l)!);
  const root = toHex(tree.root());
  const origin = checkpointOrigin(station);
  const text = checkpointNoteText(origin, 4, root);
  const note = signCheckpointNote(station, null, 4, root, k2);
  const witnessName = `${WITNESS_NAME_PREFIX}${station}`;
  const time = 1538316131n;
  const cosignature = cosignNoteLine(text, witnessName, witness, time);
  const proof = tree.consistencyProof(3, 4);
  return {
    description:
      'C2SP signed notes, checkpoint notes and cosignatures (docs/PROTOCOL.md §4.1–§4.2). Keys: Ed25519 seeds = SHA-256 of the label. Hashes hex, signatures as in their line.',
    go_reference: GO_REFERENCE,
    checkpoint_note: {
      seed_label: 'parley test vector key 2',
      origin,
      key_name: origin,
      vkey: formatVkey(origin, k2.publicKey, SIG_TYPE_ED25519),
      size: 4,
      root,
      text,
      note,
    },
    cosignature: {
      seed_label: 'parley test vector witness key',
      witness_name: witnessName,
      vkey: formatVkey(witnessName, witness.publicKey, SIG_TYPE_COSIGNATURE_V1),
      time: Number(time),
      signed_message: Buffer.from(cosignedMessage(text, time)).toString('utf8'),
      line: cosignature,
      cosigned_note: `${note}${cosignature}\n`,
    },
    add_checkpoint: {
      old: 3,
      proof: proof.map(toHex),
      body: formatAddCheckpoint(3, proof, note),
    },
  };
}
