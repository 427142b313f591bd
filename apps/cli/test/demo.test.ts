import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const START = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

/** Five consecutive free loopback ports (three stations, two second-path relays), probed by binding. */
async function freePorts(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ok = await Promise.all(
      [base, base + 1, base + 2, base + 3, base + 4].map(
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

describe('npm start (the three-station demo)', () => {
  it('creates, pairs and runs three stations with consoles; the Gaven Reef scenario plays on Alpha and Bravo; the trilateral channel is understood by both others; Charlie holds only it; shared feeds agree, the export verifies; a second run reuses them; --no-scenario runs idle', async () => {
    const data = await tempDir('parley-demo-');
    const port = await freePorts();
    const env = { PARLEY_DEMO_DATA: data, PARLEY_DEMO_PORT: String(port) };
    const first = await run(env, '--once');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('creating station Alpha');
    expect(first.out).toContain('creating station Bravo');
    expect(first.out).toContain('creating station Charlie (Philippine Navy');
    // Every pair paired: Alpha and Bravo over two paths, Charlie with each over one.
    expect(first.out.match(/paired with \w+ \(stn_\w+\) over 2 path/g)).toHaveLength(2);
    expect(first.out.match(/paired with \w+ \(stn_\w+\) over 1 path/g)).toHaveLength(4);
    expect(first.out).toContain(
      'links UP: Alpha–Bravo on both paths, Charlie–Alpha and Charlie–Bravo',
    );
    // The bilateral channels name their member; the trilateral one is agreed by all three.
    expect(first.out).toContain(
      'channel #theater-ops (theater) proposed by Alpha to Bravo, agreed by all',
    );
    expect(first.out).toContain(
      'channel #scs-tactical (tactical) proposed by Alpha to Bravo, agreed by all',
    );
    expect(first.out).toContain(
      'channel #scs-trilateral (theater) proposed by Charlie to Alpha and Bravo, agreed by all',
    );
    // The three consoles and the demo logins are printed.
    expect(first.out).toContain(`http://127.0.0.1:${port}/`);
    expect(first.out).toContain(`http://localhost:${port + 1}/`);
    expect(first.out).toContain(`http://charlie.localhost:${port + 2}/`);
    expect(first.out).toMatch(/watch\s+operator/);
    expect(first.out).toMatch(/viewer\s+viewer/);
    // The story: seen coming, drafted, sent FLASH, read and understood in Chinese, answered.
    expect(first.out).toMatch(/both screens: CAUTION DECATUR \/ LANZHOU 170/);
    // The crossing under the Rules of the Road, from both sides: LANZHOU has DECATUR on her
    // starboard side and gives way (Rule 15); DECATUR stands on (Rule 17). 3 min to the CPA is
    // inside FLASH's 10 min objective: the drafts are for record, the ships act bridge-to-bridge.
    expect(first.out).toMatch(
      /Alpha's screen: DANGER, CPA \d+ yd in [\d.]+ min \(time to act -[\d.]+ min\), crossing, give way: LANZHOU 170; draft MAN-20 on #scs-tactical: "FOR RECORD, the ships act bridge-to-bridge \(VHF, CUES\): My ship DECATUR .*You are the give-way vessel: request you keep out of my way\. I am the stand-on vessel and I am maintaining my course and speed"/,
    );
    expect(first.out).toMatch(
      /Bravo's screen sees it too: crossing, give way: LANZHOU 170; draft MAN-19: "FOR RECORD.*My ship LANZHOU 170 .*I am the give-way vessel: I am altering my course to starboard to keep out of your way\. Request you maintain your course and speed" \/ "仅供备案.*我舰为让路船，正在向右转向，避让你舰。请你保持航向和航速"/,
    );
    // Neither side asks the stand-on DECATUR to turn.
    expect(first.out).not.toMatch(/request you alter (your )?course/i);
    expect(first.out).toContain("Alpha's watch sends the drafted warning as FLASH");
    expect(first.out).toMatch(/Bravo's watch reads it in Chinese: "(仅供备案[^"]*：)?我舰DECATUR/);
    // DECATUR manoeuvres to avoid collision (Rule 17(b)), to starboard (17(c)); the drafts on
    // both sides stay right: Alpha's says so and still asks LANZHOU to keep out of the way,
    // Bravo's is still the give-way draft.
    expect(first.out).toMatch(
      /Alpha's new draft MAN-22: ".*course 000°, speed 6 kn: crossing situation with your ship.*You are the give-way vessel and you are not keeping out of my way: I am maneuvering to avoid collision, altering my course to starboard\. Request you keep out of my way"/,
    );
    expect(first.out).toMatch(/Bravo's draft stays MAN-19 \(crossing, give way: LANZHOU 170\)/);
    expect(first.out).toContain("Alpha's watch sends it as FLASH");
    expect(first.out).toContain('Bravo marks it understood, read-back in Chinese');
    // Every scripted message came back with the other station's signed delivered receipt.
    expect(first.out.match(/delivered: /g)).toHaveLength(6);
    expect(first.out).toContain("Alpha's linguist attaches an English translation");
    // A path is cut and restored, and the hotline keeps working over the other.
    expect(first.out).toContain('path 2 (through the relay) is cut');
    expect(first.out).toContain('path 2 restored');
    // The live-fire notice arrives late and is acknowledged.
    expect(first.out).toMatch(/live-fire notice .*: LATE/);
    expect(first.out).toContain('Alpha acknowledges the notice');
    // The trilateral channel: Charlie's message reaches both others, each in its language, and
    // Charlie sees each party's receipts.
    expect(first.out).toMatch(/Charlie on #scs-trilateral, IMMEDIATE, to Alpha and Bravo/);
    expect(first.out).toMatch(
      /signed receipts back at Charlie from Alpha after \d+ ms, Bravo after/,
    );
    expect(first.out).toMatch(/Bravo reads it in Chinese and marks it understood: "我将前往/);
    expect(first.out).toContain(
      'at Charlie: understood by 2 of 2 (Alpha understood, Bravo understood)',
    );
    // Charlie lists only the trilateral channel and holds nothing of the US–China channels.
    expect(first.out).toMatch(/Charlie's channels: #scs-trilateral \(open; members [^)]*\)\n/);
    expect(first.out).toMatch(
      /Charlie holds 1 message\(s\), all on #scs-trilateral; none of the 5 Alpha–Bravo messages .*, no notice, no feed of their audience aud_/,
    );
    // Every feed is identical at every station holding it: the pair's two, the three's three.
    expect(
      first.out.match(/\(#theater-ops, #scs-tactical\): .* identical at Alpha and Bravo\n/g),
    ).toHaveLength(2);
    expect(
      first.out.match(/\(#scs-trilateral\): .* identical at Alpha, Bravo and Charlie\n/g),
    ).toHaveLength(3);
    expect(first.out).toMatch(
      /OK: 8 feed\(s\), \d+ entries, \d+ checkpoints verified, keys pinned/,
    );
    for (const s of ['alpha', 'bravo', 'charlie'])
      expect(existsSync(join(data, s, 'station.json'))).toBe(true);

    const second = await run(env, '--once');
    expect(second.code, second.out).toBe(0);
    expect(second.out).not.toContain('creating station');
    expect(second.out).not.toContain('pairing');
    expect(second.out).toContain('Alpha acknowledges the notice');
    expect(second.out).toContain('understood by 2 of 2');
    expect(second.out).toMatch(/Charlie holds 2 message\(s\), all on #scs-trilateral/);
    expect(second.out).toMatch(/OK: 8 feed\(s\)/);

    // Idle: the three stations up, each serving its console, until Ctrl-C. (Browsers resolve
    // charlie.localhost to loopback; the resolver here may not, so Charlie's is asked by address.)
    const idle = await run(env, '--no-scenario', {
      line: /no scenario/,
      then: async () => {
        for (const url of [
          `http://127.0.0.1:${port}/`,
          `http://localhost:${port + 1}/`,
          `http://127.0.0.1:${port + 2}/`,
        ]) {
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
