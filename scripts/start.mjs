// `npm start`: a single-station walkthrough on the embedded default (SQLite under ./data/).
// It drives the real `parley` command: init a station (first run only), post messages,
// export a bundle and verify it offline against the station's public key. Exits non-zero if
// any step fails. (The two-station hotline takes over `npm start` with the link issue.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDtg } from '@parley/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const parley = join(root, 'bin', 'parley');
const data = join(root, 'data', 'alpha');
const rel = (p) => relative(process.cwd(), p) || '.';

function run(args, { capture = false } = {}) {
  console.log(`\n$ parley ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [parley, ...args], {
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
  });
  if (capture && r.stdout) process.stdout.write(r.stdout);
  if (r.status !== 0) {
    console.error(
      `\nwalkthrough failed: \`parley ${args[0]}\` exited with ${r.status ?? r.signal}`,
    );
    process.exit(1);
  }
  return r.stdout ?? '';
}

console.log(
  'Parley walkthrough: one station, its signed Merkle-logged feed, an export and an offline verification.',
);
if (existsSync(join(data, 'station.json'))) {
  console.log(`\nReusing the station in ${rel(data)} (delete ./data to start over).`);
} else {
  mkdirSync(join(root, 'data'), { recursive: true });
  run(['init', '--data', data, '--name', 'Parley Demo Station Alpha']);
}
const key = run(['key', '--data', data], { capture: true }).trim();
run(['fingerprint', '--data', data]);

const now = new Date();
const dtg = formatDtg(now.getTime());
run([
  'post',
  '--data',
  data,
  '--channel',
  'theater-ops',
  '--precedence',
  'FLASH',
  '--text',
  `${dtg}: Your destroyer is closing my bow at 45 yards. I am maneuvering to avoid you. State your intentions.`,
]);
run([
  'post',
  '--data',
  data,
  '--channel',
  'theater-ops',
  '--precedence',
  'IMMEDIATE',
  '--text',
  'Request you reduce speed and keep well clear of me.',
]);
run([
  'post',
  '--data',
  data,
  '--channel',
  'link-test',
  '--precedence',
  'ROUTINE',
  '--text',
  'Hourly link test. Acknowledge.',
]);

const bundle = join(root, 'data', 'exports', `bundle-${now.toISOString().replace(/[:.]/g, '')}`);
mkdirSync(join(root, 'data', 'exports'), { recursive: true });
run(['export', '--data', data, '--out', bundle]);
run(['verify', bundle, '--key', key]);
run(['status', '--data', data]);

console.log(
  `\nDone. The feed lives in ${rel(join(data, 'parley.db'))}; the bundle in ${rel(bundle)} verifies offline with`,
);
console.log(`  parley verify ${rel(bundle)} --key ${key}`);
