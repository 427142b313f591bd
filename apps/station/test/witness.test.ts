// Two real stations on loopback: A's checkpoints as C2SP signed notes, submitted to B's tlog-witness
// route, cosigned, and checked with an independent raw node:crypto reading of the specs; then
// every refusal the witness spec defines (404, 403, 409, 422, 400) plus the size and rate limits.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  audienceId,
  checkpointOrigin,
  checkpointVerifierKey,
  keyId,
  openCheckpointNote,
  parseVkey,
  signCheckpointNote,
  signerFromPem,
  signerFromSeed,
} from '@parley/ledger';
import type { PublicKeyB64 } from '@parley/core';
import {
  addPeer,
  api,
  makeStation,
  openChannel,
  startInProcess,
  tempRoot,
  token,
  waitFor,
} from './harness.js';
import type { StationDir } from './harness.js';
import {
  rawCosignatureTime,
  rawKeyId,
  rawOpen,
  rawSplit,
  rawVkey,
} from '../../../packages/ledger/test/raw-note.js';

vi.setConfig({ testTimeout: 120_000 });

type Running = Awaited<ReturnType<typeof startInProcess>>;
let A: StationDir, B: StationDir;
let a: Running, b: Running;
let tokA = '',
  tokB = '';
const PER_ADDRESS = 40;

async function text(url: string, path: string, bearer: string): Promise<string> {
  const r = await fetch(url + path, { headers: { authorization: `Bearer ${bearer}` } });
  expect(r.status, path).toBe(200);
  return r.text();
}

async function submit(
  body: string | Buffer,
  headers: Record<string, string> = {},
  to: string = b.url,
) {
  const r = await fetch(`${to}/witness/v1/add-checkpoint`, { method: 'POST', body, headers });
  const t = await r.text();
  let json: { code?: string } = {};
  try {
    json = JSON.parse(t);
  } catch {
    // cosignature lines or a size
  }
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: t, code: json.code };
}

afterAll(async () => {
  await Promise.allSettled([a, b].map((s) => s?.station.close()));
});

