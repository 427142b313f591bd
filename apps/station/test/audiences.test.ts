// Three real stations on loopback (SQLite): a bilateral channel stays private to its two members,
// and a trilateral channel opens when all three agree, with receipts and deadlines per recipient
// (ADR 0003).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, stopTestServer } from '../../../packages/store/test/pg-helper.js';
import { audienceId, feedKey, keyId, parseFeedKey, signerFromPem } from '@parley/ledger';
import type { PublicKeyB64, StationId } from '@parley/core';
import { addPeer, api, makeStation, startInProcess, tempRoot, token, waitFor } from './harness.js';
import type { StationDir } from './harness.js';
import { FakeClient } from './fake-peer.js';
import { exportBundle, verifyBundleDir } from '@parley/store';

// Several stations on two cores: each test has more time than the suite's default.
vi.setConfig({ testTimeout: 180_000 });

/** `waitFor` with room for a loaded machine (up to five stations share two cores). */
function waitLong<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  ms = 60_000,
): Promise<T> {
  return waitFor(what, fn, Math.max(ms, 60_000));
}

type Running = { station: Awaited<ReturnType<typeof startInProcess>>['station']; url: string };
let A: StationDir, B: StationDir, C: StationDir;
let a: Running, c: Running;
const t: Record<string, string> = {};
const urls: Record<string, string> = {};
const agreement = { tier: 'theater' };
const drops: (() => Promise<void>)[] = [];
/** One clock for every station, which a test may move forward (all together, so links agree). */
const shift = { ms: 0 };
const clock = { now: () => Date.now() + shift.ms };
/** Every path that went DOWN, at any station (`<station> → <url>`). */
const downs: string[] = [];
const running: Running[] = [];
afterAll(async () => {
  await Promise.allSettled(running.map((s) => s.station.close()));
  for (const d of drops) await d().catch(() => undefined);
  await stopTestServer();
});

/** `n` stations on loopback, every pair paired (members replicate pairwise), on `engine`. */
async function topology(n: number, engine: 'sqlite' | 'postgres') {
  const root = await tempRoot('parley-aud-');
  const names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'].slice(0, n);
  const dirs: StationDir[] = [];
  for (const name of names) {
    let opts = {};
    if (engine === 'postgres') {
      const db = await freshDatabase('parley_aud');
      drops.push(db.drop);
      opts = { storeUrl: db.url };
    }
    dirs.push(await makeStation(root, name, opts));
  }
  const up: Running[] = [];
  for (const d of dirs) {
    const r = await startInProcess(d, { clock });
    r.station.bus.subscribe((e) => {
      if (e.type === 'link' && e.state === 'DOWN') downs.push(`${d.name} → ${e.url}`);
    });
    running.push(r);
    up.push(r);
    urls[d.station] = r.url;
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) if (i !== j) await addPeer(dirs[i]!, dirs[j]!, [up[j]!.url]);
  for (const d of dirs) t[d.station] = await token(d, 'admin');
  return { dirs, up };
}

const as = (s: StationDir) => api(urls[s.station]!, t[s.station]);

/** `proposer` proposes `name` to `members`, each accepts, and all see it open. */
async function open(name: string, proposer: StationDir, members: StationDir[]) {
  const p = await as(proposer).post('/api/v1/channels', {
    name,
    members: members.map((m) => m.station),
    agreement,
  });
  expect(p.status, JSON.stringify(p.json)).toBe(201);
  for (const m of members) {
    await waitLong(`${name} proposed at ${m.name}`, async () =>
      ((await as(m).get('/api/v1/channels')).json.channels as { name: string }[]).some(
        (x) => x.name === name,
      ),
    );
    expect((await as(m).post(`/api/v1/channels/${name}/accept`, {})).status).toBe(201);
  }
  for (const s of [proposer, ...members])
    await waitLong(`${name} open at ${s.name}`, async () =>
      (
        (await as(s).get('/api/v1/channels')).json.channels as { name: string; status: string }[]
      ).find((x) => x.name === name && x.status === 'open'),
    );
}

