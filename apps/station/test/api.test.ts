import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import { addPeer, makeStation, tempRoot, token } from './harness.js';
import type { StationDir } from './harness.js';

let S: StationDir;
let station: Station;
const tokens: Record<string, string | undefined> = {};

beforeAll(async () => {
  const root = await tempRoot('parley-api-');
  S = await makeStation(root, 'Api Test');
  // One paired peer (never running): traffic needs an audience (ADR 0003), here the pair's.
  const peer = await makeStation(root, 'Api Peer');
  await addPeer(S, peer, ['http://127.0.0.1:9']);
  for (const role of ['viewer', 'operator', 'linguist', 'approver', 'admin'] as const)
    tokens[role] = await token(S, role);
  tokens.bad = 'pt_' + 'A'.repeat(43);
  tokens.none = undefined;
  station = await buildStation({ dataDir: S.dir });
});
afterAll(async () => station.close());

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, who: string, payload?: unknown) =>
  station.app.inject({
    method,
    url,
    headers: tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {},
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

const message = { channel: 'ops', precedence: 'FLASH', text: 'Request you reduce speed' };

describe('operator API', () => {
  // Every route, every caller: the expected status.
  // Every route, every caller: the expected status. Statuses for allowed roles come from
  // requests that hit a real outcome (created, or a named resource that does not exist).
  const PUBLIC = {
    none: 200,
    bad: 200,
    viewer: 200,
    operator: 200,
    linguist: 200,
    approver: 200,
    admin: 200,
  };
  const READ = {
    none: 401,
    bad: 401,
    viewer: 200,
    operator: 200,
    linguist: 200,
    approver: 200,
    admin: 200,
  };
  const by = (ok: number, allowed: string[]) =>
    Object.fromEntries(
      ['none', 'bad', 'viewer', 'operator', 'linguist', 'approver', 'admin'].map((w) => [
        w,
        w === 'none' || w === 'bad' ? 401 : allowed.includes(w) ? ok : 403,
      ]),
    );
  const SEND = ['operator', 'approver', 'admin'];
  let n = 0;
  const matrix: {
    method: 'GET' | 'POST' | 'DELETE';
    url: string;
    body?: () => unknown;
    expect: Record<string, number>;
  }[] = [
    { method: 'GET', url: '/api/v1/health', expect: PUBLIC },
    { method: 'GET', url: '/metrics', expect: PUBLIC },
    { method: 'GET', url: '/api/docs', expect: PUBLIC },
    { method: 'GET', url: '/api/v1/messages?channel=ops', expect: READ },
    { method: 'GET', url: '/api/v1/feeds', expect: READ },
    { method: 'GET', url: '/api/v1/channels', expect: READ },
    { method: 'GET', url: '/api/v1/drafts', expect: READ },
    { method: 'GET', url: '/api/v1/calls', expect: READ },
    { method: 'GET', url: '/api/v1/alarms', expect: READ },
    { method: 'GET', url: '/api/v1/catalogue', expect: READ },
    { method: 'GET', url: '/api/v1/peers', expect: READ },
    {
      method: 'POST',
      url: '/api/v1/peers/nothing/repin',
      body: () => ({ key: 'x', safetyNumber: '1' }),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/station/rotate-key',
      body: () => ({}),
      expect: by(201, ['admin']),
    },
    { method: 'POST', url: '/api/v1/messages', body: () => message, expect: by(201, SEND) },
    {
      method: 'POST',
      url: '/api/v1/channels',
      body: () => ({ name: `matrix-${++n}`, agreement: { tier: 'tactical' } }),
      expect: by(201, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/channels/nothing/accept',
      body: () => ({}),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/channels/nothing/members',
      body: () => ({ members: ['stn_000000000000000000000000'] }),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/channels/nothing/suspend',
      body: () => ({ reason: 'r' }),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/channels/nothing/resume',
      body: () => ({ reason: 'r' }),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/messages/nothing/read',
      body: () => ({}),
      expect: by(404, SEND),
    },
    {
      method: 'POST',
      url: '/api/v1/messages/nothing/understood',
      body: () => ({ readback: 'x' }),
      expect: by(404, SEND),
    },
    {
      method: 'POST',
      url: '/api/v1/messages/nothing/translations',
      body: () => ({ lang: 'en', text: 'x' }),
      expect: by(404, ['linguist', 'admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/drafts/nothing/approve',
      body: () => ({}),
      expect: by(404, ['approver', 'admin']),
    },
    { method: 'DELETE', url: '/api/v1/drafts/nothing', expect: by(404, SEND) },
    {
      method: 'POST',
      url: '/api/v1/calls',
      body: () => ({ channel: 'ops', slots: [Date.now() + 3_600_000], medium: 'voice' }),
      expect: by(201, SEND),
    },
    {
      method: 'POST',
      url: '/api/v1/calls/nothing/answer',
      body: () => ({ action: 'decline' }),
      expect: by(404, SEND),
    },
    { method: 'GET', url: '/api/v1/me', expect: READ },
    { method: 'GET', url: '/api/v1/tracks', expect: READ },
    { method: 'GET', url: '/api/v1/tracks.geojson', expect: READ },
    { method: 'GET', url: '/api/v1/encounters', expect: READ },
    {
      method: 'POST',
      url: '/api/v1/tracks',
      body: () => ({
        reports: [
          { id: `stn:M${++n}`, party: 'own', domain: 'surface', lat: 10, lon: 114, sog: 0, cog: 0 },
        ],
      }),
      expect: by(200, SEND),
    },
    {
      method: 'POST',
      url: '/api/v1/tracks/nothing/name',
      body: () => ({ name: 'X' }),
      expect: by(404, SEND),
    },
    {
      method: 'POST',
      url: '/api/v1/encounters/nothing/send',
      body: () => ({}),
      expect: by(404, SEND),
    },
    {
      method: 'POST',
      url: '/api/v1/encounters/nothing/discard',
      body: () => ({}),
      expect: by(404, SEND),
    },
    {
      method: 'POST',
      url: '/api/v1/logout',
      body: () => ({}),
      expect: { ...READ, viewer: 204, operator: 204, linguist: 204, approver: 204, admin: 204 },
    },
    { method: 'GET', url: '/api/v1/audit', expect: by(200, ['admin']) },
    { method: 'GET', url: '/api/v1/users', expect: by(200, ['admin']) },
    { method: 'GET', url: '/api/v1/tokens', expect: by(200, ['admin']) },
    {
      method: 'POST',
      url: '/api/v1/tokens',
      body: () => ({ role: 'viewer', label: `walk${++n}`, expires: '1h' }),
      expect: by(201, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/tokens/0123456789abcdef/revoke',
      body: () => ({}),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/users/nobody/disable',
      body: () => ({}),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/users/nobody/enable',
      body: () => ({}),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/users/nobody/role',
      body: () => ({ role: 'viewer' }),
      expect: by(404, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/users',
      body: () => ({ name: `user${++n}`, role: 'viewer', password: 'correct horse battery' }),
      expect: by(201, ['admin']),
    },
    {
      method: 'POST',
      url: '/api/v1/login',
      body: () => ({ name: `nobody${++n}`, password: 'not the password' }),
      expect: {
        none: 401,
        bad: 401,
        viewer: 401,
        operator: 401,
        linguist: 401,
        approver: 401,
        admin: 401,
      },
    },
  ];
  for (const route of matrix) {
    for (const [who, status] of Object.entries(route.expect)) {
      it(`${route.method} ${route.url} as ${who} → ${status}`, async () => {
        const r = await inject(route.method, route.url, who, route.body?.());
        expect(r.statusCode, r.body).toBe(status);
        if (status === 401)
          expect(r.json().code).toBe(
            route.url === '/api/v1/login' ? 'PARLEY_E_LOGIN_FAILED' : 'PARLEY_E_AUTH_REQUIRED',
          );
        if (status === 403) expect(r.json().code).toBe('PARLEY_E_FORBIDDEN');
      });
    }
  }

  it('POST /api/v1/messages returns the entry hash and seq, and the message lists with its status', async () => {
    const r = await inject('POST', '/api/v1/messages', 'operator', { ...message, text: 'listed' });
    expect(r.statusCode).toBe(201);
    const { id, seq } = r.json() as { id: string; seq: number };
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const list = (await inject('GET', '/api/v1/messages?channel=ops', 'viewer')).json()
      .messages as { id: string; seq: number; status: { delivered: boolean } }[];
    const m = list.find((x) => x.id === id);
    expect(m).toMatchObject({
      id,
      seq,
      station: S.station,
      channel: 'ops',
      precedence: 'FLASH',
      text: 'listed',
      status: { delivered: false, deliveredAt: null },
    });
    const other = (await inject('GET', '/api/v1/messages?channel=other', 'viewer')).json().messages;
    expect(other).toEqual([]);
  });

  it('bad message input gets a coded 4xx and writes nothing', async () => {
    const size = await station.handle.totalSize();
    const cases: [unknown, number, string][] = [
      [{ ...message, precedence: 'URGENT' }, 400, 'PARLEY_E_BAD_PRECEDENCE'],
      [{ ...message, channel: 'Bad Channel' }, 400, 'PARLEY_E_BAD_CHANNEL'],
      [{ ...message, text: '' }, 400, 'PARLEY_E_TEXT_EMPTY'],
      [{ ...message, text: 'x'.repeat(8001) }, 413, 'PARLEY_E_TEXT_TOO_LONG'],
      [{ ...message, extra: 1 }, 400, 'PARLEY_E_BAD_REQUEST'],
      [{ channel: 'ops' }, 400, 'PARLEY_E_BAD_REQUEST'],
      ['not json at all', 400, 'PARLEY_E_BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const r = await station.app.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'application/json' },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect(r.statusCode, code).toBe(status);
      expect(r.json().code).toBe(code);
    }
    expect(await station.handle.totalSize()).toBe(size);
  });

  it('serves OpenAPI 3.1 generated from the route schemas', async () => {
    const doc = (await inject('GET', '/api/docs', 'none')).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/health',
      '/api/v1/messages',
      '/api/v1/feeds',
      '/link/v1/pull',
      '/link/v1/heartbeat',
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    expect(
      doc.paths['/api/v1/messages'].post.requestBody.content['application/json'].schema.properties
        .precedence,
    ).toBeDefined();
  });

  it('exposes Prometheus metrics', async () => {
    const text = (await inject('GET', '/metrics', 'none')).body;
    expect(text).toMatch(/^# HELP parley_entries_appended_total/m);
    expect(text).toMatch(/parley_http_request_duration_seconds_bucket/);
  });
});
