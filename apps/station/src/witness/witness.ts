import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import {
  MerkleTree,
  SIG_TYPE_COSIGNATURE_V1,
  WITNESS_NAME_PREFIX,
  checkpointVerifierKey,
  cosignNoteLine,
  feedKey,
  formatVkey,
  fromHex,
  generateIdentity,
  parseAddCheckpoint,
  parseCheckpointOrigin,
  parseCheckpointText,
  parseNote,
  signerFromPem,
  toHex,
  verifyConsistency,
  verifyNote,
} from '@parley/ledger';
import type { Signer } from '@parley/ledger';
import type { Clock, Store } from '@parley/store';

/** The witness key file in the station directory (PKCS#8 PEM, mode 0600). */
export const WITNESS_KEY_FILE = 'witness.key';
const STATE_PREFIX = 'witness:';

/**
 * Loads the station's witness key, creating it on first use. It is not an identity key: it signs
 * only cosignatures, so it neither rotates with the identity nor can sign for the station.
 */
export async function loadWitnessSigner(dataDir: string): Promise<Signer> {
  const path = join(dataDir, WITNESS_KEY_FILE);
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0)
      throw new ParleyError(
        'PARLEY_E_KEY_FILE_PERMISSIONS',
        `${path} has mode ${(info.mode & 0o777).toString(8)}; a private key file must be 600`,
        { path },
      );
    return signerFromPem(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const { privatePem } = generateIdentity();
    // 'wx': a key another process created first is kept, and read back.
    await writeFile(path, privatePem, { mode: 0o600, flag: 'wx' }).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    });
    return signerFromPem(await readFile(path, 'utf8'));
  }
}

export interface WitnessDeps {
  station: StationId;
  store: Store;
  signer: Signer;
  clock: Clock;
  /** The keys a paired station signs with as verified here (current key and re-pins); undefined: not paired. */
  keysOf(station: string): readonly PublicKeyB64[] | undefined;
  /** Members of one of this station's audiences; undefined for an audience it is not in. */
  members(audience: string): readonly string[] | undefined;
}

/** Per-client request limits of the witness route (documented in docs/PROTOCOL.md §4.2). */
export interface WitnessLimits {
  /** Requests per client address per minute (default 60). */
  perAddressPerMinute: number;
  /** Requests per minute over all clients (default 600). */
  totalPerMinute: number;
}

export const WITNESS_LIMITS: WitnessLimits = { perAddressPerMinute: 60, totalPerMinute: 600 };

/** An old size that is not the one cosigned last: answered 409 with that size (tlog-witness). */
export class SizeConflict extends ParleyError {
  constructor(
    readonly size: number,
    message: string,
  ) {
    super('PARLEY_E_WITNESS_CONFLICT', message, { size });
  }
}

/**
 * A C2SP tlog-witness for the feeds of this station's paired peers: the identity feed of each,
 * and each audience feed of an audience both are in. It cosigns a checkpoint only when it is
 * signed by the peer's key as verified here, consistent with the last one it cosigned for that
 * origin (stored before it answers), and, where this station holds a verified copy of the feed
 * up to that size, when its root is that copy's root.
 */
export class StationWitness {
  readonly name: string;
  private readonly locks = new Map<string, Promise<unknown>>();
  private window = { start: 0, total: 0, perAddress: new Map<string, number>() };

  constructor(
    private readonly deps: WitnessDeps,
    private readonly limits: WitnessLimits = WITNESS_LIMITS,
  ) {
    this.name = `${WITNESS_NAME_PREFIX}${deps.station}`;
  }

  /** The witness's verifier key (type 0x04, cosignature/v1). */
  get vkey(): string {
    return formatVkey(this.name, this.deps.signer.publicKey, SIG_TYPE_COSIGNATURE_V1);
  }

  /** Counts a request from `address`; refuses it over the limits (`PARLEY_E_RATE_LIMITED`). */
  admit(address: string): void {
    const now = this.deps.clock.now();
    if (now - this.window.start >= 60_000)
      this.window = { start: now, total: 0, perAddress: new Map() };
    const mine = (this.window.perAddress.get(address) ?? 0) + 1;
    if (
      mine > this.limits.perAddressPerMinute ||
      this.window.total + 1 > this.limits.totalPerMinute
    )
      throw new ParleyError(
        'PARLEY_E_RATE_LIMITED',
        'too many add-checkpoint requests; retry in a minute',
        {},
      );
    this.window.perAddress.set(address, mine);
    this.window.total++;
  }