beforeAll(async () => {
  const root = await tempRoot('parley-witness-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  a = await startInProcess(A);
  b = await startInProcess(B, { witness: { perAddressPerMinute: PER_ADDRESS } });
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  tokA = await token(A, 'admin');
  tokB = await token(B, 'admin');
  await openChannel({ url: a.url, token: tokA }, { url: b.url, token: tokB }, 'ab-ops', {
    tier: 'theater',
  });
});

describe('checkpoint notes and the tlog-witness route', () => {
  const aud = () => audienceId([A.station, B.station]);

  it("A's notes verify independently; B cosigns them and the cosignature verifies independently", async () => {
    const info = (await api(a.url, tokA).get('/api/v1/witness')).json;
    const idFeed = info.feeds.find(
      (f: { origin: string }) => f.origin === checkpointOrigin(A.station),
    );
    const k = rawVkey(idFeed.vkey);
    expect(k.key.toString('base64url')).toBe(A.key);
    expect(k.id).toBe(rawKeyId(checkpointOrigin(A.station), 0x01, k.key));
    const note = await text(a.url, '/api/v1/checkpoint-note', tokA);
    expect(rawOpen(note, idFeed.vkey)).toBe(true);
    expect(rawSplit(note).text.split('\n')[0]).toBe(checkpointOrigin(A.station));

    const witness = (await api(b.url, tokB).get('/api/v1/witness')).json;
    expect(witness.name).toBe(`parley.witness/v1/${B.station}`);
    const body = await text(a.url, '/api/v1/checkpoint-note?old=0', tokA);
    expect(body.startsWith('old 0\n\n')).toBe(true);
    const before = BigInt(Math.floor(Date.now() / 1000));
    const r = await submit(body);
    expect(r.status, r.text).toBe(200);
    expect(r.text.startsWith(`\u2014 parley.witness/v1/${B.station} `)).toBe(true);
    const time = rawCosignatureTime(note + r.text, witness.vkey);
    expect(time).toBeDefined();
    expect(time! >= before && time! <= BigInt(Math.ceil(Date.now() / 1000))).toBe(true);
    // Our verifier agrees: A's key as log key, B's witness key as required cosigner.
    const opened = openCheckpointNote(note + r.text, {
      logKeys: [parseVkey(idFeed.vkey)],
      witnesses: [parseVkey(witness.vkey)],
      origin: checkpointOrigin(A.station),
    });
    expect(opened.cosigned).toHaveLength(1);
    // The same request again: the witness has moved on, and says to what size (tlog-witness 409).
    const again = await submit(body);
    expect(again.status).toBe(409);
    expect(again.type).toBe('text/x.tlog.size');
    expect(again.text).toBe(`${opened.checkpoint.size}\n`);
    const state = (await api(b.url, tokB).get('/api/v1/witness')).json.cosigned;
    expect(state).toContainEqual({
      origin: checkpointOrigin(A.station),
      size: opened.checkpoint.size,
      root: opened.checkpoint.root,
    });
  });

  it('an audience feed is cosigned as it grows, with consistency proofs; a bad proof is 422', async () => {
    const q = `?audience=${aud()}`;
    const firstBody = await text(a.url, `/api/v1/checkpoint-note${q}&old=0`, tokA);
    const first = await submit(firstBody);
    expect(first.status, first.text).toBe(200);
    // The size cosigned is the one in the note submitted (the feed may have grown since).
    const size1 = Number(rawSplit(firstBody.slice('old 0\n\n'.length)).text.split('\n')[1]);
    for (let i = 0; i < 3; i++)
      await api(a.url, tokA).send(`witness test ${i}`, 'ROUTINE', 'ab-ops');
    const note2 = await waitFor('A audience feed grew', async () => {
      const n = await text(a.url, `/api/v1/checkpoint-note${q}`, tokA);
      return Number(rawSplit(n).text.split('\n')[1]) > size1 + 2 ? n : undefined;
    });
    const size2 = Number(rawSplit(note2).text.split('\n')[1]);
    const body = await text(a.url, `/api/v1/checkpoint-note${q}&old=${size1}`, tokA);
    // A hash of the proof changed: the proof does not verify.
    const lines = body.split('\n');
    const flipped = Buffer.from(lines[1]!, 'base64');
    flipped[0]! ^= 1;
    const bad = [lines[0], flipped.toString('base64'), ...lines.slice(2)].join('\n');
    const r422 = await submit(bad);
    expect([r422.status, r422.code]).toEqual([422, 'PARLEY_E_WITNESS_PROOF']);
    // No proof at all where one is needed: 422 too.
    const r422b = await submit(`old ${size1}\n\n${body.slice(body.indexOf('\n\n') + 2)}`);
    expect([r422b.status, r422b.code]).toEqual([422, 'PARLEY_E_WITNESS_PROOF']);
    const ok = await submit(body);
    expect(ok.status, ok.text).toBe(200);
    const witness = (await api(b.url, tokB).get('/api/v1/witness')).json;
    const feedVkey = (await api(a.url, tokA).get('/api/v1/witness')).json.feeds.find(
      (f: { origin: string }) => f.origin === checkpointOrigin(A.station, aud()),
    ).vkey;
    const cosigned = body.slice(body.indexOf('\n\n') + 2) + ok.text;
    expect(rawOpen(cosigned, feedVkey)).toBe(true);
    expect(rawCosignatureTime(cosigned, witness.vkey)).toBeDefined();
    expect(Number(rawSplit(cosigned).text.split('\n')[1])).toBeGreaterThanOrEqual(size2);
  });

  it('refuses unknown origins (404), signatures it cannot trust (403), forks (409) and bad requests (400, 413)', async () => {
    const note = await text(a.url, '/api/v1/checkpoint-note', tokA);
    const [origin, size, root] = rawSplit(note).text.split('\n') as [string, string, string];
    const rootHex = Buffer.from(root, 'base64').toString('hex');
    const pem = await readFile(join(A.dir, 'keys', `${keyId(A.key as PublicKeyB64)}.key`), 'utf8');
    const aKey = signerFromPem(pem);
    const stranger = signerFromSeed(Buffer.alloc(32, 9));
    const n = Number(size);

    // 404: B's own feed, a station that is not paired, an audience B is not in, not a Parley origin.
    const own = await text(b.url, '/api/v1/checkpoint-note?old=0', tokB);
    expect((await submit(own)).status).toBe(404);
    const unpaired = signCheckpointNote(`stn_${'0'.repeat(24)}`, null, 1, rootHex, stranger);
    expect((await submit(`old 0\n\n${unpaired}`)).code).toBe('PARLEY_E_WITNESS_UNKNOWN_LOG');
    const otherAud = audienceId([A.station, `stn_${'1'.repeat(24)}`]);
    const notShared = signCheckpointNote(A.station, otherAud, 1, rootHex, aKey);
    expect((await submit(`old 0\n\n${notShared}`)).status).toBe(404);
    const foreign = `example.com/log\n1\n${root}\n\n\u2014 example.com/log AAAAAA${'A'.repeat(84)}==\n`;
    expect((await submit(`old 0\n\n${foreign}`)).status).toBe(404);

    // 403: signed by a key B does not hold for A, or a signature by A's key that fails.
    const strangerNote = signCheckpointNote(A.station, null, n, rootHex, stranger);
    const r403 = await submit(`old ${n}\n\n${strangerNote}`);
    expect([r403.status, r403.code]).toEqual([403, 'PARLEY_E_NOTE_UNKNOWN_KEY']);
    const sigLine = note.slice(note.indexOf('\n\n') + 2);
    const blob = Buffer.from(sigLine.trim().split(' ')[2]!, 'base64');
    blob[10]! ^= 1;
    const forged = `${origin}\n${size}\n${root}\n\n\u2014 ${origin} ${blob.toString('base64')}\n`;
    const r403b = await submit(`old ${n}\n\n${forged}`);
    expect([r403b.status, r403b.code]).toEqual([403, 'PARLEY_E_NOTE_SIGNATURE']);
    // A's real key, but a checkpoint B's copy of A's feed contradicts, or of a cosigned size with
    // another root: a fork, 409, and nothing cosigned.
    const fork = signCheckpointNote(A.station, null, n, 'ab'.repeat(32), aKey);
    const r409 = await submit(`old ${n}\n\n${fork}`);
    expect([r409.status, r409.code]).toEqual([409, 'PARLEY_E_WITNESS_CONFLICT']);
    expect(checkpointVerifierKey(A.station, null, aKey.publicKey).name).toBe(origin);
    // A, witnessing B's identity feed for the first time (old 0), holds it verified: a checkpoint
    // signed by B's real key whose root is not that copy's root is a fork too.
    const bKey = signerFromPem(
      await readFile(join(B.dir, 'keys', `${keyId(B.key as PublicKeyB64)}.key`), 'utf8'),
    );
    const bFork = signCheckpointNote(B.station, null, 1, 'cd'.repeat(32), bKey);
    const r409b = await submit(`old 0\n\n${bFork}`, {}, a.url);
    expect([r409b.status, r409b.code]).toEqual([409, 'PARLEY_E_WITNESS_CONFLICT']);
    const bNote = await text(b.url, '/api/v1/checkpoint-note?old=0', tokB);
    expect((await submit(bNote, {}, a.url)).status).toBe(200);

    // 400: old size above the checkpoint, a proof with old size 0, no old line; 413: too large.
    expect((await submit(`old ${n + 1}\n\n${note}`)).code).toBe('PARLEY_E_WITNESS_BAD_REQUEST');
    const h = Buffer.alloc(32).toString('base64');
    expect((await submit(`old 0\n${h}\n\n${note}`)).status).toBe(400);
    expect((await submit(note)).code).toBe('PARLEY_E_WITNESS_BAD_REQUEST');
    expect((await submit(`old ${n}\n\n${origin}\n${size}\n${root}\n`)).code).toBe(
      'PARLEY_E_NOTE_MALFORMED',
    );
    const huge = await submit(
      `old ${n}\n\n${origin}\n${size}\n${root}\n${'x'.repeat(80_000)}\n\n${sigLine}`,
      {
        'content-type': 'text/plain',
      },
    );
    expect(huge.status).toBe(413);
    const big = await submit(
      `old ${n}\n\n${origin}\n${size}\n${root}\n${'x'.repeat(66_000)}\n\n${sigLine}`,
    );
    expect([big.status, big.code]).toEqual([413, 'PARLEY_E_NOTE_TOO_LARGE']);
    // Whatever the refusals, B still stands where it stood: the genuine request says so.
    const stand = await submit(`old 0\n\n${note}`);
    expect([stand.status, stand.text]).toEqual([409, `${n}\n`]);
  });

  it('limits each client address per minute (429)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 2; i++) statuses.push((await submit('old 0\n')).status);
    expect(statuses).toContain(429);
    const r = await submit('old 0\n');
    expect([r.status, r.code]).toEqual([429, 'PARLEY_E_RATE_LIMITED']);
  });
});
