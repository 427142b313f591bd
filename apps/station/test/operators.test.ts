// Operators: accounts with scrypt passwords, console sessions in cookies with CSRF protection,
// throttled sign-in, channel membership, and the hash-chained audit log, on real stations.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS, auditHash } from '@parley/store';
import type { AuditRecord } from '@parley/store';
import {
  createUser,
  generateTlsIdentity,
  verifyAuditRecords,
  verifyPassword,
} from '@parley/station';
import type { Station } from '@parley/station';
import {
  addPeer,
  api,
  makeStation,
  PARLEY,
  startInProcess,
  tempRoot,
  token,
  waitFor,
  withDb,
} from './harness.js';
import type { StationDir } from './harness.js';

/** One clock for both stations, moved by the test (rate-limit windows, session expiry). */
const clock = { offset: 0, now: () => Date.now() + clock.offset };
const MIN = 60_000;

const PW = {
  chief: 'chief of the watch 2026',
  alice: 'alice on channel a only',
  olga: 'olga the watch officer',
  paul: 'paul approves the second',
  lin: 'lin translates 中文 too',
  vic: 'vic only looks around',
};

let root: string;
let A: StationDir;
let B: StationDir;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
let tokenA: string;
let tokenB: string;
const cli: Record<string, { code: number | null; stdout: string; stderr: string }> = {};

