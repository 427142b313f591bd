// Channel membership of operators, route by route (issue 16): an operator of each role who is a
// member of scs-tactical only tries every operator route of the station (enumerated from the
// OpenAPI document, so a route added later is tried too) against the things of two other
// channels: leader-line (a leader-tier channel with a draft awaiting its second person) and
// east-tactical (messages both ways, an alarm, calls both ways, notices sent, received, amended,
// cancelled and acknowledged, a notice draft, encounter drafts, then suspension with its reason).
// Nothing of theirs is seen (no id, name, text or reason) in any answer or live-stream event,
// and nothing of theirs is changed (404 or 403, and the station's view the same before and after).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_EVENT_TYPES, ROLES } from '@parley/station';
import type { LiveEvent, Station } from '@parley/station';
import {
  addPeer,
  api,
  makeStation,
  openChannel,
  startInProcess,
  tempRoot,
  token,
} from './harness.js';
import { waitFor } from './harness.js';
import type { StationDir } from './harness.js';

/** One clock for both stations, moved by the test (the deadline watch). */
const clock = { offset: 0, now: () => Date.now() + clock.offset };
const MIN = 60_000;
const H = 60 * MIN;
const PW = 'a member of scs-tactical only';
/** In every text and reason of the other channels: never in what the operator gets. */
const MARK = 'Kilo-Zulu';
const HIDDEN = ['east-tactical', 'leader-line'];

let A: StationDir, B: StationDir;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
let adminA: string, adminB: string;
/** Ids of the other channels' things, by what they are. */
const ids: Record<string, string> = {};
/** The pair of units in an encounter: the station's picture, seen by all (its draft is not). */
let pairId = '';
/** Bravo's notice on scs-tactical: hers. */
let mineNotice = '';
/** Every event Alpha's bus carried, and the live streams of a member of scs-tactical and of all. */
const published: LiveEvent[] = [];
const streams: Record<'mia' | 'all', { text: string; stop: () => void }> = {
  mia: { text: '', stop: () => undefined },
  all: { text: '', stop: () => undefined },
};

