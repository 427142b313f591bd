// Builds feeds and bundles in memory from fixed seeds, for tests and for the published negative
// vectors (scripts/write-test-vectors.ts). Everything is deterministic: Ed25519 signing is, and
// every time is given.
import type { StationId } from '@parley/core';
import {
  FeedVerifier,
  GENESIS_PREV,
  KEYS_FORMAT,
  KIND,
  MANIFEST_FORMAT,
  MerkleTree,
  fromHex,
  rotationProofBytes,
  sealEntry,
  sha256,
  signCheckpoint,
  signManifest,
  signerFromSeed,
  stationIdFromKey,
  toBase64Url,
  toHex,
  utf8,
} from '@parley/ledger';
import type {
  Checkpoint,
  Manifest,
  SealedEntry,
  Signer,
  UnsignedEntry,
  VerifyBundleInput,
} from '@parley/ledger';

export const T0 = Date.UTC(2018, 8, 30, 14, 2, 0);

export const seedSigner = (label: string): Signer => signerFromSeed(sha256(utf8.encode(label)));

/** One feed written entry by entry, as its station would. */
export class FeedBuilder {
  readonly station: StationId;
  readonly entries: SealedEntry[] = [];
  readonly checkpoints: Checkpoint[] = [];
  signer: Signer;
  /** Every signer this feed has used, to sign checkpoints of earlier sizes. */
  private readonly used: Signer[] = [];

  constructor(
    readonly name: string,
    genesis: Signer,
    readonly audience: string | null = null,
    members?: string[],
  ) {
    this.signer = genesis;
    this.used.push(genesis);
    this.station = stationIdFromKey(genesis.publicKey);
    this.add(KIND.genesis, {
      name,
      key: genesis.publicKey,
      ...(members ? { members } : {}),
    });
  }

  get size(): number {
    return this.entries.length;
  }

  get head(): string {
    return this.entries[this.entries.length - 1]?.hash ?? GENESIS_PREV;
  }

  /** The unsigned entry that would come next (to tamper with before sealing). */
  next(kind: string, body: Record<string, unknown>, channel?: string): UnsignedEntry {
    const seq = this.entries.length + 1;
    const e: UnsignedEntry = {
      v: 1,
      station: this.station,
      seq,
      prev: this.head,
      ts: T0 + seq * 1000,
      kind,
      body,
    };
    if (channel) e.channel = channel;
    if (this.audience) e.audience = this.audience;
    return e;
  }

  add(kind: string, body: Record<string, unknown>, channel?: string): SealedEntry {
    const sealed = sealEntry(this.next(kind, body, channel), this.signer);
    this.entries.push(sealed);
    return sealed;
  }

  message(text: string, extra: Record<string, unknown> = {}): SealedEntry {
    return this.add(KIND.message, { precedence: 'ROUTINE', text, ...extra }, 'ops');
  }

  rotate(next: Signer): SealedEntry {
    const seq = this.entries.length + 1;
    const proof = toBase64Url(
      next.sign(rotationProofBytes(this.station, seq, next.publicKey, this.audience)),
    );
    const sealed = this.add(KIND.keyRotation, { next: next.publicKey, proof });
    this.signer = next;
    this.used.push(next);
    return sealed;
  }

  /** Signs a checkpoint over the first `size` entries (default: all) and keeps it. */
  checkpoint(size = this.size, ts = T0 + 100_000 + size): Checkpoint {
    const v = this.verifier(size);
    const cp = signCheckpoint(
      this.station,
      size,
      v.rootHex(),
      ts,
      this.signerAt(size),
      this.audience ?? undefined,
    );
    this.checkpoints.push(cp);
    return cp;
  }

  /** A verifier that has taken the first `size` entries (stopping quietly at a bad one). */
  verifier(size = this.size): FeedVerifier {
    const v = new FeedVerifier(this.station, this.audience as never);
    v.acceptEmergency = () => true;
    try {
      for (const e of this.entries.slice(0, size)) v.push(e.entry);
    } catch {
      // a deliberately bad feed: the verifier keeps what verified
    }
    return v;
  }

  /** Merkle root of all entries, bad ones included (what a manifest of this feed says). */
  rootHex(): string {
    const t = new MerkleTree();
    for (const e of this.entries) t.appendLeaf(fromHex(e.hash)!);
    return toHex(t.root());
  }

  private signerAt(size: number): Signer {
    const key = this.verifier().keyForSize(size);
    return this.used.find((s) => s.publicKey === key) ?? this.signer;
  }
}

export interface BundleText {
  manifest: string;
  keys: string;
  checkpoints: string;
  entries: string;
}

/**
 * The four files of a bundle of `feeds`, exported by `exporter` (its current signer), written as
 * `parley export` writes them.
 */
export function bundleOf(
  feeds: FeedBuilder[],
  exporter: FeedBuilder,
  opts: {
    audience?: string;
    ts?: number;
    mutateManifest?: (m: Omit<Manifest, 'sig' | 'key'>) => void;
  } = {},
): BundleText {
  const keys: Record<string, unknown> = {};
  const mf: Manifest['feeds'] = {};
  for (const f of feeds) {
    const key = f.audience ? `${f.station}/${f.audience}` : f.station;
    const v = f.verifier();
    keys[key] = { name: f.name, keys: v.keys.map((k) => ({ ...k })) };
    mf[key] = { size: f.size, root: f.rootHex(), checkpoints: f.checkpoints.length };
  }
  const unsigned = {
    format: MANIFEST_FORMAT,
    exporter: exporter.station,
    ts: opts.ts ?? T0 + 200_000,
    ...(opts.audience ? { audience: opts.audience } : {}),
    feeds: mf,
  } as Omit<Manifest, 'sig' | 'key'>;
  opts.mutateManifest?.(unsigned);
  return {
    manifest: JSON.stringify(signManifest(unsigned, exporter.signer), null, 2) + '\n',
    keys: JSON.stringify({ format: KEYS_FORMAT, stations: keys }, null, 2) + '\n',
    checkpoints: feeds.flatMap((f) => f.checkpoints.map((c) => JSON.stringify(c) + '\n')).join(''),
    entries: feeds.flatMap((f) => f.entries.map((e) => e.line + '\n')).join(''),
  };
}

/** A bundle's text as `verifyBundle` input (entries in one chunk). */
export function inputOf(b: BundleText, extra: Partial<VerifyBundleInput> = {}): VerifyBundleInput {
  return {
    manifest: utf8.encode(b.manifest),
    keys: utf8.encode(b.keys),
    checkpoints: utf8.encode(b.checkpoints),
    entries: [utf8.encode(b.entries)],
    ...extra,
  };
}