/** Runs the built `parley` with the given stdin. */
function parley(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PARLEY, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

// Responses are checked field by field; `any` keeps those checks short.
/* eslint-disable @typescript-eslint/no-explicit-any */
interface Res {
  status: number;
  json: any;
  headers: Headers;
}

/** A console: signs in, keeps the session cookie, sends the CSRF token unless told not to. */
function consoleFor(url: string) {
  const self = {
    cookie: undefined as string | undefined,
    csrf: undefined as string | undefined,
    async login(name: string, password: string): Promise<Res> {
      const r = await fetch(`${url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      const json: any = await r.json();
      if (r.status === 200) {
        self.cookie = r.headers.getSetCookie()[0]!.split(';')[0];
        self.csrf = json.csrf;
      }
      return { status: r.status, json, headers: r.headers };
    },
    async req(
      method: string,
      path: string,
      body?: unknown,
      opts: { csrf?: string | false; bearer?: string } = {},
    ): Promise<Res> {
      const headers: Record<string, string> = {};
      if (self.cookie) headers.cookie = self.cookie;
      const csrf = opts.csrf === undefined ? self.csrf : opts.csrf;
      if (csrf) headers['x-csrf-token'] = csrf;
      if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(url + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null, headers: r.headers };
    },
    get: (path: string) => self.req('GET', path),
    post: (path: string, body: unknown = {}, opts: { csrf?: string | false } = {}) =>
      self.req('POST', path, body, opts),
  };
  return self;
}
type Console = ReturnType<typeof consoleFor>;

async function signedIn(name: keyof typeof PW): Promise<Console> {
  const c = consoleFor(a.url);
  const r = await c.login(name, PW[name]);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return c;
}

async function auditOf(c: Console, query = ''): Promise<{ records: any[]; chain: any }> {
  const r = await c.get(`/api/v1/audit?limit=1000${query}`);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json;
}

beforeAll(async () => {
  root = await tempRoot('parley-operators-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  // Accounts made with the command line, password on stdin, before the station starts.
  for (const [name, role, channels] of [
    ['chief', 'admin', '*'],
    ['alice', 'operator', 'a'],
    ['olga', 'operator', '*'],
  ] as const) {
    cli[name] = await parley(
      ['user', 'add', '--data', A.dir, '--name', name, '--role', role, '--channels', channels],
      `${PW[name]}\nnot the password\n`,
    );
  }
  cli.duplicate = await parley(
    ['user', 'add', '--data', A.dir, '--name', 'olga', '--role', 'admin'],
    `${PW.olga}\n`,
  );
  cli.short = await parley(
    ['user', 'add', '--data', A.dir, '--name', 'shorty', '--role', 'viewer'],
    'too short\n',
  );
  cli.badChannel = await parley(
    ['user', 'add', '--data', A.dir, '--name', 'x', '--role', 'viewer', '--channels', 'Bad Name'],
    `${PW.vic}\n`,
  );
  a = await startInProcess(A, { clock, deadlineTickMs: 0 });
  b = await startInProcess(B, { clock, deadlineTickMs: 0 });
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  tokenA = await token(A, 'operator');
  tokenB = await token(B, 'admin');
});
afterAll(async () => {
  await Promise.allSettled([a?.station.close(), b?.station.close()]);
});

describe('parley user add', () => {
  it('creates operators from a password on stdin and prints them, never the password', async () => {
    expect(cli.chief).toMatchObject({ code: 0, stderr: '' });
    expect(cli.chief!.stdout).toBe('created operator chief (admin) on channels *\n');
    expect(cli.alice!.stdout).toBe('created operator alice (operator) on channels a\n');
    for (const r of [cli.chief, cli.alice, cli.olga])
      for (const pw of Object.values(PW)) expect(r!.stdout + r!.stderr).not.toContain(pw);
    const users = await withDb(A, (s) => s.users());
    expect(users.map((u) => [u.name, u.role, u.channels])).toEqual([
      ['alice', 'operator', ['a']],
      ['chief', 'admin', '*'],
      ['olga', 'operator', '*'],
    ]);
  });

  it('refuses a taken name, a short password and a bad channel with coded errors (exit 2)', () => {
    expect(cli.duplicate!.code).toBe(2);
    expect(cli.duplicate!.stderr).toMatch(/^parley: PARLEY_E_USER_EXISTS: /);
    expect(cli.short!.code).toBe(2);
    expect(cli.short!.stderr).toMatch(/^parley: PARLEY_E_BAD_PASSWORD: /);
    expect(cli.badChannel!.code).toBe(2);
    expect(cli.badChannel!.stderr).toMatch(/^parley: PARLEY_E_BAD_CHANNEL: /);
  });
});

describe('sessions', () => {
  it('login sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token; only the id hash is stored', async () => {
    const c = consoleFor(a.url);
    const r = await c.login('olga', PW.olga);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      user: { name: 'olga', role: 'operator', channels: '*' },
      csrf: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const cookies = r.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    const parts = cookies[0]!.split('; ');
    expect(parts[0]).toMatch(/^parley_session=[A-Za-z0-9_-]{43}$/);
    expect(parts).toEqual(
      expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=43200']),
    );
    expect(parts).not.toContain('Secure'); // plain http here; see the https test
    const id = parts[0]!.split('=')[1]!;
    const rows = new Database(join(A.dir, 'parley.db'), { readonly: true })
      .prepare('SELECT hash, user, csrf, expires - created AS ttl FROM sessions')
      .all() as { hash: string; user: string; csrf: string; ttl: number }[];
    const mine = rows.find((x) => x.hash === createHash('sha256').update(id).digest('hex'));
    expect(mine).toMatchObject({ user: 'olga', csrf: r.json.csrf, ttl: 12 * 60 * MIN });
    expect(JSON.stringify(rows)).not.toContain(id);
  });

  it('a session can read and send, and says who it is', async () => {
    const c = await signedIn('olga');
    const me = await c.get('/api/v1/me');
    expect(me.json).toEqual({
      name: 'olga',
      role: 'operator',
      via: 'session',
      channels: '*',
      permissions: ['read', 'send', 'acknowledge'],
      csrf: c.csrf,
    });
    const sent = await c.post('/api/v1/messages', {
      channel: 'b',
      precedence: 'ROUTINE',
      text: 'olga on b',
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    const list = await c.get('/api/v1/messages');
    expect(list.status).toBe(200);
    expect(list.json.messages.map((m: any) => [m.text, m.author])).toContainEqual([
      'olga on b',
      'olga',
    ]);
  });

  it('a state-changing request with the cookie needs the CSRF header; bearer tokens do not', async () => {
    const c = await signedIn('olga');
    const msg = { channel: 'b', precedence: 'ROUTINE', text: 'csrf check' };
    const none = await c.post('/api/v1/messages', msg, { csrf: false });
    expect(none.status).toBe(403);
    expect(none.json.code).toBe('PARLEY_E_CSRF');
    const wrong = await c.post('/api/v1/messages', msg, { csrf: 'A'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect(wrong.json.code).toBe('PARLEY_E_CSRF');
    // Another session's token is not this session's.
    const other = await signedIn('olga');
    expect((await c.post('/api/v1/messages', msg, { csrf: other.csrf! })).json.code).toBe(
      'PARLEY_E_CSRF',
    );
    const ok = await c.post('/api/v1/messages', msg);
    expect(ok.status).toBe(201);
    // Reads need no CSRF token.
    expect((await c.req('GET', '/api/v1/me', undefined, { csrf: false })).status).toBe(200);
    // A bearer token needs none, and takes precedence over a cookie sent with it.
    const bearer = await api(a.url, tokenA).post('/api/v1/messages', msg);
    expect(bearer.status).toBe(201);
    const both = await c.req('GET', '/api/v1/me', undefined, { csrf: false, bearer: tokenA });
    expect(both.json).toMatchObject({ via: 'token', role: 'operator' });
  });

  it('no cookie, a made-up cookie or a disabled operator is 401', async () => {
    const anon = consoleFor(a.url);
    expect((await anon.get('/api/v1/me')).json.code).toBe('PARLEY_E_AUTH_REQUIRED');
    anon.cookie = `parley_session=${'x'.repeat(43)}`;
    expect((await anon.get('/api/v1/me')).status).toBe(401);
    await withDb(A, (s) =>
      createUser(s, { name: 'temp', role: 'viewer', password: 'temporary password' }, 1),
    );
    const t = consoleFor(a.url);
    expect((await t.login('temp', 'temporary password')).status).toBe(200);
    expect((await t.get('/api/v1/me')).status).toBe(200);
    await withDb(A, (s) => s.updateUser('temp', { disabled: true }));
    expect((await t.get('/api/v1/me')).status).toBe(401);
    const again = await consoleFor(a.url).login('temp', 'temporary password');
    expect(again.json.code).toBe('PARLEY_E_LOGIN_FAILED');
  });

  it('wrong password or unknown operator → 401 PARLEY_E_LOGIN_FAILED, the same for both', async () => {
    const wrong = await consoleFor(a.url).login('olga', 'not olga password');
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe('PARLEY_E_LOGIN_FAILED');
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const unknown = await consoleFor(a.url).login('nobody', 'not olga password');
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual(wrong.json);
    const bad = await fetch(`${a.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'olga' }),
    });
    expect(bad.status).toBe(400);
  });

  it('logout ends the session and clears the cookie', async () => {
    const c = await signedIn('olga');
    const noCsrf = await c.req('POST', '/api/v1/logout', undefined, { csrf: false });
    expect(noCsrf.json.code).toBe('PARLEY_E_CSRF');
    const out = await c.req('POST', '/api/v1/logout');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(
      /^parley_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/,
    );
    const after = await c.get('/api/v1/me');
    expect(after.status).toBe(401);
    expect(after.json.code).toBe('PARLEY_E_AUTH_REQUIRED');
    expect(
      (await c.post('/api/v1/messages', { channel: 'b', precedence: 'FLASH', text: 'x' })).status,
    ).toBe(401);
  });

  it('a session expires 12 hours after sign-in', async () => {
    const c = await signedIn('olga');
    clock.offset += 11 * 60 * MIN;
    expect((await c.get('/api/v1/me')).status).toBe(200);
    clock.offset += 60 * MIN;
    expect((await c.get('/api/v1/me')).status).toBe(401);
  });

  it('over https the cookie is also Secure', async () => {
    const C = await makeStation(root, 'Charlie');
    await withDb(C, (s) =>
      createUser(s, { name: 'sec', role: 'viewer', password: 'secure password!' }, 1),
    );
    const id = await generateTlsIdentity(`parley ${C.station}`);
    const c = await startInProcess(C, { tls: { cert: id.cert, key: id.key } });
    try {
      const cookie = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          `${c.url}/api/v1/login`,
          {
            method: 'POST',
            rejectUnauthorized: false,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(String(res.headers['set-cookie']?.[0]));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ name: 'sec', password: 'secure password!' }));
      });
      expect(cookie.split('; ')).toEqual(
        expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Secure']),
      );
    } finally {
      await c.station.close();
    }
  });
});

