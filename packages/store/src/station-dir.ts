import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ParleyError, parseStationName } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import {
  audienceId,
  feedKey,
  generateIdentity,
  KIND,
  keyId,
  parseEntryLine,
  parseFeedKey,
  parsePublicKey,
  safetyNumber,
  signerFromPem,
  stationIdFromKey,
} from '@parley/ledger';
import type { AudienceId, SealedEntry, Signer } from '@parley/ledger';
import { FeedWriter } from './feed-writer.js';
import { keyHistory } from './bundle-files.js';
import type { Clock } from './feed-writer.js';
import { SqliteStore } from './sqlite-store.js';
import { parseStoreUrl, PgStore, redactStoreUrl } from './pg-store.js';
import type { PeerRecord, Store } from './store.js';

export const STATION_FILE = 'station.json';
export const KEYS_DIR = 'keys';
export const DB_FILE = 'parley.db';
/** The track picture's own SQLite file beside the transcript (ADR 0002). */
export const TRACKS_FILE = 'tracks.sqlite';
/** The database password, when the store URL given to `parley init` held one (mode 0600). */
export const STORE_SECRET_FILE = 'store.secret';
export const STATION_FORMAT = 'parley-station/1';
/** Metadata key recording which station a database belongs to. */
const STATION_META = 'station';

