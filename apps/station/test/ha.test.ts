// High availability on PostgreSQL: several `parley start` processes of one station on one
// database. Real processes (kill -9), a real PostgreSQL server, a real peer station (SQLite).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { audienceId, feedKey, FeedVerifier, parseEntryLine, parseFeedKey } from '@parley/ledger';
import type { StationId } from '@parley/core';
import { exportBundle, stationExporter, verifyBundleDir } from '@parley/store';
import type { Store } from '@parley/store';
import { freshDatabase, stopTestServer } from '../../../packages/store/test/pg-helper.js';
import {
  addPeer,
  api,
  makeStation,
  spawnStation,
  startInProcess,
  tempRoot,
  token,
  waitFor,
  withDb,
} from './harness.js';
import type { StationDir, StationProcess } from './harness.js';

const LEASE_MS = 1500;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(stopTestServer);

/** Station A: two processes on one PostgreSQL database. Station B: one process on SQLite. */
async function setup(leaseMs = LEASE_MS) {
  const db = await freshDatabase('parley_ha');
  cleanup.push(db.drop);
  const root = await tempRoot('parley-ha-');
  const A = await makeStation(root, 'Alpha', { storeUrl: db.url });
  const B = await makeStation(root, 'Bravo');
  const args = ['--lease-ms', String(leaseMs)];
  const a1 = await spawnStation(A, { args });
  cleanup.push(() => a1.stop());
  const a2 = await spawnStation(A, { args });
  cleanup.push(() => a2.stop());
  const b = await startInProcess(B);
  cleanup.push(() => b.station.close());
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a1.url, a2.url]);
  const ta = await token(A);
  const tb = await token(B);
  return { root, A, B, a1, a2, b, ta, tb };
}

/** The process of A holding the leader lease, found by the pid in the lease holder. */
async function leaderOf(A: StationDir, procs: StationProcess[]): Promise<StationProcess> {
  return waitFor(
    'a leader',
    () =>
      withDb(A, async (s) => {
        const lease = await s.lease('station.leader');
        if (!lease || lease.expires <= Date.now()) return undefined;
        return procs.find((p) => lease.holder.includes(`/${p.proc.pid}/`));
      }),
    20_000,
  );
}

/** A station's feed for the audience of the pair (ADR 0003): where their traffic is. */
const pairFeed = (station: string, other: string) => feedKey(station, audienceId([station, other]));

/** Every entry of a feed (a feed key), verified from genesis with the ledger's verifier. */
async function verifiedFeed(store: Store, feed: string): Promise<string[]> {
  const { station, audience } = parseFeedKey(feed);
  const v = new FeedVerifier(station as StationId, audience);
  const lines: string[] = [];
  for (;;) {
    const rows = await store.entries(feed, lines.length, 1000);
    for (const r of rows) {
      expect(r.seq).toBe(lines.length + 1);
      expect(v.push(parseEntryLine(r.line))).toBe(r.hash);
      lines.push(r.line);
    }
    if (rows.length < 1000) return lines;
  }
}

/** The `upTo` of each delivered receipt `lines` give for `peer`: one leader at a time makes them strictly increasing. */
function receiptsFor(lines: string[], peer: string): number[] {
  return lines
    .map((l) => parseEntryLine(l))
    .filter((e) => e.kind === 'receipt' && e.body.station === peer && e.body.level === 'delivered')
    .map((e) => e.body.upTo as number);
}

function increasing(xs: number[]): boolean {
  return xs.every((x, i) => i === 0 || x > xs[i - 1]!);
}

function textsOf(lines: string[], kind = 'message'): string[] {
  return lines
    .map((l) => parseEntryLine(l))
    .filter((e) => e.kind === kind)
    .map((e) => e.body.text as string);
}

