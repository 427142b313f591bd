// Issue 16: operator input is taken as sent and checked before anything is signed. Each case
// here was accepted (coerced, or signed as is) before the fix; a refusal writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import { addPeer, makeStation, tempRoot, token } from './harness.js';
import type { StationDir } from './harness.js';

let S: StationDir;
let station: Station;
let op: string;
let admin: string;

beforeAll(async () => {
  const root = await tempRoot('parley-input-');
  S = await makeStation(root, 'Input Test');
  const peer = await makeStation(root, 'Input Peer');
  await addPeer(S, peer, ['http://127.0.0.1:9']);
  op = await token(S, 'operator');
  admin = await token(S, 'admin');
  station = await buildStation({ dataDir: S.dir });
});
afterAll(async () => station.close());

export const post = (url: string, body: unknown, who = op) =>
  station.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${who}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
const get = (url: string, who = op) =>
  station.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${who}` } });

/** Expects every request to be refused with `status` and `code`, and the feeds not to grow. */
async function refused(
  cases: [string, unknown][],
  status: number,
  code: string,
  who = op,
): Promise<void> {
  const before = await station.handle.totalSize();
  for (const [url, body] of cases) {
    const r = await post(url, body, who);
    expect(r.statusCode, `${url} ${JSON.stringify(body)}: ${r.body}`).toBe(status);
    expect(r.json().code, r.body).toBe(code);
  }
  expect(await station.handle.totalSize()).toBe(before);
}

const message = { channel: 'ops', precedence: 'FLASH', text: 'Request you reduce speed' };

describe('no type coercion of bodies', () => {
  it('refuses a boolean text, an array precedence, scalar slots and a numeric reason', async () => {
    await refused(
      [
        ['/api/v1/messages', { ...message, text: true }],
        ['/api/v1/messages', { ...message, text: 12 }],
        ['/api/v1/messages', { ...message, precedence: ['FLASH'] }],
        ['/api/v1/calls', { channel: 'ops', slots: Date.now() + 3_600_000, medium: 'voice' }],
        [
          '/api/v1/calls',
          { channel: 'ops', slots: [String(Date.now() + 3_600_000)], medium: 'voice' },
        ],
        ['/api/v1/channels/ops/suspend', { reason: 42 }],
      ],
      400,
      'PARLEY_E_BAD_REQUEST',
      admin,
    );
  });

  it('still accepts the well-typed request', async () => {
    const r = await post('/api/v1/messages', message);
    expect(r.statusCode, r.body).toBe(201);
  });

  it('keeps coercion for query strings: ?limit=2 is an integer, ?limit=x is refused', async () => {
    const ok = await get('/api/v1/audit?limit=2', admin);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().records.length).toBeLessThanOrEqual(2);
    // Found by the fuzz test: 1e309 coerced to Infinity passed Ajv's integer check and reached
    // SQLite (500); a number past 2^53 is refused as well.
    for (const q of ['limit=x', 'limit=1e309', 'after=99999999999999999999', 'after=-1e400']) {
      const bad = await get(`/api/v1/audit?${q}`, admin);
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json().code).toBe('PARLEY_E_BAD_REQUEST');
    }
  });
});

describe('text policy on every free-text field', () => {
  const RLO = '\u202e';
  it('refuses a right-to-left override, NUL and zero-width-only text wherever an operator types', async () => {
    await refused(
      [
        ['/api/v1/messages', { ...message, text: `pay ${RLO}gnp.exe` }],
        ['/api/v1/messages', { ...message, text: 'a\u0000b' }],
        ['/api/v1/messages', { ...message, text: 'ok\u2066hidden\u2069' }],
        ['/api/v1/channels/ops/suspend', { reason: `why${RLO}` }],
      ],
      400,
      'PARLEY_E_TEXT_INVALID',
      admin,
    );
    await refused(
      [['/api/v1/messages', { ...message, text: '\u200d\u200c\u200d' }]],
      400,
      'PARLEY_E_TEXT_EMPTY',
    );
  });

  it('names the offending code point', async () => {
    const r = await post('/api/v1/messages', { ...message, text: `x${RLO}y` });
    expect(r.json().message).toContain('U+202E');
  });

  it('normalises message text to NFC before signing', async () => {
    const r = await post('/api/v1/messages', { ...message, text: 'cafe\u0301' });
    expect(r.statusCode, r.body).toBe(201);
    const list = (await get('/api/v1/messages?channel=ops')).json().messages as {
      id: string;
      text: string;
    }[];
    expect(list.find((m) => m.id === r.json().id)?.text).toBe('caf\u00e9');
  });

  it('refuses policy-breaking notice texts, track names and route names', async () => {
    const n = noticeBody({ remark: `keep clear${RLO}` });
    await refused(
      [
        ['/api/v1/notices', { channel: 'ops', notice: n }],
        ['/api/v1/notices', { channel: 'ops', notice: noticeBody({ contact: 'ch\u0007' }) }],
        [
          '/api/v1/notices',
          { channel: 'ops', notice: noticeBody({ issuer: { party: 'Alpha', unit: `U${RLO}` } }) },
        ],
        ['/api/v1/tracks', { reports: [{ ...report(), name: `HULL${RLO}1` }] }],
      ],
      400,
      'PARLEY_E_TEXT_INVALID',
    );
  });
});

const H = 3_600_000;
function noticeBody(over: Record<string, unknown> = {}) {
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
    remark: 'Surface units are requested to keep clear.',
    contact: 'hotline channel ops',
    ...over,
  };
}
let nReport = 0;
function report(over: Record<string, unknown> = {}) {
  return {
    id: `stn:T${++nReport}`,
    party: 'own',
    domain: 'surface',
    lat: 10,
    lon: 114,
    sog: 0,
    cog: 0,
    ...over,
  };
}
async function drafts(): Promise<number> {
  return ((await get('/api/v1/notices')).json().drafts as unknown[]).length;
}

describe('notice bounds', () => {
  it('refuses a tiny radius, a zero-length corridor, a vertex at 90° and a window in 275760', async () => {
    const d0 = await drafts();
    const circle = (radius: number) => [
      { area: { type: 'circle', centre: { lat: 10, lon: 114 }, radius, unit: 'nm' } },
    ];
    await refused(
      [['/api/v1/notices', { channel: 'ops', notice: noticeBody({ areas: circle(1e-300) }) }]],
      400,
      'PARLEY_E_AREA_RADIUS',
    );
    const corridor = [
      {
        area: {
          type: 'corridor',
          points: [
            { lat: 10, lon: 114 },
            { lat: 10, lon: 114 },
          ],
          halfWidth: 2,
          unit: 'nm',
        },
      },
    ];
    const polar = [
      {
        area: {
          type: 'corridor',
          points: [
            { lat: 80, lon: 114 },
            { lat: 90, lon: 114 },
          ],
          halfWidth: 2,
          unit: 'nm',
        },
      },
    ];
    await refused(
      [
        ['/api/v1/notices', { channel: 'ops', notice: noticeBody({ areas: corridor }) }],
        ['/api/v1/notices', { channel: 'ops', notice: noticeBody({ areas: polar }) }],
      ],
      400,
      'PARLEY_E_AREA_MALFORMED',
    );
    const far = Date.UTC(275760, 8, 13);
    await refused(
      [
        [
          '/api/v1/notices',
          { channel: 'ops', notice: noticeBody({ windows: [{ start: Date.now(), end: far }] }) },
        ],
        [
          '/api/v1/notices',
          { channel: 'ops', notice: noticeBody({ windows: [{ start: 0, end: Date.now() }] }) },
        ],
      ],
      400,
      'PARLEY_E_NOTICE_WINDOW',
    );
    expect(await drafts()).toBe(d0);
    const ok = await post('/api/v1/notices', { channel: 'ops', notice: noticeBody() });
    expect(ok.statusCode, ok.body).toBe(201);
  });
});

describe('track times', () => {
  it('refuses a report dated 8.64e15 (and one older than a day) through the API', async () => {
    const before = (await get('/api/v1/tracks')).json().tracks as unknown[];
    await refused(
      [
        ['/api/v1/tracks', { reports: [report({ time: 8.64e15 })] }],
        ['/api/v1/tracks', { reports: [report({ time: Date.now() + 6 * 60_000 })] }],
        ['/api/v1/tracks', { reports: [report({ time: Date.now() - 25 * H })] }],
      ],
      400,
      'PARLEY_E_TRACK_TIME',
    );
    expect((await get('/api/v1/tracks')).json().tracks).toEqual(before);
    // The CoT listener hands its reports to the same check (CotBridge → TrackService.report).
    expect(() => station.tracks.report([report({ time: 8.64e15 })], 'cot')).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_TRACK_TIME' }),
    );
    const ok = await post('/api/v1/tracks', { reports: [report({ time: Date.now() + 60_000 })] });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe('nesting depth', () => {
  it('a deeply nested agreement.screening is 400 PARLEY_E_TOO_DEEP, not 500', async () => {
    const r = await station.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: `{"name":"deep","agreement":{"tier":"tactical","screening":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}}`,
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().code).toBe('PARLEY_E_TOO_DEEP');
    // A body of ordinary depth still gets through.
    const ok = await post(
      '/api/v1/channels',
      { name: 'shallow', agreement: { tier: 'tactical' } },
      admin,
    );
    expect(ok.statusCode, ok.body).toBe(201);
  });
});

describe('operator names', () => {
  it('refuses a name that differs from an existing one only by case', async () => {
    const a = await post(
      '/api/v1/users',
      { name: 'watch', role: 'viewer', password: 'correct horse battery' },
      admin,
    );
    expect(a.statusCode, a.body).toBe(201);
    for (const name of ['WATCH', 'Watch']) {
      const r = await post(
        '/api/v1/users',
        { name, role: 'viewer', password: 'correct horse battery' },
        admin,
      );
      expect(r.statusCode, r.body).toBe(409);
      expect(r.json().code).toBe('PARLEY_E_USER_EXISTS');
    }
    const users = (await get('/api/v1/users', admin)).json() as
      { users?: { name: string }[] } | { name: string }[];
    const list = Array.isArray(users) ? users : (users.users ?? []);
    expect(list.filter((u) => u.name.toLowerCase() === 'watch')).toHaveLength(1);
  });
});