describe.each(['sqlite', 'postgres'] as const)(
  'audiences on %s: several counterparts, each private',
  (engine) => {
    beforeAll(async () => {
      const { dirs, up } = await topology(3, engine);
      [A, B, C] = dirs as [StationDir, StationDir, StationDir];
      [a, , c] = up as [Running, Running, Running];
    }, 180_000);

    it('a proposal with several peers must name its members', async () => {
      const r = await as(A).post('/api/v1/channels', { name: 'vague', agreement });
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('PARLEY_E_INVALID_ARGUMENT');
      const stranger = await as(A).post('/api/v1/channels', {
        name: 'vague',
        members: ['stn_000000000000000000000000'],
        agreement,
      });
      expect(stranger.json.code).toBe('PARLEY_E_PEER_NOT_FOUND');
      // With several peers, a name never proposed carries nothing.
      const informal = await as(A).post('/api/v1/messages', {
        channel: 'nowhere',
        precedence: 'FLASH',
        text: 'x',
      });
      expect(informal.status).toBe(404);
      expect(informal.json.code).toBe('PARLEY_E_CHANNEL_NOT_FOUND');
    });

    it('a bilateral channel reaches its two members and not a byte of it reaches the third', async () => {
      await open('ab-ops', A, [B]);
      const secret = 'A to B only: CV-63 turning north';
      const sent = await as(A).send(secret, 'FLASH', 'ab-ops');
      await waitLong('B holds it', async () =>
        (await as(B).messages('ab-ops')).find((m) => m.id === sent.id),
      );
      const aud = audienceId([A.station, B.station]);
      // C's operators: 404 for the channel on its routes, nothing in its lists.
      for (const path of [
        '/api/v1/channels/ab-ops/accept',
        '/api/v1/channels/ab-ops/suspend',
        '/api/v1/channels/ab-ops/resume',
      ]) {
        const r = await as(C).post(path, { reason: 'probe' });
        expect(r.status, path).toBe(404);
      }
      expect(
        ((await as(C).get('/api/v1/channels')).json.channels as { name: string }[]).map(
          (x) => x.name,
        ),
      ).not.toContain('ab-ops');
      const listed = await as(C).get('/api/v1/messages?channel=ab-ops');
      expect(listed.status).toBe(404);
      expect(listed.json.code).toBe('PARLEY_E_CHANNEL_NOT_FOUND');
      const ack = await as(C).post(`/api/v1/messages/${sent.id}/understood`, {});
      expect(ack.status).toBe(404);
      // C's store: no feed of the A-B audience, and no entry anywhere that holds the text.
      const { store } = c.station.handle;
      const feeds = (await store.feeds()).map((f) => parseFeedKey(f.station));
      expect(feeds.some((f) => f.audience === aud)).toBe(false);
      for (const f of await store.feeds())
        for (const e of await store.entries(f.station, 0, 100_000))
          expect(e.line).not.toContain('CV-63');
      // C's crafted link request, signed with C's real key, naming the A-B audience: nothing.
      const pem = await readFile(
        join(C.dir, 'keys', `${keyId(C.key as PublicKeyB64)}.key`),
        'utf8',
      );
      const client = new FakeClient(
        { station: C.station as StationId, signer: signerFromPem(pem) },
        { url: a.url, station: A.station, key: A.key },
      );
      const pull = await client.send({
        path: '/link/v1/pull',
        body: { feeds: [{ audience: aud, after: 0 }], limit: 5000, wait: 0 },
        // The stations' clock (a test may have moved it forward).
        skewMs: shift.ms,
      });
      expect(pull.status).toBe(200);
      const served = pull.json as { feeds: { audience: string | null; entries: string[] }[] };
      expect(served.feeds.map((f) => f.audience)).not.toContain(aud);
      expect(JSON.stringify(served)).not.toContain('CV-63');
      // What C may read of A: its identity feed, and nothing of a channel.
      for (const f of served.feeds)
        if (f.audience === null)
          for (const l of f.entries) expect(JSON.parse(l).kind).toMatch(/^(genesis|key-rotation)$/);
      // A holds C's feeds too, but of the A-B channel only B's and its own.
      expect((await a.station.handle.store.head(feedKey(C.station, aud))) ?? null).toBeNull();
    });

    it('a trilateral channel opens when all three agree; receipts and deadlines are per recipient', async () => {
      const p = await as(A).post('/api/v1/channels', {
        name: 'tri',
        members: [B.station, C.station],
        agreement,
      });
      expect(p.status).toBe(201);
      await waitLong('tri proposed at B', async () =>
        ((await as(B).get('/api/v1/channels')).json.channels as { name: string }[]).some(
          (x) => x.name === 'tri',
        ),
      );
      expect((await as(B).post('/api/v1/channels/tri/accept', {})).status).toBe(201);
      // Two of three have agreed: still proposed, and traffic is refused.
      await waitLong('B accepted at A', async () =>
        (
          (await as(A).get('/api/v1/channels')).json.channels as {
            name: string;
            accepted: string[];
          }[]
        )
          .find((x) => x.name === 'tri')
          ?.accepted.includes(B.station),
      );
      const early = await as(A).post('/api/v1/messages', {
        channel: 'tri',
        precedence: 'FLASH',
        text: 'x',
      });
      expect(early.json.code).toBe('PARLEY_E_CHANNEL_NOT_OPEN');
      await waitLong('tri proposed at C', async () =>
        ((await as(C).get('/api/v1/channels')).json.channels as { name: string }[]).some(
          (x) => x.name === 'tri',
        ),
      );
      expect((await as(C).post('/api/v1/channels/tri/accept', {})).status).toBe(201);
      for (const s of [A, B, C])
        await waitLong(`tri open at ${s.name}`, async () =>
          (
            (await as(s).get('/api/v1/channels')).json.channels as {
              name: string;
              status: string;
              members: string[];
            }[]
          ).find((x) => x.name === 'tri' && x.status === 'open' && x.members.length === 3),
        );

      const sent = await as(A).send('All units: live fire at 0600', 'FLASH', 'tri');
      for (const s of [B, C])
        await waitLong(`${s.name} holds it`, async () =>
          (await as(s).messages('tri')).find((m) => m.id === sent.id),
        );
      expect(
        (await as(B).post(`/api/v1/messages/${sent.id}/understood`, { readback: 'B copies' }))
          .status,
      ).toBe(201);
      type Party = {
        station: string;
        deliveredAt: number | null;
        understood: { readback?: string } | null;
        deadline: number | null;
      };
      const seen = await waitLong('A sees B understood and C delivered', async () => {
        const m = (await as(A).messages('tri')).find((x) => x.id === sent.id) as unknown as {
          status: { delivered: boolean; understood: unknown; parties: Party[] };
        };
        const ps = m?.status.parties ?? [];
        return ps.length === 2 &&
          ps.every((x) => x.deliveredAt !== null) &&
          ps.some((x) => x.understood)
          ? m
          : undefined;
      });
      // Understood by 1 of 2: the message as a whole is not understood yet.
      expect(seen.status.delivered).toBe(true);
      expect(seen.status.understood).toBeNull();
      const byStation = new Map(seen.status.parties.map((x) => [x.station, x]));
      expect(byStation.get(B.station)!.understood).toMatchObject({ readback: 'B copies' });
      expect(byStation.get(C.station)!.understood).toBeNull();
      expect(byStation.get(C.station)!.deadline).toBe(
        byStation.get(C.station)!.deliveredAt! + 10 * 60_000,
      );
      // The channel's running deadline names the party that still owes its answer.
      const ch = (
        (await as(A).get('/api/v1/channels')).json.channels as {
          name: string;
          deadlines: { id: string; parties: { station: string }[] }[];
        }[]
      ).find((x) => x.name === 'tri')!;
      expect(ch.deadlines.find((d) => d.id === sent.id)!.parties.map((x) => x.station)).toEqual([
        C.station,
      ]);
      // Unread is each station's own: B has read it (C has not), C has not.
      const unreadAt = async (s: StationDir) =>
        (
          (await as(s).get('/api/v1/channels')).json.channels as { name: string; unread: number }[]
        ).find((x) => x.name === 'tri')!.unread;
      expect(await unreadAt(B)).toBe(0);
      expect(await unreadAt(C)).toBe(1);
      // Past C's deadline the watch raises one alarm naming C alone (B understood in time).
      shift.ms += 11 * 60_000;
      const alarm = await waitLong('the alarm at A', async () => {
        const r = (await as(A).get('/api/v1/alarms')).json as {
          alarms: {
            type: string;
            of: { hash: string } | null;
            parties: string[];
            reason: string;
          }[];
        };
        return r.alarms.find((x) => x.type === 'understood-overdue' && x.of?.hash === sent.id);
      });
      expect(alarm.parties).toEqual([C.station]);
      expect(alarm.reason).toContain('Charlie');
      expect(alarm.reason).not.toContain('Bravo');
      // A bundle of the trilateral audience holds its three feeds and nothing else.
      const aud = audienceId([A.station, B.station, C.station]);
      const feeds = (await a.station.handle.store.feeds())
        .map((f) => parseFeedKey(f.station))
        .filter((f) => f.audience === aud);
      expect(feeds.map((f) => f.station).sort()).toEqual([A.station, B.station, C.station].sort());
      const out = join(await tempRoot('parley-aud-bundle-'), 'tri');
      await exportBundle(a.station.handle.store, out, {
        exporter: a.station.handle.exporter,
        audience: aud,
      });
      const res = await verifyBundleDir(out, { trustedKeys: [A.key, B.key, C.key] as never });
      expect(res.ok, JSON.stringify(res)).toBe(true);
      if (res.ok) {
        expect(res.feeds.map((f) => f.audience)).toEqual([aud, aud, aud]);
        for (const f of res.feeds) expect(f.witnessedSize).toBeGreaterThan(0);
      }
      const lines = (await readFile(join(out, 'entries.jsonl'), 'utf8')).trim().split('\n');
      for (const l of lines) expect(JSON.parse(l).audience).toBe(aud);
      expect(lines.join('\n')).not.toContain('CV-63');
    });

    it('a notice on the trilateral channel is acknowledged by each party; it counts as acknowledged once both have', async () => {
      const H = 3_600_000;
      const area = {
        type: 'polygon',
        points: [
          { lat: 10, lon: 114 },
          { lat: 10, lon: 115 },
          { lat: 11, lon: 115 },
          { lat: 11, lon: 114 },
        ],
      };
      const r = await as(A).post('/api/v1/notices', {
        channel: 'tri',
        send: true,
        notice: {
          kind: 'naval-exercise',
          issuer: { party: 'Alpha', unit: 'CSG 5' },
          areas: [{ area }],
          band: { type: 'surface' },
          windows: [{ start: Date.now() + 80 * H, end: Date.now() + 104 * H }],
          remark: 'Surface units are requested to keep clear.',
          contact: 'hotline channel tri',
        },
      });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      const id = r.json.id as string;
      for (const s of [B, C])
        await waitLong(`${s.name} holds the notice`, async () => {
          const n = await as(s).get(`/api/v1/notices/${id}`);
          return n.status === 200 ? n.json : undefined;
        });
      expect((await as(B).post(`/api/v1/notices/${id}/understood`, {})).status).toBe(201);
      type Party = { station: string; deliveredAt: number | null; understood: unknown };
      const half = await waitLong('A sees B acknowledge', async () => {
        const n = (await as(A).get(`/api/v1/notices/${id}`)).json as {
          acknowledged: boolean;
          parties: Party[];
        };
        return n.parties?.find((p) => p.station === B.station)?.understood ? n : undefined;
      });
      expect(half.acknowledged).toBe(false);
      expect(half.parties.find((p) => p.station === C.station)!.understood).toBeNull();
      expect((await as(C).post(`/api/v1/notices/${id}/understood`, {})).status).toBe(201);
      await waitLong('acknowledged by both', async () => {
        const n = (await as(A).get(`/api/v1/notices/${id}`)).json as { acknowledged: boolean };
        return n.acknowledged;
      });
    });

    it('members are added and removed by an amendment the new members accept; a removed member keeps what it had and gets nothing new', async () => {
      const amend = async (by: StationDir, members: StationDir[]) => {
        const r = await as(by).post('/api/v1/channels/ab-ops/members', {
          members: members.map((m) => m.station),
        });
        expect(r.status, JSON.stringify(r.json)).toBe(201);
      };
      const channelAt = async (s: StationDir) =>
        (
          (await as(s).get('/api/v1/channels')).json.channels as {
            name: string;
            status: string;
            members: string[];
            amendment: unknown;
          }[]
        ).find((x) => x.name === 'ab-ops');
      // Add C: A proposes, B and C accept; until then the channel stays as it was.
      await amend(A, [B, C]);
      expect((await channelAt(A))!.members).toHaveLength(2);
      for (const s of [B, C]) {
        await waitLong(`the change seen at ${s.name}`, async () => {
          const ch = await channelAt(s);
          return ch && (ch.amendment || ch.status === 'proposed');
        });
        expect((await as(s).post('/api/v1/channels/ab-ops/accept', {})).status).toBe(201);
      }
      for (const s of [A, B, C])
        await waitLong(`three members at ${s.name}`, async () => {
          const ch = await channelAt(s);
          return ch?.status === 'open' && ch.members.length === 3 ? ch : undefined;
        });
      const after = await as(A).send('A to all three after C joined', 'FLASH', 'ab-ops');
      await waitLong('C holds the new message', async () =>
        (await as(C).messages('ab-ops')).find((m) => m.id === after.id),
      );
      // C joined later: it has nothing of what was said before.
      expect((await as(C).messages('ab-ops')).map((m) => m.text)).not.toContain(
        'A to B only: CV-63 turning north',
      );
      // Remove C: A and B agree; C keeps what it holds and receives nothing written after.
      await amend(B, [A]);
      await waitLong('the removal seen at A', async () => (await channelAt(A))?.amendment);
      expect((await as(A).post('/api/v1/channels/ab-ops/accept', {})).status).toBe(201);
      for (const s of [A, B])
        await waitLong(`two members again at ${s.name}`, async () => {
          const ch = await channelAt(s);
          return ch?.members.length === 2 ? ch : undefined;
        });
      const later = await as(A).send('A to B after C left', 'FLASH', 'ab-ops');
      await waitLong('B holds it', async () =>
        (await as(B).messages('ab-ops')).find((m) => m.id === later.id),
      );
      const atC = (await as(C).messages('ab-ops')).map((m) => m.id);
      expect(atC).toContain(after.id);
      expect(atC).not.toContain(later.id);
    });

    it('every station rotates its key during steady traffic on the trilateral channel: 0 lost, 0 duplicated, no path DOWN', async () => {
      const parties = [A, B, C];
      const sent = new Map<string, string[]>(parties.map((p) => [p.station, []]));
      const downsBefore = downs.length;
      let rotating = true;
      const traffic = parties.map(async (p) => {
        for (let i = 0; rotating || i < 20; i++) {
          const text = `${p.name} ${i}`;
          await as(p).send(text, 'ROUTINE', 'tri');
          sent.get(p.station)!.push(text);
          if (i >= 200) break;
        }
      });
      for (const p of parties) {
        await waitLong(`${p.name} has sent a few`, async () => sent.get(p.station)!.length >= 5);
        const r = await as(p).post('/api/v1/station/rotate-key', {});
        expect(r.status, JSON.stringify(r.json)).toBe(201);
      }
      rotating = false;
      await Promise.all(traffic);
      // Every message of every sender reaches both others exactly once, in order, delivered.
      for (const reader of parties)
        await waitLong(
          `${reader.name} holds everything, delivered`,
          async () => {
            const msgs = (await as(reader).messages('tri')).filter((m) => m.text.includes(' '));
            for (const p of parties) {
              const texts = msgs
                .filter((m) => m.station === p.station)
                .sort((x, y) => x.seq - y.seq)
                .map((m) => m.text)
                .filter((x) => /^\w+ \d+$/.test(x));
              if (JSON.stringify(texts) !== JSON.stringify(sent.get(p.station))) return false;
            }
            return msgs.every((m) => m.station === reader.station || m.status.delivered);
          },
          60_000,
        );
      expect(downs.slice(downsBefore)).toEqual([]);
      // Each station sees each other's key history of two keys.
      for (const p of parties) {
        const peers = (await as(p).get('/api/v1/peers')).json.peers as { keys: unknown[] }[];
        expect(peers).toHaveLength(2);
        for (const q of peers) expect(q.keys).toHaveLength(2);
      }
    });
  },
);

