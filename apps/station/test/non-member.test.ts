// A station outside an audience tries every operator route its own API has (enumerated from the
// OpenAPI document, so a route added later is probed too) against a bilateral channel of two
// others, and every link route of theirs: it gets 404 for the channel and its messages, notices
// and calls, learns none of their text, and writes nothing that reaches the channel (ADR 0003).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { audienceId, feedKey, keyId, parseFeedKey, signerFromPem } from '@parley/ledger';
import type { PublicKeyB64, StationId } from '@parley/core';
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
import { FakeClient } from './fake-peer.js';

vi.setConfig({ testTimeout: 120_000 });

type Running = Awaited<ReturnType<typeof startInProcess>>;
let A: StationDir, B: StationDir, C: StationDir;
let a: Running, b: Running, c: Running;
const tok: Record<string, string> = {};
const SECRET = 'CV-63 turning north';
const H = 3_600_000;
/** The A–B channel's things, whose ids C's operator will try. */
const ab = { message: '', notice: '', call: '', translation: 'ab-probe-lang' };

/** A well-formed exercise notice. */
function notice(remark = 'probe') {
  return {
    kind: 'naval-exercise',
    issuer: { party: 'Alpha', unit: 'CSG 5' },
    areas: [
      {
        area: {
          type: 'polygon',
          points: [
            { lat: 10, lon: 114 },
            { lat: 10, lon: 115 },
            { lat: 11, lon: 115 },
            { lat: 11, lon: 114 },
          ],
        },
      },
    ],
    band: { type: 'surface' },
    windows: [{ start: Date.now() + 80 * H, end: Date.now() + 104 * H }],
    remark,
    contact: 'hotline channel ab-ops',
  };
}

afterAll(async () => {
  await Promise.allSettled([a, b, c].map((s) => s?.station.close()));
});

beforeAll(async () => {
  const root = await tempRoot('parley-nonmember-');
  [A, B, C] = (await Promise.all(
    ['Alpha', 'Bravo', 'Charlie'].map((n) => makeStation(root, n)),
  )) as [StationDir, StationDir, StationDir];
  [a, b, c] = (await Promise.all([A, B, C].map((d) => startInProcess(d)))) as [
    Running,
    Running,
    Running,
  ];
  const up = [a, b, c];
  const dirs = [A, B, C];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) if (i !== j) await addPeer(dirs[i]!, dirs[j]!, [up[j]!.url]);
  for (const d of dirs) tok[d.station] = await token(d, 'admin');
  const A_ = { url: a.url, token: tok[A.station]! };
  const B_ = { url: b.url, token: tok[B.station]! };
  // The A–B channel, named by its members so that it is theirs alone.
  const p = await api(a.url, A_.token).post('/api/v1/channels', {
    name: 'ab-ops',
    members: [B.station],
    agreement: { tier: 'theater' },
  });
  expect(p.status, JSON.stringify(p.json)).toBe(201);
  await waitFor('ab-ops at B', async () =>
    ((await api(b.url, B_.token).get('/api/v1/channels')).json.channels as { name: string }[]).some(
      (x) => x.name === 'ab-ops',
    ),
  );
  expect((await api(b.url, B_.token).post('/api/v1/channels/ab-ops/accept', {})).status).toBe(201);
  // C's own channels with A, so that C's station has channels and things of its own.
  await openChannel({ url: c.url, token: tok[C.station]! }, A_, 'ca-ops', { tier: 'theater' }, [
    A.station,
  ]);
  await waitFor('ab-ops open at A', async () =>
    (
      (await api(a.url, A_.token).get('/api/v1/channels')).json.channels as {
        name: string;
        status: string;
      }[]
    ).some((x) => x.name === 'ab-ops' && x.status === 'open'),
  );
  const sent = await api(a.url, A_.token).send(SECRET, 'FLASH', 'ab-ops');
  ab.message = sent.id;
  const tr = await api(a.url, A_.token).post(`/api/v1/messages/${sent.id}/translations`, {
    lang: 'zh',
    text: 'CV-63 向北转向',
  });
  expect(tr.status, JSON.stringify(tr.json)).toBe(201);
  const call = await api(a.url, A_.token).post('/api/v1/calls', {
    channel: 'ab-ops',
    slots: [Date.now() + 5 * H],
    medium: 'voice',
  });
  expect(call.status, JSON.stringify(call.json)).toBe(201);
  ab.call = call.json.entry.hash as string;
  const sentNotice = await api(a.url, A_.token).post('/api/v1/notices', {
    channel: 'ab-ops',
    send: true,
    notice: notice(`Keep clear: ${SECRET}`),
  });
  expect(sentNotice.status, JSON.stringify(sentNotice.json)).toBe(201);
  ab.notice = sentNotice.json.id as string;
  await waitFor('B holds the message, the call and the notice', async () => {
    const bb = api(b.url, B_.token);
    return (
      (await bb.messages('ab-ops')).some((m) => m.id === ab.message) &&
      (await bb.get(`/api/v1/notices/${ab.notice}`)).status === 200 &&
      ((await bb.get('/api/v1/calls')).json.calls as { id: string }[]).some((x) => x.id === ab.call)
    );
  });
}, 120_000);

