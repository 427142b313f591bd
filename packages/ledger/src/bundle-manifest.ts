import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ParleyError } from '@parley/core';
import type { PublicKeyB64 } from '@parley/core';
import { canonicalize } from './canonical-json.js';
import { fromBase64Url, toBase64Url, utf8 } from './hash.js';
import type { Signer } from './keys.js';
import { parsePublicKey, verifySignature } from './keys.js';
import { parseStrictJson } from './strict-json.js';

/**
 * `manifest.json` of a bundle (PROTOCOL.md §5.2): who exported it, with which key, and what
 * each feed held at export (size, Merkle root, number of checkpoints), signed by the exporter.
 * A bundle that has lost a feed, a tail or its checkpoints on the way no longer matches it.
 */
export const MANIFEST_FORMAT = 'parley-bundle/1';
/** Prefix of the signed bytes, so a manifest signature can never pass for another signed object. */
export const MANIFEST_SIGNING_PREFIX = 'parley-bundle/v1\n';

const FEED_KEY = '^stn_[0-9a-f]{24}(/aud_[0-9a-f]{24})?$';

export const ManifestSchema = Type.Object(
  {
    format: Type.Literal(MANIFEST_FORMAT),
    exporter: Type.String({ pattern: '^stn_[0-9a-f]{24}$', description: 'exporting station' }),
    key: Type.String({
      pattern: '^[A-Za-z0-9_-]{43}$',
      description: "the exporter's current key, which signs the manifest",
    }),
    ts: Type.Integer({ minimum: 0, maximum: 8.64e15, description: 'UTC ms of the export' }),
    audience: Type.Optional(
      Type.String({ pattern: '^aud_[0-9a-f]{24}$', description: 'set for `export --audience`' }),
    ),
    feeds: Type.Record(
      Type.String({ pattern: FEED_KEY }),
      Type.Object(
        {
          size: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
          root: Type.String({ pattern: '^[0-9a-f]{64}$' }),
          checkpoints: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        },
        { additionalProperties: false },
      ),
    ),
    sig: Type.String({ pattern: '^[A-Za-z0-9_-]{86}$' }),
  },
  { additionalProperties: false },
);
export type Manifest = Static<typeof ManifestSchema>;
export type UnsignedManifest = Omit<Manifest, 'sig'>;

const manifestCheck = TypeCompiler.Compile(ManifestSchema);

/** The bytes a manifest signature covers: the prefix, then RFC 8785 JSON of the manifest without `sig`. */
export function manifestSigningBytes(m: UnsignedManifest | Manifest): Uint8Array {
  const { sig: _sig, ...rest } = m as Manifest;
  return utf8.encode(MANIFEST_SIGNING_PREFIX + canonicalize(rest));
}

/** Signs a manifest with the exporter's current key. */
export function signManifest(m: Omit<UnsignedManifest, 'key'>, signer: Signer): Manifest {
  const unsigned: UnsignedManifest = { ...m, key: signer.publicKey };
  return { ...unsigned, sig: toBase64Url(signer.sign(manifestSigningBytes(unsigned))) };
}

/** Parses manifest.json strictly (§0) and checks its schema and key (§1). */
export function parseManifest(text: string): Manifest {
  const value = parseStrictJson(text, 'PARLEY_E_BUNDLE_MANIFEST', 'manifest.json');
  if (!manifestCheck.Check(value)) {
    const first = manifestCheck.Errors(value).First();
    throw new ParleyError(
      'PARLEY_E_BUNDLE_MANIFEST',
      `manifest.json ${first ? `${first.path || '/'}: ${first.message}` : 'is malformed'}`,
      {},
    );
  }
  try {
    parsePublicKey(value.key);
  } catch (err) {
    throw new ParleyError(
      'PARLEY_E_BUNDLE_MANIFEST',
      `manifest.json key refused: ${(err as Error).message}`,
      {},
    );
  }
  return value;
}

/** What the verifier found of one feed, to hold against the manifest. */
export interface FeedFound {
  feed: string;
  station: string;
  audience: string | null;
  size: number;
  root: string;
  checkpoints: number;
  /** The key in force at the end of the feed. */
  currentKey: PublicKeyB64 | undefined;
}

/**
 * Holds the manifest against the bundle, in this order: the exporter has a feed in the bundle
 * and `key` is the current key of each of its feeds; the signature; with `audience`, every feed
 * is of it; each feed the manifest names (in sorted order) is in the bundle with the same size,
 * root and number of checkpoints; no feed of the bundle is missing from it.
 * Throws `PARLEY_E_BUNDLE_MANIFEST` with a message saying what differs.
 */
export function checkManifest(m: Manifest, found: readonly FeedFound[]): void {
  const fail = (why: string): never => {
    throw new ParleyError('PARLEY_E_BUNDLE_MANIFEST', `manifest.json: ${why}`, {});
  };
  const own = found.filter((f) => f.station === m.exporter);
  if (own.length === 0) fail(`the exporter ${m.exporter} has no feed in the bundle`);
  for (const f of own) {
    if (f.currentKey !== m.key)
      fail(
        `key ${m.key} is not the current key of the exporter's feed ${f.feed} (${f.currentKey})`,
      );
  }
  const sig = fromBase64Url(m.sig);
  if (!sig || !verifySignature(m.key as PublicKeyB64, manifestSigningBytes(m), sig))
    fail(`the signature does not verify under ${m.key}`);
  if (m.audience !== undefined) {
    const other = found.find((f) => f.audience !== m.audience);
    if (other) fail(`the bundle is of audience ${m.audience} but holds feed ${other.feed}`);
  }
  const byFeed = new Map(found.map((f) => [f.feed, f]));
  for (const feed of Object.keys(m.feeds).sort()) {
    const want = m.feeds[feed]!;
    const f = byFeed.get(feed);
    if (!f) fail(`feed ${feed} (${want.size} entries) is missing from the bundle`);
    else if (f.size !== want.size)
      fail(`feed ${feed} has ${f.size} entries in the bundle, ${want.size} at export`);
    else if (f.root !== want.root)
      fail(`feed ${feed} has root ${f.root} in the bundle, ${want.root} at export`);
    else if (f.checkpoints !== want.checkpoints)
      fail(
        `feed ${feed} has ${f.checkpoints} checkpoints in the bundle, ${want.checkpoints} at export`,
      );
  }
  for (const f of found)
    if (!(f.feed in m.feeds)) fail(`feed ${f.feed} is in the bundle but not in the manifest`);
}