describe.each(['sqlite', 'postgres'] as const)('five stations on %s', (engine) => {
  let S: StationDir[];
  beforeAll(async () => {
    S = (await topology(5, engine)).dirs;
  }, 180_000);

  it('a channel of five: every message is understood by each of the four others; a bilateral channel inside stays private', async () => {
    const [p0, ...rest] = S as [StationDir, ...StationDir[]];
    await open('cues', p0, rest);
    const sent = await as(p0).send(
      'CUES: unplanned encounter, maintaining course',
      'FLASH',
      'cues',
    );
    for (const r of rest) {
      await waitLong(`${r.name} holds it`, async () =>
        (await as(r).messages('cues')).find((m) => m.id === sent.id),
      );
      expect((await as(r).post(`/api/v1/messages/${sent.id}/understood`, {})).status).toBe(201);
    }
    const done = await waitLong('understood by 4 of 4 at the sender', async () => {
      const m = (await as(p0).messages('cues')).find((x) => x.id === sent.id) as unknown as {
        status: { understood: unknown; parties: { understood: unknown }[] };
      };
      return m?.status.understood ? m : undefined;
    });
    expect(done.status.parties).toHaveLength(4);
    expect(done.status.parties.every((x) => x.understood)).toBe(true);
    // Delta and Echo's own channel: the other three hold nothing of it.
    const [, , , d, e] = S as [StationDir, StationDir, StationDir, StationDir, StationDir];
    await open('de', d, [e]);
    const de = await as(d).send('D to E: private', 'FLASH', 'de');
    await waitLong('E holds it', async () =>
      (await as(e).messages('de')).find((m) => m.id === de.id),
    );
    const aud = audienceId([d.station, e.station]);
    for (const o of S.slice(0, 3)) {
      expect((await as(o).get('/api/v1/messages?channel=de')).status).toBe(404);
      const store = running.find((r) => r.url === urls[o.station])!.station.handle.store;
      const feeds = (await store.feeds()).map((f) => parseFeedKey(f.station).audience);
      expect(feeds).not.toContain(aud);
    }
  });

  it("in the five, each member witnesses every other member's feed up to its head, receipts included", async () => {
    const [p0] = S as [StationDir];
    const sent = await as(p0).send('CUES: witness check', 'IMMEDIATE', 'cues');
    const aud = audienceId(S.map((x) => x.station));
    const storeOf = (x: StationDir) =>
      running.find((r) => r.url === urls[x.station])!.station.handle.store;
    // Receipts are witnessed lazily (§9): within a pull wait of the last one, every member's latest
    // cosignature of every other member's feed covers that feed up to its last entry that calls
    // for witnessing (cosignatures themselves are not cosigned), receipts included.
    let missing = '';
    await waitLong('every feed of the audience witnessed by every other member', async () => {
      for (const r of S.slice(1))
        if (!(await as(r).messages('cues')).some((m) => m.id === sent.id)) return false;
      for (const x of S)
        for (const y of S) {
          if (x === y) continue;
          const entries = await storeOf(y).entries(feedKey(y.station, aud), 0, 100_000);
          const due = entries.filter((e) => e.kind !== 'cosignature').at(-1)!.seq;
          const cosigned = (
            await storeOf(x).entriesOfKind(feedKey(x.station, aud), ['cosignature'])
          )
            .map((e) => JSON.parse(e.line).body as { station: string; size: number })
            .filter((b) => b.station === y.station)
            .map((b) => b.size);
          missing = `${x.name} witnessed ${y.name} to ${Math.max(0, ...cosigned)} of ${due}`;
          if (Math.max(0, ...cosigned) < due) return false;
        }
      return true;
    }).catch((err: Error) => {
      throw new Error(`${err.message} (${missing})`);
    });
    // The receivers' feeds end with their delivered receipts of the message: what was witnessed
    // above was receipts (lazily), not only messages.
    for (const y of S.slice(1)) {
      const entries = await storeOf(y).entries(feedKey(y.station, aud), 0, 100_000);
      expect(entries.filter((e) => e.kind !== 'cosignature').at(-1)!.kind).toBe('receipt');
    }
  });

  it("a receipt that answers another audience's message is refused with a code and never counted", async () => {
    const [p0, p1] = S as [StationDir, StationDir];
    const sent = await as(p0).send('to the five', 'FLASH', 'cues');
    await waitLong('p1 holds it', async () =>
      (await as(p1).messages('cues')).find((m) => m.id === sent.id),
    );
    const target = (await as(p1).messages('cues')).find((m) => m.id === sent.id)!;
    // p1 writes, in its feed for the audience of p0 and p1 only, an "understood" naming the
    // five-party message (the API never writes such an entry: this is a misbehaving peer).
    const p1station = running.find((r) => r.url === urls[p1.station])!.station;
    const pair = await p1station.handle.audienceWriter([p0.station]);
    const aud5 = audienceId(S.map((x) => x.station));
    await pair.append({
      kind: 'receipt',
      channel: 'cues',
      body: {
        level: 'understood',
        of: { station: p0.station, audience: aud5, seq: target.seq, hash: target.id },
        by: 'mallory',
      },
    });
    const p0url = urls[p0.station]!;
    await waitLong('refused at p0 with its code', async () => {
      const m = await (await fetch(`${p0url}/metrics`)).text();
      return /parley_link_rejected_total\{[^}]*code="PARLEY_E_AUDIENCE_NOT_MEMBER"[^}]*\} [1-9]/.test(
        m,
      );
    });
    const m = (await as(p0).messages('cues')).find((x) => x.id === sent.id) as unknown as {
      status: { parties: { station: string; understood: unknown }[] };
    };
    expect(m.status.parties.find((x) => x.station === p1.station)!.understood).toBeNull();
  });
});