  /** What it last cosigned per origin. */
  async cosigned(): Promise<{ origin: string; size: number; root: string }[]> {
    return (await this.deps.store.listMeta(STATE_PREFIX)).map(([k, v]) => {
      const [size, root] = v.split(' ');
      return { origin: k.slice(STATE_PREFIX.length), size: Number(size), root: root! };
    });
  }

  /**
   * Handles an add-checkpoint body; returns the cosignature line(s), newline-terminated.
   * Refusals are coded: see docs/PROTOCOL.md §4.2 for each and its HTTP status.
   */
  async addCheckpoint(body: Uint8Array): Promise<string> {
    const req = parseAddCheckpoint(body);
    const note = parseNote(req.note);
    const cp = parseCheckpointText(note.text);
    const feed = parseCheckpointOrigin(cp.origin);
    const keys = feed && feed.station !== this.deps.station && this.deps.keysOf(feed.station);
    const shared =
      feed && (!feed.audience || this.deps.members(feed.audience)?.includes(feed.station));
    if (!feed || !keys || !shared)
      throw new ParleyError(
        'PARLEY_E_WITNESS_UNKNOWN_LOG',
        `this witness does not witness ${JSON.stringify(cp.origin)}`,
        {},
      );
    verifyNote(
      note,
      keys.map((k) => checkpointVerifierKey(feed.station, feed.audience, k)),
    );
    if (req.old > cp.size)
      throw new ParleyError(
        'PARLEY_E_WITNESS_BAD_REQUEST',
        `old size ${req.old} is larger than the checkpoint size ${cp.size}`,
        {},
      );
    if (req.old === 0 && req.proof.length > 0)
      throw new ParleyError(
        'PARLEY_E_WITNESS_BAD_REQUEST',
        'a request with old size 0 carries no proof',
        {},
      );
    const copyKey = feedKey(feed.station, feed.audience);
    return this.serialized(cp.origin, async () => {
      const key = `${STATE_PREFIX}${cp.origin}`;
      const stored = await this.deps.store.getMeta(key);
      const [lastSize, lastRoot] = stored ? stored.split(' ') : ['0', ''];
      const last = Number(lastSize);
      if (req.old !== last)
        throw new SizeConflict(last, `this witness last cosigned size ${last}, not ${req.old}`);
      if (req.old === cp.size) {
        if (req.proof.length > 0 || (cp.size > 0 && lastRoot !== cp.root))
          throw new ParleyError(
            'PARLEY_E_WITNESS_CONFLICT',
            `size ${cp.size} was cosigned with another root`,
            {},
          );
      } else if (
        req.old > 0 &&
        !verifyConsistency(req.old, cp.size, req.proof, fromHex(lastRoot!)!, fromHex(cp.root)!)
      ) {
        throw new ParleyError(
          'PARLEY_E_WITNESS_PROOF',
          `the proof from ${req.old} to ${cp.size} does not verify`,
          {},
        );
      }
      await this.checkCopy(copyKey, cp.size, cp.root);
      await this.deps.store.setMeta(key, `${cp.size} ${cp.root}`);
      const time = BigInt(Math.floor(this.deps.clock.now() / 1000));
      return `${cosignNoteLine(note.text, this.name, this.deps.signer, time)}\n`;
    });
  }

  /** Where this station holds the feed verified up to `size`, the root must be its root. */
  private async checkCopy(copy: string, size: number, root: string): Promise<void> {
    const head = await this.deps.store.head(copy);
    if (!head || head.seq < size || size === 0) return;
    const tree = new MerkleTree();
    for (const h of await this.deps.store.hashes(copy, size)) tree.appendLeaf(h);
    if (toHex(tree.root()) !== root)
      throw new ParleyError(
        'PARLEY_E_WITNESS_CONFLICT',
        `the root of size ${size} is not the root of the verified copy held here`,
        {},
      );
  }

  private serialized<T>(origin: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(origin) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(origin, tail);
    void tail.then(() => {
      if (this.locks.get(origin) === tail) this.locks.delete(origin);
    });
    return run;
  }
}
