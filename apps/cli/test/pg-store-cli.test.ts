// `parley init --store postgres://…` and friends, on a real PostgreSQL server, through the real
// CLI; and the backup and restore of docs/deploy.md (pg_dump, pg_restore) with a restored
// database that exports a bundle `parley verify` accepts.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freshDatabase, pgBin, stopTestServer } from '../../../packages/store/test/pg-helper.js';
import { parley, tempDir } from './helpers.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(stopTestServer);

async function database(): Promise<string> {
  const db = await freshDatabase('parley_cli');
  cleanup.push(db.drop);
  return db.url;
}

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  expect(r.stderr, r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** Pairs the station in `dir` with a fresh one (never running): its traffic needs an audience (ADR 0003). */
async function pairSomeone(dir: string): Promise<void> {
  const other = join(await tempDir(), 'peer');
  expect((await parley(['init', '--data', other, '--name', 'Peer'])).code).toBe(0);
  const key = (await parley(['key', '--data', other])).stdout.trim();
  const r = await parley([
    'peer',
    'add',
    '--data',
    dir,
    '--name',
    'Peer',
    '--key',
    key,
    '--url',
    'http://127.0.0.1:9',
  ]);
  expect(r.code, r.stderr).toBe(0);
}

describe('parley on PostgreSQL', () => {
  it('init --store keeps the key on disk, the store in the database, and no password in station.json', async () => {
    const url = await database();
    // The server's real password when it checks one (CI), else one a trusting server ignores.
    const withPassword = new URL(url);
    if (!withPassword.password) withPassword.password = encodeURIComponent('s3cret/with:odd@chars');
    const password = decodeURIComponent(withPassword.password);
    const dir = join(await tempDir(), 'alpha');
    const out = ok(
      await parley([
        'init',
        '--data',
        dir,
        '--name',
        'Alpha',
        '--store',
        withPassword.href,
        '--json',
      ]),
    );
    const { station, key } = JSON.parse(out) as { station: string; key: string };
    const config = JSON.parse(await readFile(join(dir, 'station.json'), 'utf8')) as {
      store: { engine: string; url: string };
    };
    expect(config.store.engine).toBe('postgres');
    expect(config.store.url).not.toContain(withPassword.password);
    expect(new URL(config.store.url).password).toBe('');
    expect(new URL(config.store.url).pathname).toBe(new URL(url).pathname);
    // The password went to a 0600 file beside the key, not into the database or station.json.
    expect(await readFile(join(dir, 'store.secret'), 'utf8')).toBe(password + '\n');
    expect((await stat(join(dir, 'store.secret'))).mode & 0o777).toBe(0o600);
    await expect(stat(join(dir, 'parley.db'))).rejects.toThrow();
    await pairSomeone(dir);

    ok(
      await parley([
        'post',
        '--data',
        dir,
        '--channel',
        'ops',
        '--precedence',
        'FLASH',
        '--text',
        'on postgres',
      ]),
    );
    const status = JSON.parse(ok(await parley(['status', '--data', dir]))) as {
      station: string;
      size: number;
    };
    // No process runs the station, so none leads.
    // The identity feed holds the genesis; the message is in the pair's audience feed.
    expect(status).toMatchObject({ station, size: 1, store: 'postgres', leader: null });
    expect((status as unknown as { audiences: { size: number }[] }).audiences).toEqual([
      expect.objectContaining({ size: 2 }),
    ]);
    expect(ok(await parley(['key', '--data', dir])).trim()).toBe(key);

    // The private key is on disk only: nothing in the database holds it.
    const [keyFile] = await readdir(join(dir, 'keys'));
    const pem = await readFile(join(dir, 'keys', keyFile!), 'utf8');
    const body = pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');
    const dump = execFileSync(join(pgBin()!, 'pg_dump'), ['--data-only', url], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(dump).toContain(station);
    expect(dump).not.toContain(body);
  });

  it('refuses a database that already holds a station, a URL that is not postgres, and an unreachable server', async () => {
    const url = await database();
    const root = await tempDir();
    ok(await parley(['init', '--data', join(root, 'a'), '--name', 'Alpha', '--store', url]));
    const again = await parley([
      'init',
      '--data',
      join(root, 'b'),
      '--name',
      'Bravo',
      '--store',
      url,
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('PARLEY_E_STATION_EXISTS');
    await expect(stat(join(root, 'b'))).rejects.toThrow();

    const bad = await parley([
      'init',
      '--data',
      join(root, 'c'),
      '--name',
      'C',
      '--store',
      'mysql://x@h/db',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PARLEY_E_BAD_STORE_URL');

    const down = await parley([
      'start',
      '--data',
      join(root, 'a'),
      '--port',
      '0',
      '--store',
      'postgres://nobody@127.0.0.1:1/nothing',
    ]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('PARLEY_E_STORE_UNAVAILABLE');
  });

  it('a backup restored into a new database exports a bundle that verifies, identical to the original', async () => {
    const bin = pgBin();
    expect(bin, 'pg_dump and pg_restore are needed (apt-get install postgresql)').toBeTruthy();
    const url = await database();
    const root = await tempDir();
    const dir = join(root, 'alpha');
    const key = (
      JSON.parse(
        ok(await parley(['init', '--data', dir, '--name', 'Alpha', '--store', url, '--json'])),
      ) as { key: string }
    ).key;
    await pairSomeone(dir);
    for (let i = 0; i < 5; i++)
      ok(
        await parley([
          'post',
          '--data',
          dir,
          '--channel',
          'ops',
          '--precedence',
          'ROUTINE',
          '--text',
          `m${i}`,
        ]),
      );
    ok(await parley(['rotate-key', '--data', dir]));
    ok(
      await parley([
        'post',
        '--data',
        dir,
        '--channel',
        'ops',
        '--precedence',
        'FLASH',
        '--text',
        'after rotation',
      ]),
    );

    // Backup: pg_dump's custom format, as docs/deploy.md says.
    const dumpFile = join(root, 'alpha.dump');
    execFileSync(join(bin!, 'pg_dump'), ['-Fc', '-f', dumpFile, url]);
    // Restore into a new, empty database.
    const restored = await database();
    execFileSync(join(bin!, 'pg_restore'), ['--no-owner', '-d', restored, dumpFile]);

    // The restored station: a copy of the data directory (keys) pointed at the restored database.
    const copy = join(root, 'alpha-restored');
    await cp(dir, copy, { recursive: true });
    const config = JSON.parse(await readFile(join(copy, 'station.json'), 'utf8')) as {
      store: { url: string };
    };
    config.store.url = restored;
    await writeFile(join(copy, 'station.json'), JSON.stringify(config, null, 2) + '\n');

    const original = JSON.parse(ok(await parley(['status', '--data', dir]))) as object;
    expect(JSON.parse(ok(await parley(['status', '--data', copy])))).toEqual(original);
    for (const [d, out] of [
      [dir, join(root, 'bundle-original')],
      [copy, join(root, 'bundle-restored')],
    ] as const) {
      ok(await parley(['export', '--data', d, '--out', out]));
      const v = await parley(['verify', out, '--key', key]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
    const read = (b: string, f: string) => readFile(join(root, b, f), 'utf8');
    for (const f of ['entries.jsonl', 'keys.json']) {
      expect(await read('bundle-restored', f)).toBe(await read('bundle-original', f));
    }
    // Each export adds a fresh checkpoint of its identity feed (the last of that feed, whose
    // checkpoints come first); every stored one came back.
    const cps = async (b: string) => {
      const lines = (await read(b, 'checkpoints.jsonl')).trim().split('\n');
      const identity = lines.filter((l) => !l.includes('"audience"'));
      return [...identity.slice(0, -1), ...lines.filter((l) => l.includes('"audience"'))];
    };
    expect(await cps('bundle-restored')).toEqual(await cps('bundle-original'));
    // And the restored station goes on writing where the original stopped.
    ok(
      await parley([
        'post',
        '--data',
        copy,
        '--channel',
        'ops',
        '--precedence',
        'FLASH',
        '--text',
        'after restore',
      ]),
    );
    ok(await parley(['export', '--data', copy, '--out', join(root, 'bundle-after')]));
    const v = await parley(['verify', join(root, 'bundle-after'), '--key', key]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });
});