// Real processes on a shared 2-core machine: generous time bounds.
describe('one station, several processes on PostgreSQL', { timeout: 120_000 }, () => {
  it('kill -9 of the leader during traffic: the other process takes over, nothing lost or duplicated, the peer sees one verified feed', async () => {
    const { root, A, B, a1, a2, b, ta, tb } = await setup();
    const leader = await leaderOf(A, [a1, a2]);
    const follower = leader === a1 ? a2 : a1;
    // The link runs (led by one process): B's message is delivered.
    await api(b.url, tb).send('B before');
    await waitFor('B before delivered', async () =>
      (await api(b.url, tb).messages()).every((m) => m.status.delivered),
    );

    // Traffic: three senders, one posting to each A process and one to B.
    const acked = new Map<string, string[]>([
      ['leader', []],
      ['follower', []],
      ['B', []],
    ]);
    const unknown: string[] = [];
    let stop = false;
    const sender = (name: string, url: string, tok: string) =>
      (async () => {
        for (let i = 0; !stop; i++) {
          const text = `${name} ${i}`;
          try {
            await api(url, tok).send(text, 'ROUTINE');
            acked.get(name)!.push(text);
          } catch {
            // No answer (the process died mid-request): it may or may not have been stored.
            unknown.push(text);
            if (name === 'leader') return;
          }
          await new Promise((r) => setTimeout(r, 15));
        }
      })();
    const senders = [
      sender('leader', leader.url, ta),
      sender('follower', follower.url, ta),
      sender('B', b.url, tb),
    ];
    await waitFor('traffic under way', async () =>
      [...acked.values()].every((xs) => xs.length >= 10),
    );

    const killedAt = Date.now();
    await leader.kill9();
    const next = await leaderOf(A, [follower]);
    const takeover = Date.now() - killedAt;
    console.log(`ha: takeover ${takeover} ms after kill -9 (lease ${LEASE_MS} ms)`);
    expect(next).toBe(follower);
    // Traffic goes on through the survivor for a while after the takeover.
    const mark = acked.get('B')!.length;
    await waitFor('traffic after takeover', async () => acked.get('B')!.length >= mark + 15);
    stop = true;
    await Promise.all(senders);

    // Both stations settle: everything delivered both ways, identical feeds on both sides.
    await waitFor(
      'settled',
      async () => {
        const onA = await api(follower.url, ta).messages();
        const onB = await api(b.url, tb).messages();
        if (!onA.every((m) => m.status.delivered) || !onB.every((m) => m.status.delivered))
          return false;
        const fa = (await api(follower.url, ta).get('/api/v1/feeds')).json as unknown[];
        const fb = (await api(b.url, tb).get('/api/v1/feeds')).json as unknown[];
        const norm = (xs: unknown[]) =>
          JSON.stringify(
            (xs as { station: string; audience?: string; size: number; root: string }[])
              .map((x) => [x.station, x.audience, x.size, x.root])
              .sort(),
          );
        // Each one's identity feed and its feed for the pair's audience (ADR 0003).
        return onB.length === onA.length && fa.length === 4 && norm(fa) === norm(fb);
      },
      60_000,
      200,
    );

    // A's own feed, as stored, is gap-free and verifies; every acknowledged message is in it
    // exactly once, in its sender's order; an unanswered one at most once.
    const aFeed = await withDb(A, (s) => verifiedFeed(s, pairFeed(A.station, B.station)));
    const aTexts = textsOf(aFeed);
    expect(new Set(aTexts).size).toBe(aTexts.length);
    for (const who of ['leader', 'follower']) {
      const mine = aTexts.filter((t) => t.startsWith(`${who} `));
      const expected = acked.get(who)!;
      expect(mine.filter((t) => expected.includes(t))).toEqual(expected);
      for (const t of mine) expect(expected.includes(t) || unknown.includes(t)).toBe(true);
    }
    // One leader at a time: A's delivered receipts for B only ever move forward.
    expect(receiptsFor(aFeed, B.station).length).toBeGreaterThan(0);
    expect(increasing(receiptsFor(aFeed, B.station))).toBe(true);
    // B's feed as A holds it: every message B acknowledged, once each, in order.
    const bCopy = await withDb(A, (s) => verifiedFeed(s, pairFeed(B.station, A.station)));
    expect(textsOf(bCopy).filter((t) => t.startsWith('B '))).toEqual([
      'B before',
      ...acked.get('B')!,
    ]);

    // The peer holds exactly A's feed, and B's export of it verifies offline, unbroken.
    const aAtB = await withDb(B, (s) => verifiedFeed(s, pairFeed(A.station, B.station)));
    expect(aAtB).toEqual(aFeed);
    await b.station.close();
    const bundle = join(root, 'bundle-b');
    await withDb(B, async (s) =>
      exportBundle(s, bundle, { exporter: await stationExporter(B.dir, s) }),
    );
    const res = await verifyBundleDir(bundle, { trustedKeys: [A.key as never, B.key as never] });
    expect(res.ok, JSON.stringify(res)).toBe(true);
    if (res.ok) {
      expect(res.feeds.find((f) => f.station === A.station && f.audience)?.size).toBe(aFeed.length);
    }
  });

  it('a paused leader loses the lease; resumed, it does not lead again, receipts stay in order, and it serves as a follower', async () => {
    // A longer lease here: on a loaded machine the new leader must not lapse while the old one
    // is frozen, or the old one could rightly take the lease back when it wakes.
    const lease = 3000;
    const { A, B, a1, a2, b, ta, tb } = await setup(lease);
    const leader = await leaderOf(A, [a1, a2]);
    const follower = leader === a1 ? a2 : a1;
    await api(b.url, tb).send('B 0');
    await waitFor('B 0 delivered', async () =>
      (await api(b.url, tb).messages()).every((m) => m.status.delivered),
    );
    leader.proc.kill('SIGSTOP');
    try {
      expect(await leaderOf(A, [follower])).toBe(follower);
      // Traffic while the old leader is frozen mid-term, holding its pulls and timers.
      for (let i = 1; i <= 5; i++) await api(b.url, tb).send(`B ${i}`);
      await api(follower.url, ta).send('A via follower');
      await waitFor(
        'delivered under the new leader',
        async () => (await api(b.url, tb).messages()).every((m) => m.status.delivered),
        60_000,
      );
    } finally {
      leader.proc.kill('SIGCONT');
    }
    // The old leader wakes up believing it leads; the fence and its lease loop stop it.
    for (let i = 6; i <= 10; i++) await api(b.url, tb).send(`B ${i}`);
    await api(leader.url, ta).send('A via old leader');
    await new Promise((r) => setTimeout(r, lease * 2));
    expect(await leaderOf(A, [a1, a2])).toBe(follower);
    await waitFor(
      'settled after the old leader woke',
      async () => {
        const onB = await api(b.url, tb).messages();
        const onOld = await api(leader.url, ta).messages();
        return (
          onB.length === 13 &&
          onB.every((m) => m.status.delivered) &&
          onOld.length === 13 &&
          onOld.every((m) => m.status.delivered)
        );
      },
      60_000,
      200,
    );
    const aFeed = await withDb(A, (s) => verifiedFeed(s, pairFeed(A.station, B.station)));
    expect(textsOf(aFeed)).toEqual(['A via follower', 'A via old leader']);
    expect(increasing(receiptsFor(aFeed, B.station))).toBe(true);
    const bCopy = await withDb(A, (s) => verifiedFeed(s, pairFeed(B.station, A.station)));
    expect(textsOf(bCopy)).toEqual(Array.from({ length: 11 }, (_, i) => `B ${i}`));
  });

  it('the link and the deadline watch run in the leading process only: one alarm per overdue message, also after the leader stops', async () => {
    const db = await freshDatabase('parley_ha');
    cleanup.push(db.drop);
    const root = await tempRoot('parley-ha-');
    const A = await makeStation(root, 'Alpha', { storeUrl: db.url });
    const B = await makeStation(root, 'Bravo');
    // One clock for all three, moved by the test; the watch ticks every 50 ms in each process.
    const clock = { offset: 0, now: () => Date.now() + clock.offset };
    const a1 = await startInProcess(A, { clock, deadlineTickMs: 50, leaseMs: 1000 });
    cleanup.push(() => a1.station.close());
    const a2 = await startInProcess(A, { clock, deadlineTickMs: 50, leaseMs: 1000 });
    cleanup.push(() => a2.station.close());
    const b = await startInProcess(B, { clock, deadlineTickMs: 0 });
    cleanup.push(() => b.station.close());
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a1.url, a2.url]);
    const ta = await token(A, 'admin');
    const tb = await token(B, 'admin');
    expect([a1.station.leading(), a2.station.leading()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a1.station.leading() ? [a1, a2] : [a2, a1];
    // Only the leader runs a link to B (pulls, heartbeats); the other process runs none.
    await waitFor('the leader links to B', async () => leader.station.links.link(B.station));
    expect(follower.station.links.link(B.station)).toBeUndefined();

    // A channel by agreement (FLASH must be understood within 10 minutes of delivery).
    expect(
      (
        await api(follower.url, ta).post('/api/v1/channels', {
          name: 'ops',
          agreement: { tier: 'theater' },
        })
      ).status,
    ).toBe(201);
    await waitFor('proposal at B', async () =>
      ((await api(b.url, tb).get('/api/v1/channels')).json.channels as { name: string }[]).some(
        (c) => c.name === 'ops',
      ),
    );
    expect((await api(b.url, tb).post('/api/v1/channels/ops/accept', {})).status).toBe(201);
    const alarmsFor = async (id: string) =>
      withDb(A, async (s) => {
        const out = [];
        for (const e of await s.entriesOfKind(pairFeed(A.station, B.station), ['alarm'])) {
          const body = parseEntryLine(e.line).body as { of?: { station: string; seq: number } };
          if (body.of && `${body.of.station}:${body.of.seq}` === id) out.push(e);
        }
        return out;
      });
    const overdue = async (via: string) => {
      await waitFor('channel open at A', async () =>
        (
          (await api(via, ta).get('/api/v1/channels')).json.channels as {
            name: string;
            status: string;
          }[]
        ).some((c) => c.name === 'ops' && c.status === 'open'),
      );
      const sent = await api(via, ta).send('Keep well clear', 'FLASH', 'ops');
      await waitFor('delivered', async () =>
        (await api(via, ta).messages('ops')).find((m) => m.id === sent.id && m.status.delivered),
      );
      clock.offset += 11 * 60_000;
      await waitFor(
        'the alarm',
        async () => (await alarmsFor(`${A.station}:${sent.seq}`)).length > 0,
      );
      // Many more ticks in both processes: still exactly one alarm for the message.
      await new Promise((r) => setTimeout(r, 600));
      expect(await alarmsFor(`${A.station}:${sent.seq}`)).toHaveLength(1);
    };
    await overdue(follower.url);
    // The leader stops (releasing its lease); the other process takes over the watch.
    await leader.station.close();
    await waitFor('the other process leads', async () => follower.station.leading(), 10_000);
    await waitFor('and links to B', async () => follower.station.links.link(B.station));
    await overdue(follower.url);
    const all = await withDb(A, (s) => s.entriesOfKind(pairFeed(A.station, B.station), ['alarm']));
    expect(all).toHaveLength(2);
    await withDb(A, (s) => verifiedFeed(s, pairFeed(A.station, B.station)));
  });

  it("a process that does not lead streams what the others store: its own feed's entries and the peer's", async () => {
    const db = await freshDatabase('parley_ha');
    cleanup.push(db.drop);
    const root = await tempRoot('parley-ha-');
    const A = await makeStation(root, 'Alpha', { storeUrl: db.url });
    const B = await makeStation(root, 'Bravo');
    const a1 = await startInProcess(A, { leaseMs: 1000 });
    cleanup.push(() => a1.station.close());
    const a2 = await startInProcess(A, { leaseMs: 1000 });
    cleanup.push(() => a2.station.close());
    const b = await startInProcess(B);
    cleanup.push(() => b.station.close());
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a1.url, a2.url]);
    const ta = await token(A);
    const tb = await token(B);
    const [leader, follower] = a1.station.leading() ? [a1, a2] : [a2, a1];
    expect(follower.station.leading()).toBe(false);

    const abort = new AbortController();
    cleanup.push(async () => abort.abort());
    const r = await fetch(`${follower.url}/api/v1/stream`, {
      headers: { authorization: `Bearer ${ta}` },
      signal: abort.signal,
    });
    expect(r.status).toBe(200);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (re: RegExp) => {
      const end = Date.now() + 10_000;
      while (!re.test(text)) {
        if (Date.now() > end) throw new Error(`no ${re} in stream: ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value);
      }
    };
    await until(/^: parley live stream/m);
    // Posted to the leader, appended by it: the follower's stream shows it.
    const mine = await api(leader.url, ta).send('posted to the other process', 'ROUTINE');
    const aud = audienceId([A.station, B.station]);
    await until(new RegExp(`"station":"${A.station}","audience":"${aud}","seq":${mine.seq}`));
    // Sent by the peer and stored by the leader's link: the follower's stream shows it too.
    const theirs = await api(b.url, tb).send('from the peer', 'ROUTINE');
    const peerEvent = new RegExp(`"station":"${B.station}","audience":"${aud}","seq":(\\d+)`, 'g');
    const end = Date.now() + 10_000;
    while (![...text.matchAll(peerEvent)].some((m) => Number(m[1]) >= theirs.seq)) {
      if (Date.now() > end) throw new Error(`no entry of ${B.station} in stream: ${text}`);
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      text += decoder.decode(value);
    }
    abort.abort();
  });

  it('concurrent posts to two processes make one valid feed, and the peer holds the same', async () => {
    const { A, B, a1, a2, ta } = await setup();
    const posts = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        api(i % 2 === 0 ? a1.url : a2.url, ta).send(`p${i % 2} ${i}`, 'PRIORITY'),
      ),
    );
    const aFeed = await withDb(A, (s) => verifiedFeed(s, pairFeed(A.station, B.station)));
    // Each post is at the seq its process answered with, once.
    for (const [i, p] of posts.entries()) {
      expect(parseEntryLine(aFeed[p.seq - 1]!).body.text).toBe(`p${i % 2} ${i}`);
    }
    expect(new Set(posts.map((p) => p.seq)).size).toBe(60);
    const texts = textsOf(aFeed);
    expect(texts.sort()).toEqual(Array.from({ length: 60 }, (_, i) => `p${i % 2} ${i}`).sort());
    // Both processes answer with the whole feed, whichever wrote what.
    for (const p of [a1, a2]) {
      const msgs = await api(p.url, ta).messages();
      expect(msgs.filter((m) => m.station === A.station)).toHaveLength(60);
    }
    // The peer pulls it (from either process) and holds the identical, verified feed.
    await waitFor('B holds A', async () =>
      withDb(
        B,
        async (s) => ((await s.head(pairFeed(A.station, B.station)))?.seq ?? 0) >= aFeed.length,
      ),
    );
    // (B is read first: A may still append receipts and cosignatures meanwhile.)
    const atB = await withDb(B, (s) => verifiedFeed(s, pairFeed(A.station, B.station)));
    const now = await withDb(A, (s) => verifiedFeed(s, pairFeed(A.station, B.station)));
    expect(now.slice(0, atB.length)).toEqual(atB);
  });
});

describe('peer resume', () => {
  it('a halt cleared in the store (parley peer resume) is picked up by the running leader, no restart', async () => {
    const root = await tempRoot('parley-resume-');
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    // Alpha starts with its link to Bravo halted, as after an equivocation alarm.
    await withDb(A, (s) =>
      s.setMeta(`link.halted.${B.station}`, JSON.stringify({ reason: 'test halt', at: 1 })),
    );
    const a = await startInProcess(A);
    cleanup.push(() => a.station.close());
    const b = await startInProcess(B);
    cleanup.push(() => b.station.close());
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a.url]);
    const tb = await token(B);
    const halted = async () =>
      ((await api(a.url).get('/api/v1/health')).json.peers as { halted: unknown }[])[0]?.halted;
    await waitFor('the link halted at Alpha', async () => (await halted()) !== undefined);
    expect(await halted()).toEqual({ reason: 'test halt', at: 1 });
    const sent = await api(b.url, tb).send('while halted', 'ROUTINE');
    await new Promise((r) => setTimeout(r, 500));
    expect((await api(b.url, tb).messages()).find((m) => m.id === sent.id)?.status.delivered).toBe(
      false,
    );
    // What `parley peer resume` does, while Alpha runs.
    await withDb(A, (s) => s.setMeta(`link.halted.${B.station}`, ''));
    await waitFor('the link resumed', async () => (await halted()) === null, 10_000);
    await waitFor('delivered after the resume', async () =>
      (await api(b.url, tb).messages()).find((m) => m.id === sent.id && m.status.delivered),
    );
  });
});
