/**
 * A real PostgreSQL server for the tests that need one.
 *
 * - `PARLEY_TEST_PG` (an admin URL, e.g. `postgres://postgres@127.0.0.1:5432/postgres`) names a
 *   running server; `.ci/run` starts one and sets it.
 * - Without it, the helper starts a throwaway cluster of its own (initdb into a temporary
 *   directory, loopback only, a free port) when the PostgreSQL binaries are installed, so
 *   `npm test` works on a developer machine too. It is stopped when the test file ends.
 * - Otherwise the test fails, saying what to install: a test that needs PostgreSQL never skips.
 *
 * Each caller gets its own database (`freshDatabase`), so test files run in parallel.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

let admin: Promise<{ url: string; stop: () => void }> | undefined;

function pgBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway cluster as the `postgres` user when running as root (PostgreSQL refuses root). */
async function throwawayCluster(bin: string): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = join(bin, cmd);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' });
    else execFileSync(full, args, { stdio: 'pipe' });
  };
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
    'start',
  ]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      // already down
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test process that ends without its afterAll (a crash, a timeout) leaves no server behind.
  process.once('exit', stop);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

function postgresIds(): { uid: number; gid: number } {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error('running as root, but there is no postgres user to run a cluster as');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** The admin URL of the test server (started on first use in this process). */
export function testServer(): Promise<{ url: string; stop: () => void }> {
  admin ??= (async () => {
    const given = process.env.PARLEY_TEST_PG;
    if (given) return { url: given, stop: () => undefined };
    const bin = pgBinDir();
    if (!bin) {
      throw new Error(
        'this test needs PostgreSQL: set PARLEY_TEST_PG=postgres://… to a running server, or install the server binaries (apt-get install postgresql)',
      );
    }
    return throwawayCluster(bin);
  })();
  return admin;
}

/** A new, empty database on the test server; `drop` removes it. Fails (never skips) if the server is unreachable. */
export async function freshDatabase(
  prefix = 'parley_test',
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const server = await testServer();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: server.url });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(`PostgreSQL at ${server.url} is unreachable: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return {
    url: u.href,
    name,
    drop: async () => {
      const d = new pg.Client({ connectionString: server.url });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}

/** Stops the throwaway cluster, if this process started one (call in afterAll). */
export async function stopTestServer(): Promise<void> {
  if (!admin) return;
  const s = await admin.catch(() => undefined);
  admin = undefined;
  s?.stop();
}

/** The directory of the PostgreSQL client and server programs (pg_dump, pg_restore…), if installed. */
export function pgBin(): string | undefined {
  return pgBinDir();
}