/** A body for `op` made of the fields its schema names, each aimed at the A–B channel. */
function bodyFor(
  path: string,
  schema: { properties?: Record<string, unknown> } | undefined,
): Record<string, unknown> {
  const aimed: Record<string, unknown> = {
    // A channel's name where the route is about channels (elsewhere `name` names other things).
    ...(path === '/api/v1/channels' ? { name: 'ab-ops' } : {}),
    channel: 'ab-ops',
    members: [A.station, B.station],
    add: [C.station],
    remove: [],
    agreement: { tier: 'theater' },
    precedence: 'FLASH',
    text: 'probe',
    lang: 'en',
    reason: 'probe',
    readback: 'probe',
    slots: [Date.now() + 6 * H],
    slot: Date.now() + 6 * H,
    medium: 'voice',
    action: 'accept',
    notice: notice(),
    inReplyTo: ab.message,
    key: C.key,
    send: true,
  };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(schema?.properties ?? {})) if (k in aimed) out[k] = aimed[k];
  return out;
}

describe('a station outside an audience', () => {
  it('gets 404 for the channel and its messages, notices and calls on every operator route, and nothing of their text', async () => {
    const doc = (await api(c.url, tok[C.station]).get('/api/docs')).json as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content?: Record<string, { schema?: { properties?: Record<string, unknown> } }>;
            };
            parameters?: { in: string; name: string }[];
          }
        >
      >;
    };
    const tried: string[] = [];
    const refused: string[] = [];
    const wrong: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        // Every id the route could take: the A–B message, notice and call (and names: the channel).
        // (Peers, tracks, routes, users, drafts and encounters are this station's own, not a
        // channel's: they get the A–B ids too, but only the no-leak checks.)
        const about = /^\/api\/v1\/(channels|messages|calls|notices)\/\{/.test(path);
        const ids = path.includes('{id}')
          ? [ab.message, ab.notice, ab.call]
          : path.includes('{name}')
            ? ['ab-ops']
            : [''];
        for (const id of ids) {
          let url = path.replace('{id}', id).replace('{name}', id);
          const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
          const q: string[] = [];
          if (query.includes('channel')) q.push('channel=ab-ops');
          if (query.includes('after')) q.push('after=0');
          if (q.length) url += `?${q.join('&')}`;
          const schema = op.requestBody?.content?.['application/json']?.schema;
          const body = bodyFor(path, schema);
          const aimed = (about && id !== '') || q.includes('channel=ab-ops') || 'channel' in body;
          if (url === '/api/v1/stream') continue; // a live stream: probed below
          if (url === '/api/v1/logout' || url === '/api/v1/login') continue;
          // A proposal of a channel of the same name is C's own act, with another audience: last.
          if (url === '/api/v1/channels' && method === 'post') continue;
          const r = await fetch(c.url + url, {
            method: method.toUpperCase(),
            headers: {
              authorization: `Bearer ${tok[C.station]}`,
              ...(method === 'get' || method === 'delete'
                ? {}
                : { 'content-type': 'application/json' }),
            },
            ...(method === 'get' || method === 'delete' ? {} : { body: JSON.stringify(body) }),
          });
          const text = await r.text();
          tried.push(`${method.toUpperCase()} ${url} → ${r.status}`);
          expect(text, `${method} ${url}`).not.toContain('CV-63');
          expect(text, `${method} ${url}`).not.toContain('向北');
          if (aimed) {
            if (r.status !== 404) wrong.push(`${method.toUpperCase()} ${url}: ${r.status} ${text}`);
            refused.push(url);
          }
        }
      }
    }
    expect(wrong, 'routes that did not answer 404').toEqual([]);
    // The enumeration found the routes that matter (a guard against an empty document).
    expect(refused.length, tried.join('\n')).toBeGreaterThan(15);
    // C proposes a channel of the same name to A and B: a channel of another audience (all three),
    // C's own act. It does not touch the A–B channel: at A and B that name stays theirs.
    const squat = await api(c.url, tok[C.station]).post('/api/v1/channels', {
      name: 'ab-ops',
      members: [A.station, B.station],
      agreement: { tier: 'theater' },
    });
    expect(squat.status, JSON.stringify(squat.json)).toBe(201);
    const abc = audienceId([A.station, B.station, C.station]);
    await waitFor("A holds C's proposal", async () =>
      a.station.handle.store.head(feedKey(C.station, abc)),
    );
    for (const [s, d] of [
      [a, A],
      [b, B],
    ] as const) {
      const held = (
        (await api(s.url, tok[d.station]).get('/api/v1/channels')).json.channels as {
          name: string;
          status: string;
          members: string[];
        }[]
      ).filter((x) => x.name === 'ab-ops');
      expect(held).toHaveLength(1);
      expect(held[0]!.status).toBe('open');
      expect([...held[0]!.members].sort()).toEqual([A.station, B.station].sort());
      expect((await api(s.url, tok[d.station]).messages('ab-ops')).map((m) => m.id)).toContain(
        ab.message,
      );
    }
    // The live stream for a moment: nothing of the A–B channel.
    const ctl = new AbortController();
    const stream = await fetch(`${c.url}/api/v1/stream`, {
      headers: { authorization: `Bearer ${tok[C.station]}` },
      signal: ctl.signal,
    });
    const reader = stream.body!.getReader();
    const chunks: string[] = [];
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      const next = await Promise.race([
        reader.read(),
        new Promise<null>((r) => setTimeout(() => r(null), until - Date.now())),
      ]);
      if (!next || next.done) break;
      chunks.push(Buffer.from(next.value).toString());
    }
    ctl.abort();
    expect(chunks.join('')).not.toContain('ab-ops');
    // Nothing C did reached the channel: A and B hold no entry of C's in the A–B audience, the
    // message's recipients are B alone, and C holds no feed of that audience.
    const aud = audienceId([A.station, B.station]);
    expect(await a.station.handle.store.head(feedKey(C.station, aud))).toBeFalsy();
    expect(await b.station.handle.store.head(feedKey(C.station, aud))).toBeFalsy();
    const m = (await api(a.url, tok[A.station]).messages('ab-ops')).find(
      (x) => x.id === ab.message,
    )!;
    expect(
      Object.keys((m as unknown as { recipients: Record<string, unknown> }).recipients ?? {}),
    ).not.toContain(C.station);
    const cFeeds = (await c.station.handle.store.feeds()).map((f) => parseFeedKey(f.station));
    expect(cFeeds.some((f) => f.audience === aud)).toBe(false);
    for (const f of await c.station.handle.store.feeds())
      for (const e of await c.station.handle.store.entries(f.station, 0, 100_000)) {
        expect(e.line).not.toContain(ab.message);
        expect(e.line).not.toContain(ab.notice);
        expect(e.line).not.toContain(ab.call);
      }
  });

  it('gets nothing of the audience from any link route, signed with its own real key', async () => {
    const pem = await readFile(join(C.dir, 'keys', `${keyId(C.key as PublicKeyB64)}.key`), 'utf8');
    const aud = audienceId([A.station, B.station]);
    for (const [target, dir] of [
      [a, A],
      [b, B],
    ] as const) {
      const client = new FakeClient(
        { station: C.station as StationId, signer: signerFromPem(pem) },
        { url: target.url, station: dir.station, key: dir.key },
      );
      // Every way of naming the audience a pull has: by id, twice, with odd positions, among others.
      for (const feeds of [
        [{ audience: aud, after: 0 }],
        [{ audience: aud, after: -1 }],
        [
          { audience: aud, after: 0 },
          { audience: aud, after: 1 },
        ],
        [
          { audience: null, after: 0 },
          { audience: aud, after: 0 },
        ],
        [{ audience: aud.toUpperCase(), after: 0 }],
        [{ audience: `${dir.station}/${aud}`, after: 0 }],
      ]) {
        const r = await client.send({
          path: '/link/v1/pull',
          body: { feeds, limit: 5000, wait: 0 },
        });
        const text = JSON.stringify(r.json);
        expect(text).not.toContain('CV-63');
        expect(text).not.toContain(ab.message);
        if (r.status === 200)
          expect(
            (r.json as { feeds: { audience: string | null }[] }).feeds.map((f) => f.audience),
          ).not.toContain(aud);
      }
      const hb = await client.send({ path: '/link/v1/heartbeat', body: {} });
      expect(JSON.stringify(hb.json)).not.toContain(aud);
      // The link has no other route: anything else is 404.
      const other = await client.send({ path: '/link/v1/entries', body: { audience: aud } });
      expect(other.status).toBe(404);
    }
  });
});
