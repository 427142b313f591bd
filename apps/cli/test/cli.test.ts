import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../src/program.js';
import { PARLEY, parley, tempDir } from './helpers.js';

describe('parley command line', () => {
  let dir: string;
  let data: string;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir, 'station');
  });

  it('every command and every option is described in --help', async () => {
    const top = await parley(['--help']);
    expect(top.code).toBe(0);
    const program = buildProgram();
    const walk = (cmd: Command, path: string[]): [Command, string[]][] =>
      cmd.commands.flatMap((c) => [
        [c, [...path, c.name()]] as [Command, string[]],
        ...walk(c, [...path, c.name()]),
      ]);
    const all = walk(program, []);
    expect(all.length).toBeGreaterThan(15);
    for (const [cmd, path] of all) {
      if (path.length === 1) expect(top.stdout).toContain(cmd.name());
      expect(cmd.description().length, path.join(' ')).toBeGreaterThan(10);
      const help = await parley([...path, '--help']);
      expect(help.code, path.join(' ')).toBe(0);
      for (const opt of cmd.options) {
        expect(opt.description.length, `${path.join(' ')} ${opt.flags}`).toBeGreaterThan(5);
        expect(help.stdout, `${path.join(' ')} --help lists ${opt.flags}`).toContain(opt.long!);
      }
    }
    // One process per command (more than 40 of them), about a second each on a busy machine.
  }, 180_000);

  it('start prints its URL first, serves, and exits 0 on SIGINT', async () => {
    const { spawn } = await import('node:child_process');
    const st = join(dir, 'served');
    expect((await parley(['init', '--data', st, '--name', 'Served'])).code).toBe(0);
    const child = spawn(
      process.execPath,
      [PARLEY, 'start', '--data', st, '--port', '0', '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const url = await new Promise<string>((resolve) =>
      child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(d.split('\n')[0]!)),
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = (await (await fetch(`${url}/api/v1/health`)).json()) as { name: string };
    expect(health.name).toBe('Served');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('init creates a station with a 0600 private key and refuses to overwrite it', async () => {
    const r = await parley(['init', '--data', data, '--name', 'US INDOPACOM JOC', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { station: string; key: string };
    expect(out.station).toMatch(/^stn_[0-9a-f]{24}$/);
    const keys = await readdir(join(data, 'keys'));
    expect(keys).toHaveLength(1);
    expect((await stat(join(data, 'keys', keys[0]!))).mode & 0o777).toBe(0o600);
    const pem = await readFile(join(data, 'keys', keys[0]!), 'utf8');
    expect(pem).toContain('PRIVATE KEY');
    expect(r.stdout + r.stderr).not.toContain(pem.split('\n')[1]!);

    const before = await readFile(join(data, 'station.json'), 'utf8');
    const again = await parley(['init', '--data', data, '--name', 'Other']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('PARLEY_E_STATION_EXISTS');
    expect(await readFile(join(data, 'station.json'), 'utf8')).toBe(before);
    expect(await readdir(join(data, 'keys'))).toEqual(keys);
  });

  it('key prints the public key on one line and fingerprint a 12×5-digit safety number', async () => {
    const key = await parley(['key', '--data', data]);
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    const fp = await parley(['fingerprint', '--data', data]);
    expect(fp.stdout).toMatch(/^(\d{5} ){11}\d{5}\n$/);
    // The same number from the key alone, as the peer computes it.
    const peer = await parley(['fingerprint', '--key', key.stdout.trim()]);
    expect(peer.stdout).toBe(fp.stdout);
  });

  it('post appends a signed message and prints its seq and hash', async () => {
    // Traffic needs an audience (ADR 0003): with one paired peer, an informal channel is the pair's.
    const other = join(dir, 'other');
    expect((await parley(['init', '--data', other, '--name', 'Other'])).code).toBe(0);
    const otherKey = (await parley(['key', '--data', other])).stdout.trim();
    const paired = await parley([
      'peer',
      'add',
      '--data',
      data,
      '--name',
      'Other',
      '--key',
      otherKey,
      '--url',
      'http://127.0.0.1:9',
    ]);
    expect(paired.code, paired.stderr).toBe(0);
    const r = await parley([
      'post',
      '--data',
      data,
      '--channel',
      'ops',
      '--precedence',
      'FLASH',
      '--text',
      'Request your intentions',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^seq 2 hash [0-9a-f]{64}\n$/);
    const j = await parley([
      'post',
      '--data',
      data,
      '--channel',
      'ops',
      '--precedence',
      'routine',
      '--text',
      'second',
      '--json',
    ]);
    expect(JSON.parse(j.stdout)).toEqual({ seq: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('bad operator input gets a coded error and writes nothing', async () => {
    const status = async () =>
      JSON.parse((await parley(['status', '--data', data])).stdout) as {
        size: number;
        head: string;
      };
    const before = await status();
    const cases: [string[], string][] = [
      [['--channel', 'ops', '--precedence', 'URGENT', '--text', 'x'], 'PARLEY_E_BAD_PRECEDENCE'],
      [
        ['--channel', 'Bad Channel', '--precedence', 'FLASH', '--text', 'x'],
        'PARLEY_E_BAD_CHANNEL',
      ],
      [['--channel', 'ops', '--precedence', 'FLASH', '--text', '   '], 'PARLEY_E_TEXT_EMPTY'],
      [
        ['--channel', 'ops', '--precedence', 'FLASH', '--text', 'x'.repeat(8001)],
        'PARLEY_E_TEXT_TOO_LONG',
      ],
    ];
    for (const [args, code] of cases) {
      const r = await parley(['post', '--data', data, ...args]);
      expect(r.code, code).toBe(2);
      expect(r.stderr).toContain(code);
    }
    const missing = await parley([
      'post',
      '--data',
      join(dir, 'nowhere'),
      '--channel',
      'ops',
      '--precedence',
      'FLASH',
      '--text',
      'x',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('PARLEY_E_STATION_NOT_FOUND');
    const usage = await parley(['post', '--data', data, '--channel', 'ops']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--precedence <p>' not specified");
    expect(await status()).toEqual(before);
  });

  it('post goes through the same channel checks as the API', async () => {
    const { StationHandle } = await import('@parley/store');
    const { HotlineService, LiveBus } = await import('@parley/station');
    const st = join(dir, 'checked');
    expect((await parley(['init', '--data', st, '--name', 'Checked'])).code).toBe(0);
    const h = await StationHandle.open(st);
    const peer = join(dir, 'checked-peer');
    expect((await parley(['init', '--data', peer, '--name', 'Checked Peer'])).code).toBe(0);
    const peerKey = (await parley(['key', '--data', peer])).stdout.trim();
    const { stationIdFromKey } = await import('@parley/ledger');
    await h.store.addPeer({
      name: 'Checked Peer',
      station: stationIdFromKey(peerKey as never),
      key: peerKey,
      urls: ['http://127.0.0.1:9'],
      tlsCert: null,
      added: Date.now(),
    });
    const admin = {
      name: 'test',
      role: 'admin' as const,
      via: 'token' as const,
      channels: '*' as const,
    };
    await new HotlineService(h, undefined, { now: Date.now }, new LiveBus()).proposeChannel(
      admin,
      'pending',
      { tier: 'theater' },
    );
    await h.close();
    const r = await parley([
      'post',
      '--data',
      st,
      '--channel',
      'pending',
      '--precedence',
      'FLASH',
      '--text',
      'too early',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PARLEY_E_CHANNEL_NOT_OPEN');
  });

  it('export writes a bundle that verify accepts, pinned to the station key', async () => {
    const out = join(dir, 'bundle');
    const r = await parley(['export', '--data', data, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'checkpoints.jsonl',
      'entries.jsonl',
      'keys.json',
      'manifest.json',
    ]);
    const key = (await parley(['key', '--data', data])).stdout.trim();
    const v = await parley(['verify', out, '--key', key]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    // The identity feed (genesis) and the pair's audience feed (genesis and the two messages).
    expect(v.stdout).toMatch(/^OK: 2 feed\(s\), 4 entries, \d+ checkpoints verified, keys pinned/);
    // Then a line for each feed: its size, root, keys and how much of it is witnessed.
    const lines = v.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.filter((l) => /identity feed, not cosigned/.test(l))).toHaveLength(1);
    expect(
      lines.filter((l) => /^ {2}stn_[0-9a-f]{24}\/aud_[0-9a-f]{24} .* size 3 .*witnessed/.test(l)),
    ).toHaveLength(1);
    // Not a terminal: no progress bar on stderr.
    expect(v.stderr).toBe('');
    const again = await parley(['export', '--data', data, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('PARLEY_E_EXPORT_TARGET_EXISTS');
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const onFile = await parley(['export', '--data', data, '--out', join(dir, 'not-a-dir')]);
    expect(onFile.stderr).toContain('PARLEY_E_EXPORT_TARGET_EXISTS');
  });

  it('peer add and fingerprint refuse a key that is not a prime-order Ed25519 point', async () => {
    const own = join(dir, 'pairing');
    expect((await parley(['init', '--data', own, '--name', 'Pairing'])).code).toBe(0);
    const add = (key: string) =>
      parley([
        'peer',
        'add',
        '--data',
        own,
        '--name',
        'peer',
        '--key',
        key,
        '--url',
        'http://127.0.0.1:9',
      ]);
    // The identity point (0100…00): with it, R = identity and S = 0 verifies on any message.
    const identity = Buffer.from(`01${'00'.repeat(31)}`, 'hex').toString('base64url');
    const bad = await add(identity);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PARLEY_E_KEY_INVALID');
    expect(bad.stderr).toContain('small order');
    expect((await parley(['fingerprint', '--key', identity])).stderr).toContain(
      'PARLEY_E_KEY_INVALID',
    );
    expect((await parley(['peer', 'list', '--data', own])).stdout).toBe('');
    const other = join(dir, 'pairing-peer');
    await parley(['init', '--data', other, '--name', 'Peer']);
    const good = await add((await parley(['key', '--data', other])).stdout.trim());
    expect(good.code, good.stderr).toBe(0);
  });

  it('verify refuses a bundle signed by a key other than the one given', async () => {
    const other = join(dir, 'other');
    await parley(['init', '--data', other, '--name', 'Other']);
    const otherKey = (await parley(['key', '--data', other])).stdout.trim();
    const v = await parley(['verify', join(dir, 'bundle'), '--key', otherKey]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('PARLEY_E_BUNDLE_UNTRUSTED_KEY');
    const bad = await parley(['verify', join(dir, 'bundle'), '--key', 'not-a-key']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PARLEY_E_BAD_PUBLIC_KEY');
    const none = await parley(['verify', join(dir, 'nothing-here')]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('PARLEY_E_BUNDLE_MISSING_FILE');
  });
});

describe('parley verify in a terminal', () => {
  it('draws a progress bar on stderr when stderr is a TTY', async () => {
    const { spawnSync } = await import('node:child_process');
    const dir = await tempDir();
    const data = join(dir, 's');
    expect((await parley(['init', '--data', data, '--name', 'TTY'])).code).toBe(0);
    expect((await parley(['export', '--data', data, '--out', join(dir, 'b')])).code).toBe(0);
    // util-linux `script` gives the child a pseudo-terminal (bsdutils is an essential Debian package).
    const r = spawnSync(
      'script',
      ['-qec', `${process.execPath} ${PARLEY} verify ${join(dir, 'b')}`, '/dev/null'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verifying [');
    expect(r.stdout).toContain('1/1 entries');
    expect(r.stdout).toContain('OK: 1 feed(s)');
  });
});
