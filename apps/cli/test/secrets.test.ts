// Secrets stay secret: a malformed --store URL is never echoed with its password, store.secret is
// refused when others may read it (as a key file is), and `parley verify` neither follows a
// symlink in a bundle nor prints the bytes of a file that is not what it expects. Real CLI
// processes on real station directories.
import { chmod, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  stationExporter,
  exportBundle,
  initStation,
  openStationStore,
  STATION_FILE,
  STORE_SECRET_FILE,
} from '@parley/store';
import { parley, tempDir } from './helpers.js';

let root: string;
let data: string;

beforeAll(async () => {
  root = await tempDir('parley-secrets-');
  data = join(root, 'station');
  await initStation(data, 'Secret Keeper');
});

describe('store URL', () => {
  it('a malformed --store URL is refused without echoing its password', async () => {
    const password = 'hunter2-Very-Secret';
    for (const url of [
      `postgres://parley:${password}@db.example:notaport/parley`,
      `postgres://parley:${password}@db.example:5432`,
      `mysql://parley:${password}@db.example/parley`,
      `postgres://parley:${password}/x@db:99999/parley`,
      `postgres://db.example:bad/parley?password=${password}`,
    ]) {
      const r = await parley(['start', '--data', data, '--store', url]);
      expect(r.code, url).toBe(2);
      expect(r.stderr).toMatch(/^parley: PARLEY_E_BAD_STORE_URL: /);
      expect(r.stderr + r.stdout, url).not.toContain(password);
      expect(r.stderr + r.stdout, url).not.toContain('hunter2');
    }
  });
});

describe('store.secret', () => {
  it('is refused at mode 0644, as the key file is, and read at 0600', async () => {
    const pgDir = join(root, 'pg-station');
    await initStation(pgDir, 'Pg Station');
    const configPath = join(pgDir, STATION_FILE);
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    // Port 1 on loopback: nothing listens, so a read secret ends in "unavailable", fast.
    config.store = { engine: 'postgres', url: 'postgres://parley@127.0.0.1:1/parley' };
    await writeFile(configPath, JSON.stringify(config));
    const secret = join(pgDir, STORE_SECRET_FILE);
    await writeFile(secret, 'the-db-password\n', { mode: 0o644 });
    await chmod(secret, 0o644);
    await expect(openStationStore(pgDir)).rejects.toMatchObject({
      code: 'PARLEY_E_SECRET_FILE_PERMISSIONS',
    });
    const r = await parley(['status', '--data', pgDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /PARLEY_E_SECRET_FILE_PERMISSIONS: .*store\.secret has mode 644; a secret file must be 600/,
    );
    expect(r.stderr).not.toContain('the-db-password');
    await chmod(secret, 0o600);
    await expect(openStationStore(pgDir)).rejects.toMatchObject({
      code: 'PARLEY_E_STORE_UNAVAILABLE',
    });
  });
});

describe('parley verify and unexpected files in a bundle', () => {
  const SECRET = 'root:$6$TOPSECRETHASH$abcdefghijklmnop:19000:0:99999:7:::';
  let bundle: string;
  let target: string;

  beforeAll(async () => {
    target = join(root, 'not-for-you.txt');
    await writeFile(target, `${SECRET}\n`);
    const store = await openStationStore(data);
    bundle = join(root, 'bundle');
    try {
      await exportBundle(store, bundle, { exporter: await stationExporter(data, store) });
    } finally {
      await store.close();
    }
  });

  it('refuses keys.json (or any bundle file) that is a symlink, without reading it', async () => {
    const keys = join(bundle, 'keys.json');
    const original = await readFile(keys, 'utf8');
    await rm(keys);
    await symlink(target, keys);
    const r = await parley(['verify', bundle]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PARLEY_E_BUNDLE_NOT_REGULAR: .*keys\.json is a symbolic link/);
    expect(r.stdout + r.stderr).not.toContain('TOPSECRET');
    expect(r.stdout + r.stderr).not.toContain('root:');
    await rm(keys);
    await writeFile(keys, original);
  });

  it('never prints the contents of a file that is not the JSON it should be', async () => {
    for (const f of ['keys.json', 'checkpoints.jsonl', 'entries.jsonl']) {
      const path = join(bundle, f);
      const saved = await readFile(path, 'utf8').catch(() => '');
      await writeFile(path, `${SECRET}\n`);
      const r = await parley(['verify', bundle, '--json']);
      expect(r.code, f).toBe(1);
      expect(r.stdout, f).toMatch(/PARLEY_E_BUNDLE_|PARLEY_E_ENTRY_|PARLEY_E_CHECKPOINT/);
      expect(r.stdout + r.stderr, f).not.toContain('TOPSECRET');
      expect(r.stdout + r.stderr, f).not.toContain('root:');
      await writeFile(path, saved);
    }
  });
});
