import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import {
  AUDIENCE_RE,
  BUNDLE_FILES,
  KEYS_FORMAT,
  KIND,
  MANIFEST_FORMAT,
  MerkleTree,
  fromHex,
  parseEntryLine,
  parseFeedKey,
  signManifest,
  toHex,
  verifyBundle,
} from '@parley/ledger';
import type { BundleKeys, KeyPeriod, Manifest, Signer, VerifyResult } from '@parley/ledger';
import type { Store } from './store.js';

const PAGE = 5000;

/** The station that exports a bundle: it signs the manifest with its current key (§5.2). */
export interface BundleExporter {
  station: StationId;
  signer: Signer;
}

/** What an export wrote. */
export interface ExportSummary {
  dir: string;
  feeds: { station: string; size: number; checkpoints: number }[];
}

/** The key history of a stored feed, from its genesis and key-rotation entries. */
export async function keyHistory(
  store: Store,
  station: string,
): Promise<{ name: string; keys: KeyPeriod[] }> {
  let name = '';
  const keys: KeyPeriod[] = [];
  for (const e of await store.entriesOfKind(station, [KIND.genesis, KIND.keyRotation])) {
    const body = parseEntryLine(e.line).body;
    if (e.kind === KIND.genesis) {
      name = String(body.name);
      keys.push({ key: body.key as PublicKeyB64, from: 1, to: null });
    } else {
      keys[keys.length - 1]!.to = e.seq;
      keys.push({ key: body.next as PublicKeyB64, from: e.seq + 1, to: null });
    }
  }
  return { name, keys };
}

/**
 * Writes every feed the store holds as a bundle directory (manifest.json, keys.json,
 * checkpoints.jsonl, entries.jsonl; PROTOCOL.md §5). It is written to a temporary sibling and
 * renamed into place, so a failed export leaves nothing behind. The caller signs a fresh
 * checkpoint of each of the exporter's feeds first: a verifier refuses a bundle in which one of
 * the exporter's feeds runs past its latest checkpoint. Refuses a target that exists and is not
 * an empty directory.
 */
export async function exportBundle(
  store: Store,
  outArg: string,
  opts: { exporter: BundleExporter; audience?: string; now?: number },
): Promise<ExportSummary> {
  if (opts.audience !== undefined && !AUDIENCE_RE.test(opts.audience))
    throw new ParleyError(
      'PARLEY_E_AUDIENCE',
      `${JSON.stringify(opts.audience)} is not an audience id (aud_ and 24 hex digits)`,
      {},
    );
  const out = resolve(outArg);
  const outExists = await stat(out).then(
    () => true,
    () => false,
  );
  if (outExists) {
    const isEmptyDir = await readdir(out).then(
      (list) => list.length === 0,
      () => false,
    );
    if (!isEmptyDir)
      throw new ParleyError(
        'PARLEY_E_EXPORT_TARGET_EXISTS',
        `${out} exists and is not an empty directory`,
        { out },
      );
  }
  await mkdir(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.export-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    const summary: ExportSummary = { dir: out, feeds: [] };
    const keys: BundleKeys = { format: KEYS_FORMAT, stations: {} };
    const manifestFeeds: Manifest['feeds'] = {};
    const entries = await open(join(tmp, BUNDLE_FILES.entries), 'wx');
    const cps = await open(join(tmp, BUNDLE_FILES.checkpoints), 'wx');
    try {
      for (const { station } of await store.feeds()) {
        // One audience's bundle holds that audience's feeds and nothing else (ADR 0003).
        if (opts.audience !== undefined && parseFeedKey(station).audience !== opts.audience)
          continue;
        let after = 0;
        const tree = new MerkleTree();
        for (;;) {
          const page = await store.entries(station, after, PAGE);
          if (page.length === 0) break;
          await entries.write(page.map((e) => e.line + '\n').join(''));
          for (const e of page) tree.appendLeaf(fromHex(e.hash)!);
          after = page[page.length - 1]!.seq;
        }
        if (after === 0) continue;
        const checkpoints = await store.checkpoints(station);
        if (checkpoints.length > 0)
          await cps.write(checkpoints.map((c) => JSON.stringify(c) + '\n').join(''));
        keys.stations[station] = await keyHistory(store, station);
        manifestFeeds[station] = {
          size: after,
          root: toHex(tree.root()),
          checkpoints: checkpoints.length,
        };
        summary.feeds.push({ station, size: after, checkpoints: checkpoints.length });
      }
      await entries.sync();
      await cps.sync();
    } finally {
      await entries.close();
      await cps.close();
    }
    const manifest = signManifest(
      {
        format: MANIFEST_FORMAT,
        exporter: opts.exporter.station,
        ts: opts.now ?? Date.now(),
        ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
        feeds: manifestFeeds,
      },
      opts.exporter.signer,
    );
    for (const [file, value] of [
      [BUNDLE_FILES.keys, keys],
      [BUNDLE_FILES.manifest, manifest],
    ] as const) {
      const f = await open(join(tmp, file), 'wx');
      try {
        await f.writeFile(JSON.stringify(value, null, 2) + '\n');
        await f.sync();
      } finally {
        await f.close();
      }
    }
    if (outExists) await rmdir(out);
    await rename(tmp, out);
    return summary;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Verifies a bundle directory offline (see `verifyBundle` in @parley/ledger). */
export async function verifyBundleDir(
  dirArg: string,
  opts: {
    trustedKeys?: readonly PublicKeyB64[];
    onProgress?: (entries: number) => void;
    progressEvery?: number;
  } = {},
): Promise<VerifyResult> {
  const dir = resolve(dirArg);
  for (const f of Object.values(BUNDLE_FILES)) {
    // lstat, not stat: a symbolic link (to /etc/shadow, a key file, …) is refused, never followed.
    const info = await lstat(join(dir, f)).catch(() => undefined);
    if (info && !info.isFile()) {
      return {
        ok: false,
        failure: {
          code: 'PARLEY_E_BUNDLE_NOT_REGULAR',
          message: `${join(dir, f)} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; a bundle holds only regular files`,
          file: f,
        },
      };
    }
    if (!info) {
      return {
        ok: false,
        failure: {
          code: 'PARLEY_E_BUNDLE_MISSING_FILE',
          message: `${join(dir, f)} is missing`,
          file: f,
        },
      };
    }
  }
  const manifest = await readFile(join(dir, BUNDLE_FILES.manifest));
  const keys = await readFile(join(dir, BUNDLE_FILES.keys));
  const checkpoints = await readFile(join(dir, BUNDLE_FILES.checkpoints));
  const stream = createReadStream(join(dir, BUNDLE_FILES.entries), { highWaterMark: 1 << 20 });
  try {
    return await verifyBundle({
      manifest,
      keys,
      checkpoints,
      entries: stream as AsyncIterable<Uint8Array>,
      ...opts,
    });
  } finally {
    stream.destroy();
  }
}

/** Counts the lines of a bundle's entries file (to size a progress bar). */
export async function countBundleEntries(dirArg: string): Promise<number> {
  const path = join(resolve(dirArg), BUNDLE_FILES.entries);
  let n = 0;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  }
  return n;
}