describe('roles and channel membership', () => {
  it('admins create operators with a role and channels; others may not', async () => {
    const chief = await signedIn('chief');
    for (const [name, role] of [
      ['paul', 'approver'],
      ['lin', 'linguist'],
      ['vic', 'viewer'],
    ] as const) {
      const r = await chief.post('/api/v1/users', {
        name,
        role,
        channels: '*',
        password: PW[name],
      });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      expect(r.json.user).toMatchObject({ name, role, channels: '*', disabled: false });
      expect(JSON.stringify(r.json)).not.toContain(PW[name]);
    }
    const dup = await chief.post('/api/v1/users', { name: 'vic', role: 'admin', password: PW.vic });
    expect([dup.status, dup.json.code]).toEqual([409, 'PARLEY_E_USER_EXISTS']);
    const short = await chief.post('/api/v1/users', {
      name: 'z',
      role: 'admin',
      password: 'short',
    });
    expect([short.status, short.json.code]).toEqual([400, 'PARLEY_E_BAD_PASSWORD']);
    const role = await chief.post('/api/v1/users', { name: 'z', role: 'boss', password: PW.vic });
    expect(role.status).toBe(400);
    const olga = await signedIn('olga');
    const denied = await olga.post('/api/v1/users', { name: 'y', role: 'admin', password: PW.vic });
    expect([denied.status, denied.json.code]).toEqual([403, 'PARLEY_E_FORBIDDEN']);
    const list = await chief.get('/api/v1/users');
    expect(list.json.users.map((u: any) => u.name)).toEqual(
      expect.arrayContaining(['alice', 'chief', 'lin', 'olga', 'paul', 'vic']),
    );
    expect(JSON.stringify(list.json)).not.toContain('scrypt');
  });

  it('a viewer session reads but cannot send', async () => {
    const vic = await signedIn('vic');
    expect((await vic.get('/api/v1/messages')).status).toBe(200);
    const r = await vic.post('/api/v1/messages', { channel: 'a', precedence: 'FLASH', text: 'x' });
    expect([r.status, r.json.code]).toEqual([403, 'PARLEY_E_FORBIDDEN']);
  });

  it('an operator who is a member only of channel a cannot send to b and does not see b', async () => {
    const alice = await signedIn('alice');
    const onA = await alice.post('/api/v1/messages', {
      channel: 'a',
      precedence: 'PRIORITY',
      text: 'alice on a',
    });
    expect(onA.status, JSON.stringify(onA.json)).toBe(201);
    const onB = await alice.post('/api/v1/messages', {
      channel: 'b',
      precedence: 'PRIORITY',
      text: 'alice on b',
    });
    expect(onB.status).toBe(403);
    expect(onB.json.code).toBe('PARLEY_E_NOT_MEMBER');
    const seen = (await alice.get('/api/v1/messages')).json.messages as any[];
    expect(seen.map((m) => m.text)).toContain('alice on a');
    expect(seen.filter((m) => m.channel !== 'a')).toEqual([]);
    // Asking for b by name: refused whether or not b exists (nothing of it is confirmed).
    const byName = await alice.get('/api/v1/messages?channel=b');
    expect([byName.status, byName.json.code]).toEqual([403, 'PARLEY_E_NOT_MEMBER']);
    // olga, a member of every channel, sees b.
    const olga = await signedIn('olga');
    expect(
      ((await olga.get('/api/v1/messages?channel=b')).json.messages as any[]).length,
    ).toBeGreaterThan(0);
    expect((await alice.get('/api/v1/me')).json.channels).toEqual(['a']);
  });
});

