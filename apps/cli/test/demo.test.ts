import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const START = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

/** Two consecutive free loopback ports (probed by binding). */
async function freePorts(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ok = await Promise.all(
      [base, base + 1].map(
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

function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [START, '--once'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 90_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

describe('npm start (the two-station demo)', () => {
  it('creates, pairs and runs two stations; the traffic is delivered, both agree, the export verifies; a second run reuses them', async () => {
    const data = await tempDir('parley-demo-');
    const env = { PARLEY_DEMO_DATA: data, PARLEY_DEMO_PORT: String(await freePorts()) };
    const first = await run(env);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('creating station Alpha');
    expect(first.out.match(/delivered: /g)).toHaveLength(4);
    expect(first.out.match(/identical at both stations/g)).toHaveLength(2);
    expect(first.out).toMatch(
      /OK: 2 feed\(s\), \d+ entries, \d+ checkpoints verified, keys pinned/,
    );
    expect(existsSync(join(data, 'alpha', 'station.json'))).toBe(true);

    const second = await run(env);
    expect(second.code, second.out).toBe(0);
    expect(second.out).not.toContain('creating station');
  });
});
