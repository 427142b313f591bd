// Builds the published ledger test vectors (docs/test-vectors/ledger-v1.json) from fixed seeds.
// `scripts/write-test-vectors.ts` writes the file; `vectors.test.ts` checks code and file agree.
import type { StationId } from '@parley/core';
import {
  GENESIS_PREV,
  KIND,
  MerkleTree,
  checkpointBody,
  rotationProofBytes,
  safetyNumber,
  sealEntry,
  sha256,
  signCheckpoint,
  signerFromSeed,
  signingBytes,
  stationIdFromKey,
  toBase64Url,
  toHex,
  utf8,
} from '@parley/ledger';
import type { UnsignedEntry } from '@parley/ledger';

export function seedOf(label: string): Uint8Array {
  return sha256(utf8.encode(label));
}

export function makeVectors() {
  const seed1 = seedOf('parley test vector key 1');
  const seed2 = seedOf('parley test vector key 2');
  const k1 = signerFromSeed(seed1);
  const k2 = signerFromSeed(seed2);
  const station = stationIdFromKey(k1.publicKey) as StationId;
  const t0 = Date.UTC(2018, 8, 30, 14, 2, 0); // 301402Z SEP 18
  const bodies: {
    kind: string;
    channel?: string;
    body: Record<string, unknown>;
    signer: 'key1' | 'key2';
  }[] = [
    { kind: KIND.genesis, body: { name: 'Test Station Alpha', key: k1.publicKey }, signer: 'key1' },
    {
      kind: KIND.message,
      channel: 'ops',
      body: { precedence: 'FLASH', text: 'I am maneuvering to avoid you. 我正在机动避让你。' },
      signer: 'key1',
    },
    {
      kind: KIND.keyRotation,
      body: {
        next: k2.publicKey,
        proof: toBase64Url(k2.sign(rotationProofBytes(station, 3, k2.publicKey))),
      },
      signer: 'key1',
    },
    {
      kind: KIND.message,
      channel: 'ops',
      body: { precedence: 'ROUTINE', text: 'Signed by the second key.' },
      signer: 'key2',
    },
  ];
  const tree = new MerkleTree();
  let prev = GENESIS_PREV as string;
  const entries = bodies.map((b, i) => {
    const unsigned: UnsignedEntry = {
      v: 1,
      station,
      seq: i + 1,
      prev,
      ts: t0 + i * 1000,
      kind: b.kind,
      body: b.body,
    };
    if (b.channel) unsigned.channel = b.channel;
    const sealed = sealEntry(unsigned, b.signer === 'key1' ? k1 : k2);
    tree.appendLeaf(sha256(signingBytes(unsigned)));
    prev = sealed.hash;
    return {
      signer: b.signer,
      signing_bytes: new TextDecoder().decode(signingBytes(unsigned)),
      hash: sealed.hash,
      sig: sealed.entry.sig,
      line: sealed.line,
      merkle_leaf_hash: toHex(tree.leafHashAt(i)),
      merkle_root_after: toHex(tree.root()),
    };
  });
  const cpTs = t0 + 10_000;
  const cp = signCheckpoint(station, 4, toHex(tree.root()), cpTs, k2);
  return {
    description:
      'Parley ledger format v1 test vectors. Keys are Ed25519 from 32-byte seeds; seed = SHA-256(UTF-8 label). Signatures are deterministic (RFC 8032).',
    keys: {
      key1: {
        seed_label: 'parley test vector key 1',
        seed: toHex(seed1),
        public: k1.publicKey,
        safety_number: safetyNumber(k1.publicKey),
      },
      key2: {
        seed_label: 'parley test vector key 2',
        seed: toHex(seed2),
        public: k2.publicKey,
        safety_number: safetyNumber(k2.publicKey),
      },
    },
    station,
    entries,
    checkpoint: { body: checkpointBody(station, 4, cp.root, cpTs), signer: 'key2', json: cp },
  };
}