describe('audit log', () => {
  let received: string;

  it('records login, send, approve, read, acknowledge, suspend and translate with the actor', async () => {
    const chief = await signedIn('chief');
    const alice = await signedIn('alice');
    const olga = await signedIn('olga');
    const paul = await signedIn('paul');
    const lin = await signedIn('lin');

    // A message from the other station on channel a, to acknowledge and translate.
    const fromB = await api(b.url, tokenB).send('Bravo to Alpha on a', 'FLASH', 'a');
    received = fromB.id;
    await waitFor('B message at A', async () =>
      ((await alice.get('/api/v1/messages?channel=a')).json.messages as any[]).find(
        (m) => m.id === fromB.id,
      ),
    );
    expect((await alice.post(`/api/v1/messages/${fromB.id}/read`)).status).toBe(201);
    expect(
      (await alice.post(`/api/v1/messages/${fromB.id}/understood`, { readback: 'understood' }))
        .status,
    ).toBe(201);
    const tr = await lin.post(`/api/v1/messages/${fromB.id}/translations`, {
      lang: 'zh',
      text: '布拉沃呼叫阿尔法',
    });
    expect(tr.status, JSON.stringify(tr.json)).toBe(201);

    // A ministry channel: two-person rule, then suspended.
    const prop = await chief.post('/api/v1/channels', {
      name: 'ministry',
      agreement: { tier: 'ministry' },
    });
    expect(prop.status, JSON.stringify(prop.json)).toBe(201);
    await waitFor('B sees ministry', async () => {
      const r = await api(b.url, tokenB).get('/api/v1/channels');
      return r.json.channels.some((c: any) => c.name === 'ministry');
    });
    expect((await api(b.url, tokenB).post('/api/v1/channels/ministry/accept', {})).status).toBe(
      201,
    );
    await waitFor('ministry open at A', async () =>
      ((await chief.get('/api/v1/channels')).json.channels as any[]).some(
        (c) => c.name === 'ministry' && c.status === 'open',
      ),
    );
    const draft = await olga.post('/api/v1/messages', {
      channel: 'ministry',
      precedence: 'IMMEDIATE',
      text: 'for approval',
    });
    expect(draft.status).toBe(202);
    const approved = await paul.post(`/api/v1/drafts/${draft.json.draft.id}/approve`);
    expect(approved.status, JSON.stringify(approved.json)).toBe(201);
    const suspended = await chief.post('/api/v1/channels/ministry/suspend', {
      reason: 'political instruction',
    });
    expect(suspended.status).toBe(201);

    const { records, chain } = await auditOf(chief);
    expect(chain).toEqual({ verified: records.length, firstInvalid: null, reason: null });
    expect(records.every((r) => r.valid)).toBe(true);
    const find = (action: string, actor: string) =>
      records.filter((r) => r.action === action && r.actor === actor).at(-1);
    expect(find('login', 'alice')).toMatchObject({
      detail: { role: 'operator', via: 'session', ip: expect.any(String) },
    });
    expect(find('send', 'alice')).toMatchObject({
      detail: {
        role: 'operator',
        via: 'session',
        method: 'POST',
        route: '/api/v1/messages',
        status: 201,
        body: { channel: 'a', precedence: 'PRIORITY', text: 'alice on a' },
        result: { id: expect.stringMatching(/^[0-9a-f]{64}$/), seq: expect.any(Number) },
      },
    });
    expect(find('send', 'olga')!.detail.result).toEqual({ draft: draft.json.draft.id });
    expect(find('approve', 'paul')).toMatchObject({
      detail: {
        role: 'approver',
        route: '/api/v1/drafts/:id/approve',
        params: { id: draft.json.draft.id },
        result: { id: approved.json.id },
      },
    });
    expect(find('read', 'alice')).toMatchObject({
      detail: { route: '/api/v1/messages/:id/read', params: { id: fromB.id } },
    });
    expect(find('acknowledge', 'alice')).toMatchObject({
      detail: { route: '/api/v1/messages/:id/understood', body: { readback: 'understood' } },
    });
    expect(find('translate', 'lin')).toMatchObject({
      detail: { role: 'linguist', body: { lang: 'zh', text: '布拉沃呼叫阿尔法' } },
    });
    expect(find('suspend', 'chief')).toMatchObject({
      detail: {
        role: 'admin',
        params: { name: 'ministry' },
        body: { reason: 'political instruction' },
      },
    });
    expect(find('propose', 'chief')).toBeDefined();
    // Bearer-token actions are recorded too, under the token's name.
    expect(records.some((r) => r.action === 'send' && r.actor.startsWith('token:'))).toBe(true);
    // Refused requests are not actions: the NOT_MEMBER and CSRF attempts left no record.
    expect(records.filter((r) => r.actor === 'alice' && r.action === 'send')).toHaveLength(1);
  });

  it('records failed logins and logouts, and keeps secrets out', async () => {
    const chief = await signedIn('chief');
    const { records } = await auditOf(chief);
    expect(records.find((r) => r.action === 'login-failed' && r.actor === 'nobody')).toMatchObject({
      detail: { reason: 'unknown operator' },
    });
    expect(records.find((r) => r.action === 'login-failed' && r.actor === 'olga')).toMatchObject({
      detail: { reason: 'wrong password' },
    });
    // Logout names the session its login opened (by a prefix of the id's hash).
    const logout = records.find((r) => r.action === 'logout' && r.actor === 'olga');
    expect(logout.detail.sid).toMatch(/^[0-9a-f]{16}$/);
    expect(
      records.some(
        (r) => r.action === 'login' && r.actor === 'olga' && r.detail.sid === logout.detail.sid,
      ),
    ).toBe(true);
    const added = records.find((r) => r.action === 'user-add' && r.detail.body?.name === 'lin');
    expect(added).toMatchObject({
      actor: 'chief',
      detail: { body: { name: 'lin', role: 'linguist', password: '[redacted]' } },
    });
    const text = JSON.stringify(records);
    for (const pw of Object.values(PW)) expect(text).not.toContain(pw);
    expect(text).not.toContain('wrong password 1');
  });

  it('filters by actor, action and seq', async () => {
    const chief = await signedIn('chief');
    const logins = (await auditOf(chief, '&action=login')).records;
    expect(logins.length).toBeGreaterThan(5);
    expect(logins.every((r) => r.action === 'login')).toBe(true);
    const lins = (await auditOf(chief, '&actor=lin')).records;
    expect(new Set(lins.map((r) => r.action))).toEqual(new Set(['login', 'translate']));
    const after = (await auditOf(chief, `&after=${logins[2].seq}&action=login`)).records;
    expect(after[0].seq).toBe(logins[3].seq);
    const two = await chief.get('/api/v1/audit?limit=2');
    expect(two.json.records.map((r: any) => r.seq)).toEqual([1, 2]);
    expect((await chief.get('/api/v1/audit?limit=5000')).status).toBe(400);
  });

  it('only admins read the audit log', async () => {
    for (const name of ['olga', 'alice', 'paul', 'lin', 'vic'] as const) {
      const r = await (await signedIn(name)).get('/api/v1/audit');
      expect([r.status, r.json.code], name).toEqual([403, 'PARLEY_E_FORBIDDEN']);
    }
    expect((await api(a.url, tokenA).get('/api/v1/audit')).status).toBe(403);
    expect((await api(a.url).get('/api/v1/audit')).status).toBe(401);
  });

  it('the chain re-verifies outside the station with the pure hash function', async () => {
    const chief = await signedIn('chief');
    const { records } = await auditOf(chief);
    let prev = AUDIT_GENESIS;
    for (const r of records as AuditRecord[]) {
      expect(r.prev).toBe(prev);
      expect(auditHash(prev, r)).toBe(r.hash);
      prev = r.hash;
    }
    expect(verifyAuditRecords(records)).toBeNull();
    expect(received).toMatch(/^[0-9a-f]{64}$/);
  });

  it('password hashes in the database are scrypt-encoded and never hold the password', async () => {
    const db = new Database(join(A.dir, 'parley.db'), { readonly: true });
    const rows = db.prepare('SELECT name, password_hash FROM users').all() as {
      name: string;
      password_hash: string;
    }[];
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(6);
    const hashes = new Set<string>();
    for (const { name, password_hash: h } of rows) {
      expect(h).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      hashes.add(h.split('$')[4]!);
      const pw = PW[name as keyof typeof PW];
      if (!pw) continue;
      expect(h).not.toContain(pw);
      expect(h).not.toContain(Buffer.from(pw).toString('base64url'));
      expect(await verifyPassword(pw, h)).toBe(true);
      expect(await verifyPassword(`${pw}!`, h)).toBe(false);
    }
    expect(hashes.size).toBe(rows.length); // a fresh salt each
  });

  // Last: it breaks the chain for good.
  it('the log is append-only, and a row edited in SQLite shows valid: false from that row on', async () => {
    const chief = await signedIn('chief');
    const before = await auditOf(chief);
    const target = before.records[Math.floor(before.records.length / 2)];
    const db = new Database(join(A.dir, 'parley.db'));
    try {
      expect(() =>
        db.prepare("UPDATE audit SET actor = 'someone else' WHERE seq = ?").run(target.seq),
      ).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit WHERE seq = ?').run(target.seq)).toThrow(
        /append-only/,
      );
      // Someone with the file drops the guard and rewrites history.
      db.exec('DROP TRIGGER audit_no_update');
      db.prepare("UPDATE audit SET actor = 'someone else' WHERE seq = ?").run(target.seq);
    } finally {
      db.close();
    }
    const after = await auditOf(chief);
    expect(after.chain).toMatchObject({ firstInvalid: target.seq, verified: target.seq - 1 });
    for (const r of after.records) expect(r.valid, `seq ${r.seq}`).toBe(r.seq < target.seq);
    // The API shows the edited row as it now stands.
    expect(after.records.find((r) => r.seq === target.seq).actor).toBe('someone else');
    // Filtered views carry the same verdict.
    const logins = (await auditOf(chief, '&action=login')).records;
    expect(logins.some((r) => !r.valid)).toBe(true);
    expect(logins.every((r) => r.valid === r.seq < target.seq)).toBe(true);
  });
});

describe('OpenAPI', () => {
  it('documents the operator routes with descriptions', async () => {
    const doc = (await a.station.app.inject({ method: 'GET', url: '/api/docs' })).json();
    for (const [path, method] of [
      ['/api/v1/login', 'post'],
      ['/api/v1/logout', 'post'],
      ['/api/v1/me', 'get'],
      ['/api/v1/audit', 'get'],
      ['/api/v1/users', 'post'],
    ] as const)
      expect(doc.paths[path][method].description.length, path).toBeGreaterThan(30);
    expect(doc.components.securitySchemes.session).toEqual({
      type: 'apiKey',
      in: 'cookie',
      name: 'parley_session',
    });
  });
});