// Responses are checked field by field; `any` keeps those checks short.
/* eslint-disable @typescript-eslint/no-explicit-any */
interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(name: string): Promise<Session> {
  const r = await fetch(`${a.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: PW }),
  });
  const json = (await r.json()) as { csrf: string };
  expect(r.status, JSON.stringify(json)).toBe(200);
  return { cookie: r.headers.getSetCookie()[0]!.split(';')[0]!, csrf: json.csrf };
}

async function call(s: Session, method: string, path: string, body?: unknown) {
  const r = await fetch(a.url + path, {
    method,
    headers: {
      cookie: s.cookie,
      'x-csrf-token': s.csrf,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, text: await r.text() };
}

/** Reads a live stream into `into.text` until stopped. */
async function listen(into: { text: string; stop: () => void }, headers: Record<string, string>) {
  const ctl = new AbortController();
  const r = await fetch(`${a.url}/api/v1/stream`, { headers, signal: ctl.signal });
  expect(r.status).toBe(200);
  into.stop = () => ctl.abort();
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const next = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (next.done) return;
      into.text += decoder.decode(next.value);
    }
  })();
}

/** A live-fire notice of a circle around (lat, lon), active now. */
function fire(issuer: string, lat: number, lon: number, remark: string) {
  const now = clock.now();
  return {
    kind: 'live-fire',
    issuer: { party: issuer, unit: 'DDG 1' },
    areas: [
      { role: 'danger', area: { type: 'circle', centre: { lat, lon }, radius: 5, unit: 'nm' } },
    ],
    band: { type: 'surface' },
    windows: [{ start: now - H, end: now + 6 * H }],
    remark: `${remark} ${MARK}`,
    contact: 'hotline',
  };
}

/** Keys that move with the clock and the links, not with what operators do. */
const MOVING = new Set(['idleMs', 'dormant', 'now', 'age', 'summary', 'link', 'overdue']);

/** What an operator of every channel sees of the station: compared before and after the probes. */
async function view(): Promise<string> {
  const all = api(a.url, adminA);
  const parts: Record<string, unknown> = {};
  for (const p of [
    '/api/v1/messages',
    '/api/v1/drafts',
    '/api/v1/calls',
    '/api/v1/alarms',
    '/api/v1/notices',
    '/api/v1/channels',
    '/api/v1/routes',
    '/api/v1/users',
  ])
    parts[p] = (await all.get(p)).json;
  const enc = (await all.get('/api/v1/encounters')).json.encounters as any[];
  parts.encounters = enc.map((e) => [e.id, e.draft?.status ?? null, e.draft?.channel ?? null]);
  parts.tracks = ((await all.get('/api/v1/tracks')).json.tracks as any[]).map((t) => [
    t.id,
    t.name,
  ]);
  return JSON.stringify(parts, (k, v: unknown) => (MOVING.has(k) ? undefined : v));
}

/** `view()` once it has stopped changing (receipts and witnesses still travelling). */
async function settledView(): Promise<string> {
  let last = await view();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const next = await view();
    if (next === last) return next;
    last = next;
  }
  return last;
}

/** Entries in any feed held at Alpha that name one of the probing operators. */
async function writtenByMia(): Promise<string[]> {
  const store = a.station.handle.store;
  const out: string[] = [];
  for (const f of await store.feeds())
    for (const e of await store.entries(f.station, 0, 100_000))
      if (e.line.includes('mia-')) out.push(e.line);
  return out;
}

beforeAll(async () => {
  const root = await tempRoot('parley-membership-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  const opts = {
    clock,
    deadlineTickMs: 0,
    tracks: { tickMs: 0, holdMs: 30_000, staleMs: 60 * MIN },
  };
  a = await startInProcess(A, opts);
  b = await startInProcess(B, opts);
  adminA = await token(A, 'admin');
  adminB = await token(B, 'admin');
  a.station.bus.subscribe((e) => published.push(e));
  // An operator of each role, a member of scs-tactical only.
  for (const role of ROLES) {
    const r = await api(a.url, adminA).post('/api/v1/users', {
      name: `mia-${role}`,
      role,
      channels: ['scs-tactical'],
      password: PW,
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
  }
  // The live streams, from before the stations are paired (link state, channels and all after).
  const mia = await signIn('mia-admin');
  await listen(streams.mia, { cookie: mia.cookie });
  await listen(streams.all, { authorization: `Bearer ${adminA}` });
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  const pa = { url: a.url, token: adminA };
  const pb = { url: b.url, token: adminB };
  // east-tactical first: the lowest-tier open channel that comes first takes encounter drafts.
  await openChannel(pa, pb, 'east-tactical', { tier: 'tactical' });
  await openChannel(pa, pb, 'scs-tactical', { tier: 'tactical' });
  await openChannel(pa, pb, 'leader-line', { tier: 'leader' });
  const A_ = api(a.url, adminA);
  const B_ = api(b.url, adminB);
  // Messages both ways and calls both ways on east-tactical.
  ids.messageA = (await A_.send(`${MARK} from Alpha`, 'FLASH', 'east-tactical')).id;
  ids.messageB = (await B_.send(`${MARK} from Bravo`, 'FLASH', 'east-tactical')).id;
  for (const [side, s] of [
    ['A', A_],
    ['B', B_],
  ] as const) {
    const c = await s.post('/api/v1/calls', {
      channel: 'east-tactical',
      precedence: 'FLASH',
      slots: [clock.now() + 5 * H],
      medium: 'voice',
    });
    expect(c.status, JSON.stringify(c.json)).toBe(201);
    ids[`call${side}`] = c.json.entry.hash;
  }
  // Mia's own channel carries traffic too (what she does see).
  await B_.send('on scs-tactical for mia', 'FLASH', 'scs-tactical');
  const mine = await B_.post('/api/v1/notices', {
    channel: 'scs-tactical',
    send: true,
    // Where Alpha's notice on east-tactical will be: a conflict, of another channel's notice.
    notice: { ...fire('Bravo', 5, 110.5, ''), remark: 'for mia' },
  });
  expect(mine.status, JSON.stringify(mine.json)).toBe(201);
  mineNotice = mine.json.id;
  await waitFor('Bravo message and call at Alpha', async () => {
    const calls = (await A_.get('/api/v1/calls')).json.calls as { id: string }[];
    return (
      (await A_.messages('east-tactical')).some((m) => m.id === ids.messageB) &&
      calls.some((c) => c.id === ids.callB)
    );
  });
  // The handling objective (FLASH: 10 min) passes unanswered: alarms, recorded and on the stream.
  clock.offset += 11 * MIN;
  expect(await a.station.hotline.checkDeadlines()).toBeGreaterThan(0);
  // Notices: Alpha's sent, amended and acknowledged by Bravo; one cancelled; Bravo's received; a draft.
  const n1 = await A_.post('/api/v1/notices', {
    channel: 'east-tactical',
    send: true,
    notice: fire('Alpha', 5, 110, 'first'),
  });
  expect(n1.status, JSON.stringify(n1.json)).toBe(201);
  ids.noticeA = n1.json.id;
  const amended = await A_.post(`/api/v1/notices/${ids.noticeA}/amend`, {
    notice: fire('Alpha', 5, 110.5, 'amended'),
  });
  expect(amended.status, JSON.stringify(amended.json)).toBe(201);
  const n2 = await A_.post('/api/v1/notices', {
    channel: 'east-tactical',
    send: true,
    notice: fire('Alpha', 6, 110, 'to cancel'),
  });
  ids.noticeCancelled = n2.json.id;
  expect(
    (await A_.post(`/api/v1/notices/${ids.noticeCancelled}/cancel`, { reason: `${MARK} off` }))
      .status,
  ).toBe(201);
  const n3 = await B_.post('/api/v1/notices', {
    channel: 'east-tactical',
    send: true,
    notice: fire('Bravo', 15, 115, 'gunnery'),
  });
  expect(n3.status, JSON.stringify(n3.json)).toBe(201);
  ids.noticeB = n3.json.id;
  const nd = await A_.post('/api/v1/notices', {
    channel: 'east-tactical',
    notice: fire('Alpha', 7, 110, 'draft'),
  });
  expect(nd.status, JSON.stringify(nd.json)).toBe(201);
  ids.noticeDraft = nd.json.draft.id;
  await waitFor('notices across', async () => {
    const here = await A_.get(`/api/v1/notices/${ids.noticeB}`);
    const there = await B_.get(`/api/v1/notices/${ids.noticeA}`);
    return here.status === 200 && there.status === 200 && there.json.versions.length === 2;
  });
  expect((await B_.post(`/api/v1/notices/${ids.noticeA}/understood`, {})).status).toBe(201);
  await waitFor('the acknowledgement at Alpha', async () =>
    published.some((e) => e.type === 'notice' && e.action === 'acknowledged'),
  );
  // Encounters: a head-on pair of units and a frigate heading into Bravo's live-fire area (with
  // a third-party freighter inside it), drafted on east-tactical.
  const now = clock.now();
  const unit = (id: string, party: string, lat: number, lon: number, sog: number, cog: number) => ({
    id,
    party,
    domain: 'surface',
    lat,
    lon,
    sog,
    cog,
    time: now,
  });
  const lat = 9 + 52.5 / 60;
  expect(
    (
      await A_.post('/api/v1/tracks', {
        reports: [
          unit('stn:DDG-73', 'own', lat, 114.35, 12, 0),
          unit('ais:412000170', 'other', lat + 4 / 60, 114.35 + 40 / 2025.4 / 60, 12, 180),
          unit('stn:FFG-1', 'own', 15 - 15 / 60, 115, 20, 0),
          unit('ais:235000001', 'third', 15, 115, 0, 0),
        ],
      })
    ).status,
  ).toBe(200);
  const list = await waitFor('encounter drafts on east-tactical', async () => {
    await a.station.tracks.tick();
    const l = (await A_.get('/api/v1/encounters')).json.encounters as any[];
    return l.filter((e) => e.draft?.channel === 'east-tactical').length >= 2 &&
      l.some((e) => e.kind === 'area' && e.a === 'ais:235000001')
      ? l
      : undefined;
  });
  pairId = list.find((e) => e.kind === 'pair' && e.draft).id;
  ids.encounterArea = list.find((e) => e.kind === 'area' && e.draft).id;
  ids.encounterThird = list.find((e) => e.kind === 'area' && !e.draft).id;
  // The leader-tier draft awaiting its second person.
  const d = await A_.post('/api/v1/messages', {
    channel: 'leader-line',
    precedence: 'IMMEDIATE',
    text: `${MARK} for the leader`,
  });
  expect(d.status, JSON.stringify(d.json)).toBe(202);
  ids.draft = d.json.draft.id;
  // Last, east-tactical is suspended, with its reason.
  expect(
    (await A_.post('/api/v1/channels/east-tactical/suspend', { reason: `${MARK} suspension` }))
      .status,
  ).toBe(201);
  await waitFor('the suspension on the stream of all channels', async () =>
    streams.all.text.includes(`${MARK} suspension`),
  );
}, 240_000);

afterAll(async () => {
  streams.mia.stop();
  streams.all.stop();
  await Promise.allSettled([a?.station.close(), b?.station.close()]);
});

/** Live events of the station, not of a channel: feeds' sizes, link state, the track picture. */
const STATION_EVENTS: readonly string[] = ['entry', 'link', 'tracks'];

/** Routes by id of the station's own things, not a channel's (the track picture): no-leak checks only. */
const STATIONS_OWN = ['/api/v1/tracks/{id}/name'];

/** The things of the other channels an answer must not name, less what the request named itself. */
function leaks(text: string, asked: string): string[] {
  const secrets = [MARK, ...HIDDEN, ...Object.values(ids)];
  return secrets.filter((s) => text.includes(s) && !asked.includes(s));
}

/** A body for a route made of the fields its schema names, each aimed at the other channels. */
function bodyFor(path: string, props: Record<string, unknown> | undefined, channel: string) {
  const aimed: Record<string, unknown> = {
    ...(path === '/api/v1/channels' ? { name: channel } : {}),
    channel,
    members: [B.station],
    agreement: { tier: 'tactical' },
    precedence: 'FLASH',
    text: 'probe',
    lang: 'en',
    reason: 'probe',
    readback: 'probe',
    slots: [clock.now() + 6 * H],
    slot: clock.now() + 5 * H,
    medium: 'voice',
    action: 'accept',
    notice: fire('Alpha', 8, 110, 'probe'),
    send: true,
    replyTo: ids.messageB,
    // An account: one of every channel, made by an operator of one.
    ...(path === '/api/v1/users' ? { name: 'mia-twin', role: 'admin', channels: '*' } : {}),
    password: 'a password long enough',
  };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(props ?? {})) if (k in aimed) out[k] = aimed[k];
  return out;
}

describe('an operator who is a member of one channel only', () => {
  it('sees nothing of other channels and changes nothing of theirs on any route, in any role', async () => {
    const doc = (await api(a.url, adminA).get('/api/docs')).json as {
      paths: Record<string, Record<string, any>>;
    };
    const before = await settledView();
    const wrong: string[] = [];
    const leaked: string[] = [];
    let aimedCount = 0;
    for (const role of ROLES) {
      const s = await signIn(`mia-${role}`);
      for (const [path, ops] of Object.entries(doc.paths)) {
        if (!path.startsWith('/api/v1/')) continue;
        for (const [method, op] of Object.entries(ops)) {
          const url0 = path.replace(/\{(\w+)\}/g, ':$1');
          // Signing in and out, and the live stream (below), are not about channels.
          if (['/api/v1/login', '/api/v1/logout', '/api/v1/stream'].includes(url0)) continue;
          // The station's own key and its peers' pins: the station's, not a channel's.
          if (url0 === '/api/v1/station/rotate-key' || url0 === '/api/v1/peers/:name/repin')
            continue;
          const targets = path.includes('{id}')
            ? [...Object.values(ids), pairId]
            : path.includes('{name}')
              ? HIDDEN
              : [''];
          for (const target of targets)
            for (const channel of HIDDEN) {
              let url = path.replace(/\{\w+\}/, encodeURIComponent(target));
              const query = ((op.parameters ?? []) as { in: string; name: string }[])
                .filter((p) => p.in === 'query')
                .map((p) => p.name);
              if (query.includes('channel')) url += `?channel=${channel}`;
              const props = op.requestBody?.content?.['application/json']?.schema?.properties;
              const body =
                method === 'get' || method === 'delete' ? undefined : bodyFor(path, props, channel);
              const asked = decodeURIComponent(url) + JSON.stringify(body ?? '');
              const aimed =
                (target !== '' && !STATIONS_OWN.includes(path)) ||
                query.includes('channel') ||
                (body !== undefined && ('channel' in body || path === '/api/v1/users'));
              const r = await call(s, method.toUpperCase(), url, body);
              const what = `${role} ${method.toUpperCase()} ${url} → ${r.status}`;
              const found = leaks(r.text, asked);
              if (found.length > 0) leaked.push(`${what}: ${found.join(', ')} in ${r.text}`);
              if (aimed) {
                aimedCount++;
                if (r.status !== 403 && r.status !== 404) wrong.push(`${what}: ${r.text}`);
              }
              if (!aimed || target === '') break; // one channel is enough for a route not aimed
            }
        }
      }
    }
    // Answers that named the other channels or their things; aimed requests not refused.
    expect({ leaked, wrong }).toEqual({ leaked: [], wrong: [] });
    // The enumeration found the routes that matter (a guard against an empty document).
    expect(aimedCount).toBeGreaterThan(300);
    // Nothing was written: the station's view is as it was, and no entry names them.
    expect(await settledView()).toBe(before);
    expect(await writtenByMia()).toEqual([]);
    // The things are still there for an operator of every channel (the draft is approvable).
    const drafts = (await api(a.url, adminA).get('/api/v1/drafts')).json.drafts as any[];
    expect(drafts.map((d) => d.id)).toContain(ids.draft);
  });

  it('sees its own channel: lists and answers are filtered, not empty', async () => {
    const s = await signIn('mia-admin');
    const msgs = JSON.parse((await call(s, 'GET', '/api/v1/messages')).text).messages as any[];
    expect(msgs.map((m) => m.text)).toEqual(['on scs-tactical for mia']);
    const chans = JSON.parse((await call(s, 'GET', '/api/v1/channels')).text).channels as any[];
    expect(chans.map((c) => c.name)).toEqual(['scs-tactical']);
    // The pair of units is the station's picture: listed, without the other channel's draft.
    const enc = JSON.parse((await call(s, 'GET', '/api/v1/encounters')).text).encounters as any[];
    expect(enc.map((e) => e.id)).toContain(pairId);
    expect(enc.every((e) => e.kind === 'pair' && e.draft === null)).toBe(true);
    // Her channel's notice meets the other channel's notice: that one is not named to her.
    const conflicts = await call(s, 'GET', `/api/v1/notices/${mineNotice}/conflicts`);
    expect(conflicts.status).toBe(200);
    expect(leaks(conflicts.text, '')).toEqual([]);
    const seenAll = (await api(a.url, adminA).get(`/api/v1/notices/${mineNotice}/conflicts`)).json;
    expect(JSON.stringify(seenAll.notices)).toContain(ids.noticeA);
    const all = (await api(a.url, adminA).get('/api/v1/alarms')).json;
    expect(all.alarms.length).toBeGreaterThan(0);
    expect(JSON.parse((await call(s, 'GET', '/api/v1/alarms')).text)).toEqual({
      alarms: [],
      unanswered: [],
    });
  });

  it('gets no event of another channel on the live stream, of any type', async () => {
    // Every type of event was published while the stream was open, most about the other channels.
    const types = [...new Set(published.map((e) => e.type))].sort();
    expect(types).toEqual([...LIVE_EVENT_TYPES].sort());
    const hidden = published.filter((e) => HIDDEN.some((c) => JSON.stringify(e).includes(c)));
    // Each type but the station's own was published about the other channels (a new type is
    // either a channel's, and must be shown published here and filtered, or named the station's).
    expect([...new Set(hidden.map((e) => e.type))].sort()).toEqual(
      LIVE_EVENT_TYPES.filter((t) => !STATION_EVENTS.includes(t)).sort(),
    );
    // (Entry events name a feed and its size, never a channel: `channel` is null in them all.)
    expect(published.filter((e) => e.type === 'entry' && e.channel !== null)).toEqual([]);
    for (const action of ['draft', 'sent', 'received', 'amended', 'cancelled', 'acknowledged'])
      expect(
        published.some((e) => e.type === 'notice' && e.action === action),
        action,
      ).toBe(true);
    // The stream of all channels carried them; the member of one carried none.
    for (const s of [MARK, ...HIDDEN, ids.draft!, ids.noticeA!, ids.encounterArea!])
      expect(streams.all.text).toContain(s);
    expect(leaks(streams.mia.text, '')).toEqual([]);
    // What is hers or the station's reaches her: her channel's entries, links, tracks, the pair.
    for (const type of ['entry', 'link', 'tracks', 'encounter'])
      expect(streams.mia.text).toContain(`event: ${type}\n`);
    expect(streams.mia.text).toContain(pairId);
    expect(streams.mia.text).toMatch(/event: notice\ndata: \{[^\n]*"channel":"scs-tactical"/);
  });
});
