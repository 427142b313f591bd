import { createHash } from 'node:crypto';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KIND, keyId, parseEntryLine, stationIdFromKey } from '@parley/ledger';
import {
  DB_FILE,
  KEYS_DIR,
  STATION_FILE,
  STATION_FORMAT,
  SqliteStore,
  StationHandle,
  initStation,
} from '@parley/store';
import type { StationConfig } from '@parley/store';
import { readAll, verifyRows } from './store-contract.js';

/** Every file under `dir` with its mode and a hash of its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    for (const ent of await readdir(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      const info = await stat(p);
      const key = relative(dir, p);
      if (ent.isDirectory()) {
        out[`${key}/`] = (info.mode & 0o777).toString(8);
        await walk(p);
      } else {
        const digest = createHash('sha256')
          .update(await readFile(p))
          .digest('hex');
        out[key] = `${(info.mode & 0o777).toString(8)} ${digest}`;
      }
    }
  }
  await walk(dir);
  return out;
}

describe('station directory', () => {
  let parent: string;
  let dir: string;
  const handles: StationHandle[] = [];

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'parley-station-'));
    dir = join(parent, 'station');
  });

  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close();
    await rm(parent, { recursive: true, force: true });
  });

  async function open(): Promise<StationHandle> {
    const h = await StationHandle.open(dir);
    handles.push(h);
    return h;
  }

  async function close(h: StationHandle): Promise<void> {
    await h.close();
    handles.splice(handles.indexOf(h), 1);
  }

  /** The parent directory holds only the station: no `.station.init-*` sibling was left. */
  async function expectNoTempSibling(): Promise<void> {
    expect(await readdir(parent)).toEqual(['station']);
  }

  it('initStation creates station.json, a 0600 key file and the genesis entry', async () => {
    const { config, publicKey } = await initStation(dir, 'Northern Fleet HQ');
    const station = stationIdFromKey(publicKey);

    const onDisk = JSON.parse(await readFile(join(dir, STATION_FILE), 'utf8')) as StationConfig;
    expect(onDisk).toEqual(config);
    expect(onDisk).toMatchObject({
      format: STATION_FORMAT,
      station,
      name: 'Northern Fleet HQ',
      store: { engine: 'sqlite', file: DB_FILE },
    });

    const keyPath = join(dir, KEYS_DIR, `${keyId(publicKey)}.key`);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, KEYS_DIR))).toEqual([`${keyId(publicKey)}.key`]);
    expect((await stat(join(dir, KEYS_DIR))).mode & 0o077).toBe(0);
    expect(await readFile(keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const store = await SqliteStore.open(join(dir, DB_FILE));
    try {
      const rows = await readAll(store, station);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.kind).toBe(KIND.genesis);
      expect(parseEntryLine(rows[0]!.line).body).toEqual({
        name: 'Northern Fleet HQ',
        key: publicKey,
      });
      const v = verifyRows(station, rows);
      const cps = await store.checkpoints(station);
      expect(cps.length).toBeGreaterThanOrEqual(1);
      for (const cp of cps) v.checkCheckpoint(cp);
      expect(await store.feeds()).toEqual([{ station, size: 1 }]);
    } finally {
      await store.close();
    }
    await expectNoTempSibling();
  });

  it('refuses a directory that already holds a station, changing nothing there', async () => {
    await initStation(dir, 'Alpha');
    const before = await snapshot(dir);
    await expect(initStation(dir, 'Bravo')).rejects.toMatchObject({
      code: 'PARLEY_E_STATION_EXISTS',
    });
    expect(await snapshot(dir)).toEqual(before);
    await expectNoTempSibling();
    const h = await open();
    expect(h.config.name).toBe('Alpha');
  });

  it('refuses a non-empty directory without a station, changing nothing there', async () => {
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'operator notes\n');
    await writeFile(join(dir, 'sub', 'x'), 'x');
    const before = await snapshot(dir);
    await expect(initStation(dir, 'Alpha')).rejects.toMatchObject({
      code: 'PARLEY_E_DATA_DIR_NOT_EMPTY',
    });
    expect(await snapshot(dir)).toEqual(before);
    await expectNoTempSibling();
  });

  it('accepts an existing empty directory', async () => {
    await mkdir(dir);
    const { config } = await initStation(dir, 'Alpha');
    expect((await readdir(dir)).sort()).toEqual([DB_FILE, KEYS_DIR, STATION_FILE].sort());
    await expectNoTempSibling();
    const h = await open();
    expect(h.station).toBe(config.station);
    expect(h.writer.size).toBe(1);
  });

  it('refuses a bad station name before touching the disk', async () => {
    await expect(initStation(dir, '')).rejects.toMatchObject({
      code: 'PARLEY_E_BAD_STATION_NAME',
    });
    expect(await readdir(parent)).toEqual([]);
  });

  it('StationHandle.open on a missing or empty directory: PARLEY_E_STATION_NOT_FOUND', async () => {
    await expect(StationHandle.open(dir)).rejects.toMatchObject({
      code: 'PARLEY_E_STATION_NOT_FOUND',
    });
    await mkdir(dir);
    await expect(StationHandle.open(dir)).rejects.toMatchObject({
      code: 'PARLEY_E_STATION_NOT_FOUND',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('a key file readable by others: PARLEY_E_KEY_FILE_PERMISSIONS', async () => {
    const { publicKey } = await initStation(dir, 'Alpha');
    const keyPath = join(dir, KEYS_DIR, `${keyId(publicKey)}.key`);
    await chmod(keyPath, 0o644);
    await expect(StationHandle.open(dir)).rejects.toMatchObject({
      code: 'PARLEY_E_KEY_FILE_PERMISSIONS',
    });
    await chmod(keyPath, 0o640);
    await expect(StationHandle.open(dir)).rejects.toMatchObject({
      code: 'PARLEY_E_KEY_FILE_PERMISSIONS',
    });
    await chmod(keyPath, 0o600);
    const h = await open();
    expect(h.writer.publicKey).toBe(publicKey);
  });

  it('a deleted key file: PARLEY_E_KEY_FILE_MISSING', async () => {
    const { publicKey } = await initStation(dir, 'Alpha');
    await unlink(join(dir, KEYS_DIR, `${keyId(publicKey)}.key`));
    await expect(StationHandle.open(dir)).rejects.toMatchObject({
      code: 'PARLEY_E_KEY_FILE_MISSING',
    });
  });

  it('rotateKey: after a reopen the new key signs, and the whole feed verifies', async () => {
    const { publicKey: first } = await initStation(dir, 'Alpha');
    const h1 = await open();
    await h1.writer.appendMany([
      { kind: KIND.message, body: { text: 'one' } },
      { kind: KIND.message, channel: 'ops', body: { text: 'two' } },
    ]);
    const second = await h1.rotateKey();
    expect(second).not.toBe(first);
    expect(h1.writer.publicKey).toBe(second);
    await h1.writer.append({ kind: KIND.message, body: { text: 'three' } });
    await close(h1);

    const keyFiles = (await readdir(join(dir, KEYS_DIR))).sort();
    expect(keyFiles).toEqual([`${keyId(first)}.key`, `${keyId(second)}.key`].sort());
    for (const f of keyFiles) expect((await stat(join(dir, KEYS_DIR, f))).mode & 0o777).toBe(0o600);

    const h2 = await open();
    expect(h2.writer.publicKey).toBe(second);
    expect(h2.writer.size).toBe(5);
    const last = await h2.writer.append({ kind: KIND.message, body: { text: 'four' } });
    expect(last.entry.seq).toBe(6);
    const cp = await h2.writer.checkpoint();
    const rows = await readAll(h2.store, h2.station);
    const v = verifyRows(h2.station, rows);
    expect(v.keys).toEqual([
      { key: first, from: 1, to: 4 },
      { key: second, from: 5, to: null },
    ]);
    v.checkCheckpoint(cp);
    for (const c of await h2.store.checkpoints(h2.station)) v.checkCheckpoint(c);

    // With the new key file gone the station cannot sign: the old key is no fallback.
    await close(h2);
    await unlink(join(dir, KEYS_DIR, `${keyId(second)}.key`));
    await expect(StationHandle.open(dir)).rejects.toMatchObject({
      code: 'PARLEY_E_KEY_FILE_MISSING',
    });
  });

  it('the private keys appear nowhere but their key files', async () => {
    await initStation(dir, 'Alpha');
    const h = await open();
    await h.writer.append({ kind: KIND.message, body: { text: 'before rotation' } });
    await h.rotateKey();
    await h.writer.append({ kind: KIND.message, body: { text: 'after rotation' } });
    await close(h);

    const secrets: { what: string; bytes: Buffer }[] = [];
    for (const f of await readdir(join(dir, KEYS_DIR))) {
      const pem = await readFile(join(dir, KEYS_DIR, f), 'utf8');
      const b64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
      const der = Buffer.from(b64, 'base64');
      expect(der.length).toBe(48); // PKCS#8 Ed25519: 16-byte prefix + 32-byte seed
      secrets.push(
        { what: `${f} PEM text`, bytes: Buffer.from(pem.trim()) },
        { what: `${f} PEM base64`, bytes: Buffer.from(b64) },
        { what: `${f} raw seed`, bytes: der.subarray(16) },
        { what: `${f} seed hex`, bytes: Buffer.from(der.subarray(16).toString('hex')) },
        {
          what: `${f} seed base64url`,
          bytes: Buffer.from(der.subarray(16).toString('base64url')),
        },
      );
    }
    expect(secrets).toHaveLength(10);
    const others = (await readdir(dir)).filter((f) => f !== KEYS_DIR);
    expect(others).toContain(STATION_FILE);
    expect(others).toContain(DB_FILE);
    for (const f of others) {
      const bytes = await readFile(join(dir, f));
      expect(bytes.includes('PRIVATE KEY'), `${f} mentions a private key`).toBe(false);
      for (const s of secrets) expect(bytes.includes(s.bytes), `${s.what} in ${f}`).toBe(false);
    }
  });
});