/** Where a station's store lives: a SQLite file in the data directory, or a PostgreSQL database. */
export type StoreLocation =
  { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/** `station.json`: who this station is and where its store lives. Holds no secret. */
export interface StationConfig {
  format: typeof STATION_FORMAT;
  station: StationId;
  name: string;
  created: number;
  /** For PostgreSQL the URL is kept without its password (that is in `store.secret`, 0600). */
  store: StoreLocation;
}

/**
 * Opens the store a station directory names: its SQLite file, or its PostgreSQL database
 * (`storeUrl`, e.g. from `parley start --store`, overrides the URL in `station.json`). The
 * database must belong to this station.
 */
export async function openStationStore(
  dirArg: string,
  opts: { storeUrl?: string; config?: StationConfig } = {},
): Promise<Store> {
  const dir = resolve(dirArg);
  const config = opts.config ?? (await readStationConfig(dir));
  let store: Store;
  if (opts.storeUrl !== undefined || config.store.engine === 'postgres') {
    let url = opts.storeUrl;
    if (url === undefined && config.store.engine === 'postgres') {
      const u = new URL(config.store.url);
      const secret = await readStoreSecret(join(dir, STORE_SECRET_FILE));
      if (secret !== undefined) u.password = encodeURIComponent(secret.trim());
      url = u.href;
    }
    store = await PgStore.open(url!);
  } else {
    store = await SqliteStore.open(join(dir, (config.store as { file: string }).file));
  }
  try {
    const owner = await store.getMeta(STATION_META);
    if (owner !== undefined && owner !== config.station) {
      throw new ParleyError(
        'PARLEY_E_STATION_CORRUPT',
        `the database holds station ${owner}, not this directory's ${config.station}`,
        { dir, owner },
      );
    }
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/**
 * The database password in `store.secret`, or undefined when there is no such file. Refused with
 * `PARLEY_E_SECRET_FILE_PERMISSIONS` when others may read it (any group or other bit), as a
 * private key file is: a secret left readable is a secret shared.
 */
async function readStoreSecret(path: string): Promise<string | undefined> {
  // No secret file: the URL carries its own credentials. Any other failure (permissions, I/O)
  // is not hidden behind a connection refused later.
  const info = await stat(path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  });
  if (!info) return undefined;
  if ((info.mode & 0o077) !== 0) {
    throw new ParleyError(
      'PARLEY_E_SECRET_FILE_PERMISSIONS',
      `${path} has mode ${(info.mode & 0o777).toString(8)}; a secret file must be 600 (chmod 600 ${path})`,
      { path },
    );
  }
  return readFile(path, 'utf8');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes a file durably: create-exclusive with the given mode, write, fsync. */
async function writeNewFile(path: string, data: string, mode: number): Promise<void> {
  const fh = await open(path, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function fsyncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a private key as a 0600 file in `keys/`, named by its key id. */
async function writeKeyFile(
  dir: string,
  publicKey: PublicKeyB64,
  privatePem: string,
): Promise<string> {
  const keysDir = join(dir, KEYS_DIR);
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const path = join(keysDir, `${keyId(publicKey)}.key`);
  await writeNewFile(path, privatePem, 0o600);
  await fsyncDir(keysDir);
  return path;
}

/**
 * Creates a station in `dir`: an Ed25519 identity key (a 0600 file under `keys/`), the SQLite
 * store, and the feed's genesis entry. Everything is built in a sibling temporary directory and
 * renamed into place, so a crash leaves either no station or a whole one. Refuses to overwrite.
 */
export async function initStation(
  dirArg: string,
  nameArg: string,
  opts: {
    clock?: Clock;
    /** A `postgres://` URL: keep the store in that (empty) database instead of SQLite. */
    storeUrl?: string;
  } = {},
): Promise<{ config: StationConfig; publicKey: PublicKeyB64 }> {
  const name = parseStationName(nameArg);
  const dir = resolve(dirArg);
  const pgUrl = opts.storeUrl === undefined ? undefined : parseStoreUrl(opts.storeUrl);
  if (await exists(join(dir, STATION_FILE))) {
    throw new ParleyError('PARLEY_E_STATION_EXISTS', `a station already exists in ${dir}`, { dir });
  }
  const dirExists = await exists(dir);
  if (dirExists && (await readdir(dir)).length > 0) {
    throw new ParleyError(
      'PARLEY_E_DATA_DIR_NOT_EMPTY',
      `${dir} is not empty and holds no station`,
      { dir },
    );
  }
  await mkdir(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.init-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp, { mode: 0o700 });
  try {
    const identity = generateIdentity();
    await writeKeyFile(tmp, identity.publicKey, identity.privatePem);
    const signer = signerFromPem(identity.privatePem);
    const station = stationIdFromKey(identity.publicKey);
    let location: StoreLocation = { engine: 'sqlite', file: DB_FILE };
    let store: Store;
    if (pgUrl) {
      store = await PgStore.open(pgUrl.href);
      const held = (await store.getMeta(STATION_META)) ?? (await store.feeds())[0]?.station;
      if (held !== undefined) {
        await store.close();
        throw new ParleyError(
          'PARLEY_E_STATION_EXISTS',
          `the database ${redactStoreUrl(pgUrl.href)} already holds station ${held}; give each station its own database`,
          { dir, station: held },
        );
      }
      const bare = new URL(pgUrl.href);
      if (bare.password) {
        await writeNewFile(
          join(tmp, STORE_SECRET_FILE),
          decodeURIComponent(bare.password) + '\n',
          0o600,
        );
        bare.password = '';
      }
      location = { engine: 'postgres', url: bare.href };
    } else {
      store = await SqliteStore.open(join(tmp, DB_FILE));
    }
    try {
      await store.setMeta(STATION_META, station);
      const writer = await FeedWriter.open(store, station, signer, opts);
      await writer.append({ kind: KIND.genesis, body: { name, key: identity.publicKey } });
      await writer.checkpoint();
    } finally {
      await store.close();
    }
    const config: StationConfig = {
      format: STATION_FORMAT,
      station,
      name,
      created: (opts.clock ?? { now: Date.now }).now(),
      store: location,
    };
    await writeNewFile(join(tmp, STATION_FILE), JSON.stringify(config, null, 2) + '\n', 0o644);
    await fsyncDir(tmp);
    if (dirExists) await rmdir(dir);
    await rename(tmp, dir);
    await fsyncDir(dirname(dir));
    return { config, publicKey: identity.publicKey };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Reads `station.json`, or throws `PARLEY_E_STATION_NOT_FOUND` / `PARLEY_E_STATION_CORRUPT`. */
export async function readStationConfig(dirArg: string): Promise<StationConfig> {
  const dir = resolve(dirArg);
  let text: string;
  try {
    text = await readFile(join(dir, STATION_FILE), 'utf8');
  } catch {
    throw new ParleyError(
      'PARLEY_E_STATION_NOT_FOUND',
      `no station in ${dir} (run \`parley init --data ${dirArg}\` first)`,
      { dir },
    );
  }
  let config: StationConfig;
  try {
    config = JSON.parse(text) as StationConfig;
  } catch (err) {
    throw new ParleyError(
      'PARLEY_E_STATION_CORRUPT',
      `${join(dir, STATION_FILE)} is not JSON: ${(err as Error).message}`,
      { dir },
    );
  }
  const store = config.store as
    Partial<{ engine: string; file: unknown; url: unknown }> | undefined;
  if (
    config.format !== STATION_FORMAT ||
    typeof config.station !== 'string' ||
    !(
      (store?.engine === 'sqlite' && typeof store.file === 'string') ||
      (store?.engine === 'postgres' && typeof store.url === 'string')
    )
  ) {
    throw new ParleyError(
      'PARLEY_E_STATION_CORRUPT',
      `${join(dir, STATION_FILE)} is not a ${STATION_FORMAT} file`,
      { dir },
    );
  }
  return config;
}

/** The current public key of a stored feed, following its genesis and key-rotation entries. */
export async function currentKey(store: Store, station: string): Promise<PublicKeyB64> {
  const entries = await store.entriesOfKind(station, [KIND.genesis, KIND.keyRotation]);
  let key: PublicKeyB64 | undefined;
  for (const e of entries) {
    const body = parseEntryLine(e.line).body;
    key = (e.kind === KIND.genesis ? body.key : body.next) as PublicKeyB64;
  }
  if (!key)
    throw new ParleyError(
      'PARLEY_E_STATION_CORRUPT',
      `the feed of ${station} has no genesis entry`,
      { station },
    );
  return key;
}

/**
 * Keys this station has re-pinned for `peer` (its own `key-repin` entries, §2.2): the keys an
 * emergency rotation of that peer may move to, and that its link accepts meanwhile.
 */
export async function repinsFor(store: Store, self: string, peer: string): Promise<PublicKeyB64[]> {
  const out: PublicKeyB64[] = [];
  for (const r of await ownEntriesOfKind(store, self, KIND.keyRepin)) {
    const b = parseEntryLine(r.line).body;
    if (b.station === peer && typeof b.key === 'string') out.push(b.key as PublicKeyB64);
  }
  return out;
}

/** Entries of one kind in all of a station's own feeds (identity and audiences). */
async function ownEntriesOfKind(store: Store, self: string, kind: string) {
  const out = [];
  for (const f of await store.feeds())
    if (parseFeedKey(f.station).station === self)
      out.push(...(await store.entriesOfKind(f.station, [kind])));
  return out;
}

/** One key of a peer as this station has verified it: the seqs it signs and when it started. */
export interface PeerKeyView {
  key: PublicKeyB64;
  safety: string;
  from: number;
  to: number | null;
  /** Time of the entry that brought the key in (genesis, or the key rotation). */
  since: number;
  /** Brought in by an emergency rotation (accepted on a re-pin). */
  emergency: boolean;
}

/** A re-pin this station recorded for a peer. */
export interface RepinView {
  key: PublicKeyB64;
  safety: string;
  by: string;
  at: number;
  seq: number;
  /** The peer's verified feed has rotated onto this key. */
  applied: boolean;
}

/** A peer's key history as verified here, and the re-pins recorded for it. */
export async function peerKeys(
  store: Store,
  self: string,
  peer: PeerRecord,
): Promise<{ pinned: PublicKeyB64; keys: PeerKeyView[]; repins: RepinView[] }> {
  const keys: PeerKeyView[] = [];
  for (const e of await store.entriesOfKind(peer.station, [KIND.genesis, KIND.keyRotation])) {
    const body = parseEntryLine(e.line).body;
    const genesis = e.kind === KIND.genesis;
    const key = (genesis ? body.key : body.next) as PublicKeyB64;
    const last = keys[keys.length - 1];
    if (last) last.to = e.seq;
    keys.push({
      key,
      safety: safetyNumber(key),
      from: genesis ? 1 : e.seq + 1,
      to: null,
      since: e.ts,
      emergency: !genesis && body.emergency === true,
    });
  }
  const repins: RepinView[] = [];
  for (const r of await ownEntriesOfKind(store, self, KIND.keyRepin)) {
    const b = parseEntryLine(r.line).body;
    if (b.station !== peer.station) continue;
    repins.push({
      key: b.key as PublicKeyB64,
      safety: String(b.safety),
      by: String(b.by),
      at: r.ts,
      seq: r.seq,
      applied: keys.some((k) => k.key === b.key && k.from > 1),
    });
  }
  return { pinned: peer.key as PublicKeyB64, keys, repins };
}

/**
 * The exporter of a bundle written from the station in `dir` (§5.2): its station id and the
 * signer of its current key, as the stored feed's key chain says. For a store opened without a
 * running station (a test, a standby); a running station has `StationHandle.exporter`.
 */
export async function stationExporter(
  dirArg: string,
  store: Store,
): Promise<{ station: StationId; signer: Signer }> {
  const dir = resolve(dirArg);
  const config = await readStationConfig(dir);
  return {
    station: config.station,
    signer: await loadSigner(dir, await currentKey(store, config.station)),
  };
}

/** Compares safety numbers by their digits only (spacing as read aloud does not matter). */
const digits = (s: string) => s.replace(/\s+/g, '');

async function loadSigner(dir: string, key: PublicKeyB64): Promise<Signer> {
  const path = join(dir, KEYS_DIR, `${keyId(key)}.key`);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ParleyError(
      'PARLEY_E_KEY_FILE_MISSING',
      `the private key for ${key} is not at ${path}`,
      { path, key },
    );
  }
  if ((info.mode & 0o077) !== 0) {
    throw new ParleyError(
      'PARLEY_E_KEY_FILE_PERMISSIONS',
      `${path} has mode ${(info.mode & 0o777).toString(8)}; a private key file must be 600 (chmod 600 ${path})`,
      { path },
    );
  }
  const signer = signerFromPem(await readFile(path, 'utf8'));
  if (signer.publicKey !== key) {
    throw new ParleyError(
      'PARLEY_E_STATION_CORRUPT',
      `${path} holds the key ${signer.publicKey}, not ${key}`,
      { path },
    );
  }
  return signer;
}

/**
 * An open station: its configuration, store, the writer of its identity feed (genesis and key
 * rotations, shared with every peer) and the writers of its audience feeds (one per set of
 * stations it shares channels with, ADR 0003), opened or created on demand.
 */
export class StationHandle {
  private readonly audiences = new Map<AudienceId, Promise<FeedWriter>>();
  /** Each open audience feed's members (sorted station ids, this station among them). */
  private readonly memberLists = new Map<AudienceId, readonly string[]>();
  private readonly created = new Set<(w: FeedWriter) => void>();

  private constructor(
    readonly dir: string,
    readonly config: StationConfig,
    readonly store: Store,
    readonly writer: FeedWriter,
    private readonly clock: Clock | undefined,
  ) {}

  /** This station as the exporter of a bundle: its id and current signer (§5.2). */
  get exporter(): { station: StationId; signer: Signer } {
    return { station: this.writer.station, signer: this.writer.currentSigner };
  }

  /**
   * Opens the station in `dir`; the current key is found by following the feed's key chain.
   * `storeUrl` overrides the PostgreSQL URL in `station.json` (e.g. after a failover to a
   * promoted standby). The audience feeds already stored are opened too.
   */
  static async open(
    dirArg: string,
    opts: { clock?: Clock; storeUrl?: string } = {},
  ): Promise<StationHandle> {
    const dir = resolve(dirArg);
    const config = await readStationConfig(dir);
    const store = await openStationStore(dir, {
      config,
      ...(opts.storeUrl !== undefined ? { storeUrl: opts.storeUrl } : {}),
    });
    try {
      const signer = await loadSigner(dir, await currentKey(store, config.station));
      // Another process of the station may rotate the key: its key file must then be copied
      // here too (docs/deploy.md, key custody), and the writer loads it when it catches up.
      const writer = await FeedWriter.open(store, config.station, signer, {
        ...(opts.clock ? { clock: opts.clock } : {}),
        signerFor: (key) => loadSigner(dir, key as PublicKeyB64),
      });
      const handle = new StationHandle(dir, config, store, writer, opts.clock);
      for (const f of await store.feeds()) {
        const { station, audience } = parseFeedKey(f.station);
        if (station === config.station && audience) await handle.openAudience(audience);
      }
      return handle;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** The writer of this station's feed for the audience of `members` (this station among them), created if new. */
  audienceWriter(members: readonly string[]): Promise<FeedWriter> {
    const all = [...new Set([...members, this.config.station])].sort();
    return this.openAudience(audienceId(all), all);
  }

  /** The writer of an audience feed this station already has, or undefined. */
  async existingAudience(audience: AudienceId): Promise<FeedWriter | undefined> {
    const w = this.audiences.get(audience);
    if (w) return w;
    if (await this.store.head(feedKey(this.station, audience))) return this.openAudience(audience);
    return undefined;
  }

  /** The audience feeds open here (every one this station has written). */
  async audienceWriters(): Promise<FeedWriter[]> {
    return Promise.all(this.audiences.values());
  }

  /** Entries in all of this station's own feeds (identity and audiences). */
  async totalSize(): Promise<number> {
    let n = this.writer.size;
    for (const w of await this.audienceWriters()) n += w.size;
    return n;
  }

  /** The members of one of this station's audience feeds, if it is open. */
  members(audience: AudienceId): readonly string[] | undefined {
    return this.memberLists.get(audience);
  }

  /** This station's audience feeds whose members include `station`. */
  async sharedWith(station: string): Promise<FeedWriter[]> {
    const all = await this.audienceWriters();
    return all.filter((w) => this.memberLists.get(w.audience!)?.includes(station));
  }

  /** Calls `fn` with each audience feed this station creates from now on; returns the unsubscribe function. */
  onAudienceCreated(fn: (w: FeedWriter) => void): () => void {
    this.created.add(fn);
    return () => this.created.delete(fn);
  }

  private openAudience(audience: AudienceId, members?: string[]): Promise<FeedWriter> {
    let w = this.audiences.get(audience);
    if (!w) {
      w = this.createAudience(audience, members);
      this.audiences.set(audience, w);
      // Forget a failed opening so the next call tries again; the error itself reaches every
      // caller awaiting `w`.
      w.catch(() => this.audiences.delete(audience));
    }
    return w;
  }

  /**
   * Opens (or starts) one audience feed. A new feed begins with a genesis entry signed by the
   * genesis key and naming the members, then repeats every key rotation of the identity feed,
   * each signed by the key it replaces, so the feed verifies on its own (ADR 0003). A feed left
   * behind a rotation (a crash between feeds, another process) is brought up to the current key.
   */
  private async createAudience(audience: AudienceId, members?: string[]): Promise<FeedWriter> {
    const feed = feedKey(this.station, audience);
    const stored = await this.store.head(feed);
    if (!stored && !members) {
      throw new ParleyError('PARLEY_E_AUDIENCE', `this station has no feed for ${audience}`, {
        audience,
      });
    }
    const chain = (await keyHistory(this.store, this.station)).keys;
    const start = stored ? await currentKey(this.store, feed) : chain[0]!.key;
    const writer = await FeedWriter.open(this.store, this.station, await this.signer(start), {
      ...(this.clock ? { clock: this.clock } : {}),
      audience,
      signerFor: (key) => this.signer(key as PublicKeyB64),
    });
    if (!stored) {
      await writer.appendIfEmpty({
        kind: KIND.genesis,
        body: { name: this.config.name, key: chain[0]!.key, members: members! },
      });
    }
    const [genesis] = await this.store.entriesOfKind(feed, [KIND.genesis]);
    this.memberLists.set(audience, parseEntryLine(genesis!.line).body.members as string[]);
    await this.alignKeys(writer);
    if (!stored) for (const fn of this.created) fn(writer);
    return writer;
  }

  /** Rotates an audience feed through the identity feed's key chain up to its current key. */
  private async alignKeys(writer: FeedWriter): Promise<void> {
    const chain = (await keyHistory(this.store, this.station)).keys.map((k) => k.key);
    // Keys the identity feed moved to by an emergency rotation are moved to the same way here.
    const emergency = new Set<string>();
    for (const r of await this.store.entriesOfKind(this.station, [KIND.keyRotation])) {
      const b = parseEntryLine(r.line).body;
      if (b.emergency === true) emergency.add(String(b.next));
    }
    for (;;) {
      const at = chain.indexOf(writer.publicKey as PublicKeyB64);
      if (at < 0) {
        throw new ParleyError(
          'PARLEY_E_STATION_CORRUPT',
          `the feed ${writer.feed} is signed by ${writer.publicKey}, which is not in the identity key chain`,
          { feed: writer.feed },
        );
      }
      if (at === chain.length - 1) return;
      const next = chain[at + 1]!;
      await writer.rotateKey(await this.signer(next), { emergency: emergency.has(next) });
    }
  }

  private signer(key: PublicKeyB64): Promise<Signer> {
    return loadSigner(this.dir, key);
  }

  get station(): StationId {
    return this.config.station;
  }

  /**
   * Rotates the identity key. The new private key is written (0600) before the rotation entry is
   * appended, so a crash in between leaves the old key in force and an unused key file.
   */
  async rotateKey(opts: { emergency?: boolean } = {}): Promise<PublicKeyB64> {
    const identity = generateIdentity();
    await writeKeyFile(this.dir, identity.publicKey, identity.privatePem);
    await this.writer.rotateKey(signerFromPem(identity.privatePem), opts);
    // Every audience feed follows: each gets its own rotation entry, signed by the old key (an
    // emergency rotation: by the new key, as in the identity feed).
    for (const w of await this.audienceWriters()) await this.alignKeys(w);
    return identity.publicKey;
  }

  /**
   * Re-pins a peer's key after an emergency rotation (its old key compromised): checks that
   * `safety` is the safety number of `key` (read over another channel), then records a
   * `key-repin` entry `{station, key, safety, by}` in this station's feeds shared with the peer. From then on the
   * peer's emergency rotation onto `key` verifies here, and the link accepts `key`.
   */
  async repinPeer(r: { name: string; key: string; safety: string; by: string }): Promise<{
    entry: SealedEntry;
    station: string;
    key: PublicKeyB64;
    safety: string;
  }> {
    const peer = (await this.store.peers()).find((p) => p.name === r.name);
    if (!peer)
      throw new ParleyError('PARLEY_E_PEER_NOT_FOUND', `no peer named ${JSON.stringify(r.name)}`, {
        name: r.name,
      });
    const key = parsePublicKey(r.key);
    const safety = safetyNumber(key);
    if (digits(r.safety) !== digits(safety)) {
      throw new ParleyError(
        'PARLEY_E_SAFETY_NUMBER_MISMATCH',
        `${JSON.stringify(r.safety)} is not the safety number of ${key}: nothing was re-pinned; read the safety number again with the peer over another channel`,
        { key },
      );
    }
    // Recorded where the relationship lives: in this station's feed for the pair's audience and
    // in each other audience feed it shares with the peer, never in its identity feed (which
    // every peer reads: it would tell them who this station is paired with).
    const pair = await this.audienceWriter([peer.station]);
    const writers = new Set([pair, ...(await this.sharedWith(peer.station))]);
    let entry: SealedEntry | undefined;
    for (const w of writers) {
      const e = await w.append({
        kind: KIND.keyRepin,
        body: { station: peer.station, key, safety, by: r.by },
      });
      if (w === pair) entry = e;
    }
    return { entry: entry!, station: peer.station, key, safety };
  }

  async close(): Promise<void> {
    await this.writer.idle();
    for (const w of await Promise.allSettled(this.audiences.values()))
      if (w.status === 'fulfilled') await w.value.idle();
    await this.store.close();
  }
}
