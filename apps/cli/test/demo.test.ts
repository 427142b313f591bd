import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const START = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

/** Four consecutive free loopback ports (two stations, two second-path relays), probed by binding. */
async function freePorts(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ok = await Promise.all(
      [base, base + 1, base + 2, base + 3].map(
        (port) =>
          new Promise<boolean>((resolve) => {
            const srv = createServer().once('error', () => resolve(false));
            srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free ports');
}

function run(
  env: Record<string, string>,
  flag: string,
  until?: { line: RegExp; then: (out: string) => Promise<void> },
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [START, flag], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let fired = false;
    const onData = (d: string) => {
      out += d;
      if (until && !fired && until.line.test(out)) {
        fired = true;
        until.then(out).then(
          () => p.kill('SIGINT'),
          (err: unknown) => {
            p.kill('SIGKILL');
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      }
    };
    p.stdout.setEncoding('utf8').on('data', onData);
    p.stderr.setEncoding('utf8').on('data', onData);
    const t = setTimeout(() => p.kill('SIGKILL'), 150_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

describe('npm start (the two-station demo)', () => {
  it('creates, pairs and runs two stations with consoles; the Gaven Reef scenario plays on both; both agree, the export verifies; a second run reuses them; --no-scenario runs idle', async () => {
    const data = await tempDir('parley-demo-');
    const port = await freePorts();
    const env = { PARLEY_DEMO_DATA: data, PARLEY_DEMO_PORT: String(port) };
    const first = await run(env, '--once');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('creating station Alpha');
    // Both consoles and the demo logins are printed.
    expect(first.out).toContain(`http://127.0.0.1:${port}/`);
    expect(first.out).toContain(`http://localhost:${port + 1}/`);
    expect(first.out).toMatch(/watch\s+operator/);
    expect(first.out).toMatch(/viewer\s+viewer/);
    // The story: seen coming, drafted, sent FLASH, read and understood in Chinese, answered.
    expect(first.out).toMatch(/both screens: CAUTION DECATUR \/ LANZHOU 170/);
    expect(first.out).toMatch(
      /Alpha's screen: DANGER, CPA \d+ yd .* draft MAN-18 on #scs-tactical/,
    );
    expect(first.out).toContain("Alpha's watch sends the drafted warning as FLASH");
    expect(first.out).toMatch(/Bravo's watch reads it in Chinese: "我舰DECATUR/);
    expect(first.out).toContain('Bravo marks it understood, read-back in Chinese');
    // Every scripted message came back with the other station's signed delivered receipt.
    expect(first.out.match(/delivered: /g)).toHaveLength(4);
    expect(first.out).toContain("Alpha's linguist attaches an English translation");
    // A path is cut and restored, and the hotline keeps working over the other.
    expect(first.out).toContain('path 2 (through the relay) is cut');
    expect(first.out).toContain('path 2 restored');
    // The live-fire notice arrives late and is acknowledged.
    expect(first.out).toMatch(/live-fire notice .*: LATE/);
    expect(first.out).toContain('Alpha acknowledges the notice');
    expect(first.out.match(/identical at both stations/g)).toHaveLength(2);
    expect(first.out).toMatch(
      /OK: 4 feed\(s\), \d+ entries, \d+ checkpoints verified, keys pinned/,
    );
    expect(existsSync(join(data, 'alpha', 'station.json'))).toBe(true);

    const second = await run(env, '--once');
    expect(second.code, second.out).toBe(0);
    expect(second.out).not.toContain('creating station');
    expect(second.out).toContain('Alpha acknowledges the notice');

    // Idle: both stations up, each serving its console, until Ctrl-C.
    const idle = await run(env, '--no-scenario', {
      line: /no scenario/,
      then: async () => {
        for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port + 1}/`]) {
          const r = await fetch(url);
          expect(r.status).toBe(200);
          expect(await r.text()).toContain('<title>Parley console</title>');
        }
      },
    });
    expect(idle.code, idle.out).toBe(0);
    expect(idle.out).not.toContain('SCENARIO');
  }, 480_000);
});
