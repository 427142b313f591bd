// Access that can be taken back (token expiry and revocation, disabled operators, role changes),
// through the admin routes and the `parley token` / `parley user` commands, and an audit log that
// cannot be rewritten without the station key — on a real station, a real SQLite file, real CLI
// processes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS, auditHash } from '@parley/store';
import { createUser, verifyAuditLog } from '@parley/station';
import type { Station } from '@parley/station';
import { makeStation, PARLEY, startInProcess, tempRoot, withDb } from './harness.js';
import type { StationDir } from './harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const clock = { offset: 0, now: () => Date.now() + clock.offset };
const PW = {
  root: 'root of all access 2026',
  olga: 'olga the watch officer',
  ana: 'ana admin two here',
};

let root: string;
let A: StationDir;
let a: { station: Station; url: string };

function parley(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PARLEY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A client: a bearer token, or a signed-in session (cookie + CSRF). */
function client(url: string, bearer?: string) {
  const self = {
    cookie: undefined as string | undefined,
    csrf: undefined as string | undefined,
    async login(name: string, password: string) {
      const r = await self.req('POST', '/api/v1/login', { name, password });
      if (r.status === 200) self.csrf = r.json.csrf;
      return r;
    },
    async req(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
      const headers: Record<string, string> = { ...extra };
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      if (self.cookie) headers.cookie = self.cookie;
      if (self.csrf) headers['x-csrf-token'] = self.csrf;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(url + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const set = r.headers.getSetCookie()[0];
      if (set && path === '/api/v1/login') self.cookie = set.split(';')[0];
      const text = await r.text();
      return {
        status: r.status,
        json: text ? (JSON.parse(text) as any) : null,
        headers: r.headers,
      };
    },
    get: (path: string) => self.req('GET', path),
    post: (path: string, body: unknown = {}, extra: Record<string, string> = {}) =>
      self.req('POST', path, body, extra),
  };
  return self;
}

beforeAll(async () => {
  root = await tempRoot('parley-access-');
  A = await makeStation(root, 'Alpha');
  await withDb(A, async (store) => {
    await createUser(store, { name: 'root', role: 'admin', password: PW.root }, Date.now());
    await createUser(store, { name: 'olga', role: 'operator', password: PW.olga }, Date.now());
    await createUser(store, { name: 'ana', role: 'admin', password: PW.ana }, Date.now());
  });
  a = await startInProcess(A, { clock, deadlineTickMs: 0 });
});
afterAll(async () => {
  await a?.station.close();
});

describe('tokens: expiry and revocation', () => {
  it('an admin creates, lists and revokes tokens; a revoked token fails on its very next request', async () => {
    const admin = client(a.url);
    expect((await admin.login('root', PW.root)).status).toBe(200);
    const created = await admin.post('/api/v1/tokens', { role: 'viewer', label: 'wallboard' });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.token).toMatch(/^pt_[A-Za-z0-9_-]{43}$/);
    expect(created.json.view).toMatchObject({
      role: 'viewer',
      label: 'wallboard',
      state: 'active',
      expires: null,
    });
    const wall = client(a.url, created.json.token);
    expect((await wall.get('/api/v1/me')).status).toBe(200);

    const list = await admin.get('/api/v1/tokens');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.json)).not.toContain(created.json.token);
    const id = created.json.view.id as string;
    expect(list.json.tokens.find((t: any) => t.id === id)).toMatchObject({ state: 'active' });

    const revoked = await admin.post(`/api/v1/tokens/${id.slice(0, 10)}/revoke`);
    expect(revoked.status, JSON.stringify(revoked.json)).toBe(200);
    expect(revoked.json.token).toMatchObject({ id, state: 'revoked', revoked: expect.any(Number) });
    const after = await wall.get('/api/v1/me');
    expect(after.status).toBe(401);
    expect(after.json).toMatchObject({
      code: 'PARLEY_E_AUTH_REQUIRED',
      message: expect.stringMatching(/revoked/),
    });
    expect((await admin.post('/api/v1/tokens/0123456789abcdef/revoke')).json.code).toBe(
      'PARLEY_E_TOKEN_NOT_FOUND',
    );
    expect(
      (await admin.post('/api/v1/tokens', { role: 'viewer', expires: 'yesterday' })).json.code,
    ).toBe('PARLEY_E_BAD_EXPIRY');
  });

  it('a token with an expiry works until then and not a moment after', async () => {
    const admin = client(a.url);
    await admin.login('root', PW.root);
    const created = await admin.post('/api/v1/tokens', {
      role: 'operator',
      label: 'bot',
      expires: '90m',
    });
    expect(created.status).toBe(201);
    expect(created.json.view.expires - clock.now()).toBeGreaterThan(89 * 60_000);
    const bot = client(a.url, created.json.token);
    expect((await bot.get('/api/v1/me')).status).toBe(200);
    clock.offset += 91 * 60_000;
    try {
      const r = await bot.get('/api/v1/me');
      expect(r.status).toBe(401);
      expect(r.json.message).toMatch(/expired/);
      const listed = (await admin.get('/api/v1/tokens')).json.tokens;
      expect(listed.find((t: any) => t.id === created.json.view.id).state).toBe('expired');
    } finally {
      clock.offset -= 91 * 60_000;
    }
  });

  it('only an admin may manage tokens and operators', async () => {
    const olga = client(a.url);
    expect((await olga.login('olga', PW.olga)).status).toBe(200);
    for (const r of [
      await olga.get('/api/v1/tokens'),
      await olga.post('/api/v1/tokens', { role: 'admin' }),
      await olga.post('/api/v1/users/root/disable'),
      await olga.post('/api/v1/users/olga/role', { role: 'admin' }),
    ])
      expect(r.json.code).toBe('PARLEY_E_FORBIDDEN');
  });
});

describe('operators: disable, enable, role', () => {
  it('disabling an operator ends their sessions at once; a role change applies on their next request', async () => {
    const admin = client(a.url);
    await admin.login('root', PW.root);
    const olga = client(a.url);
    expect((await olga.login('olga', PW.olga)).status).toBe(200);
    expect((await olga.get('/api/v1/me')).json.role).toBe('operator');

    const role = await admin.post('/api/v1/users/olga/role', { role: 'viewer' });
    expect(role.status, JSON.stringify(role.json)).toBe(200);
    expect(role.json.user).toMatchObject({ name: 'olga', role: 'viewer' });
    expect((await olga.get('/api/v1/me')).json.role).toBe('viewer');

    const off = await admin.post('/api/v1/users/olga/disable');
    expect(off.status).toBe(200);
    expect(off.json).toMatchObject({ user: { disabled: true } });
    expect(off.json.sessionsEnded).toBeGreaterThanOrEqual(1);
    expect((await olga.get('/api/v1/me')).status).toBe(401);
    expect((await client(a.url).login('olga', PW.olga)).status).toBe(401);

    const on = await admin.post('/api/v1/users/olga/enable');
    expect(on.json.user.disabled).toBe(false);
    expect((await olga.get('/api/v1/me')).status).toBe(401); // the old session stays ended
    expect((await client(a.url).login('olga', PW.olga)).status).toBe(200);
    await admin.post('/api/v1/users/olga/role', { role: 'operator' });
  });

  it('an admin cannot lock themselves out, nor disable or demote the last enabled admin', async () => {
    const admin = client(a.url);
    await admin.login('root', PW.root);
    expect((await admin.post('/api/v1/users/root/disable')).json.code).toBe('PARLEY_E_LAST_ADMIN');
    expect((await admin.post('/api/v1/users/root/role', { role: 'viewer' })).json.code).toBe(
      'PARLEY_E_LAST_ADMIN',
    );
    expect((await admin.post('/api/v1/users/nobody/disable')).json.code).toBe(
      'PARLEY_E_USER_NOT_FOUND',
    );
    expect((await admin.post('/api/v1/users/ana/disable')).status).toBe(200);
    const ana = client(a.url);
    // root is now the last enabled admin: the CLI refuses too.
    const r = await parley(['user', 'disable', 'root', '--data', A.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PARLEY_E_LAST_ADMIN/);
    expect((await ana.login('ana', PW.ana)).status).toBe(401);
    expect((await admin.post('/api/v1/users/ana/enable')).status).toBe(200);
  });
});

describe('parley token and parley user (real CLI processes beside the running station)', () => {
  it('token create --expires, token list, token revoke; user disable, enable, role', async () => {
    const made = await parley([
      'token',
      'create',
      '--data',
      A.dir,
      '--role',
      'operator',
      '--label',
      'cli-bot',
      '--expires',
      '2h',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const tok = made.stdout.trim();
    expect(tok).toMatch(/^pt_[A-Za-z0-9_-]{43}$/);
    const bot = client(a.url, tok);
    expect((await bot.get('/api/v1/me')).status).toBe(200);

    const list = await parley(['token', 'list', '--data', A.dir, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toContain(tok);
    const mine = (JSON.parse(list.stdout) as any[]).find((t) => t.label === 'cli-bot');
    expect(mine).toMatchObject({ role: 'operator', state: 'active' });
    expect(mine.expires - Date.now()).toBeGreaterThan(119 * 60_000);
    const text = await parley(['token', 'list', '--data', A.dir]);
    expect(text.stdout).toMatch(
      new RegExp(`${mine.id}\\s+active\\s+operator\\s+expires \\d{4}-.*cli-bot`),
    );

    const bad = await parley([
      'token',
      'create',
      '--data',
      A.dir,
      '--role',
      'viewer',
      '--expires',
      '-3d',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/PARLEY_E_BAD_EXPIRY/);

    const rev = await parley(['token', 'revoke', mine.id, '--data', A.dir]);
    expect(rev.code, rev.stderr).toBe(0);
    expect(rev.stdout).toBe(`revoked token ${mine.id} (operator, cli-bot)\n`);
    expect((await bot.get('/api/v1/me')).status).toBe(401);

    const olga = client(a.url);
    const signedIn = await olga.login('olga', PW.olga);
    expect(signedIn.status, JSON.stringify(signedIn.json)).toBe(200);
    const role = await parley(['user', 'role', 'olga', 'linguist', '--data', A.dir]);
    expect(role.stdout).toBe('olga is now linguist\n');
    expect((await olga.get('/api/v1/me')).json.role).toBe('linguist');
    const dis = await parley(['user', 'disable', 'olga', '--data', A.dir]);
    expect(dis.stdout).toMatch(/^disabled olga; ended [1-9]\d* sessions?\n$/);
    expect((await olga.get('/api/v1/me')).status).toBe(401);
    const en = await parley(['user', 'enable', 'olga', '--data', A.dir]);
    expect(en.stdout).toBe('enabled olga\n');
    await parley(['user', 'role', 'olga', 'operator', '--data', A.dir]);

    // The command-line changes are in the audit log, anchored like the others.
    const admin = client(a.url);
    await admin.login('root', PW.root);
    const audit = (await admin.get('/api/v1/audit?limit=1000')).json;
    expect(audit.chain).toMatchObject({ firstInvalid: null, reason: null });
    const actions = audit.records
      .filter((r: any) => r.actor.startsWith('cli:'))
      .map((r: any) => r.action);
    expect(actions).toEqual([
      'token-add',
      'token-revoke',
      'user-role',
      'user-disable',
      'user-enable',
      'user-role',
    ]);
  });
});

describe('parley audit seal (a log from before anchoring)', () => {
  it('signs a legacy log once; refuses a second time and refuses a log whose chain is broken', async () => {
    const legacy = async (name: string) => {
      const L = await makeStation(root, name);
      await withDb(L, async (store) => {
        // Written as schema 4 did: no anchor.
        for (let i = 1; i <= 3; i++)
          await store.appendAudit({ ts: i, actor: 'olga', action: 'send', detail: { i } });
      });
      return L;
    };
    const L = await legacy('Legacy One');
    const before = await withDb(L, (store) => verifyAuditLog(store, { station: L.station }));
    expect(before).toEqual({
      verified: 0,
      firstInvalid: 1,
      reason: 'audit record 1: it has no station-key signature',
    });
    const sealed = await parley(['audit', 'seal', '--data', L.dir]);
    expect(sealed.code, sealed.stderr).toBe(0);
    expect(sealed.stdout).toBe('sealed 3 audit records\n');
    const after = await withDb(L, (store) => verifyAuditLog(store, { station: L.station }));
    expect(after).toEqual({ verified: 4, firstInvalid: null, reason: null }); // + the seal's own record
    const again = await parley(['audit', 'seal', '--data', L.dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/PARLEY_E_AUDIT_SEAL_REFUSED: .*anchored records already/);

    const T = await legacy('Legacy Two');
    const db = new Database(join(T.dir, 'parley.db'));
    try {
      db.exec('DROP TRIGGER audit_no_update');
      db.prepare("UPDATE audit SET actor = 'paul' WHERE seq = 2").run();
    } finally {
      db.close();
    }
    const refused = await parley(['audit', 'seal', '--data', T.dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/PARLEY_E_AUDIT_SEAL_REFUSED: audit record 2 does not chain/);
    expect(await withDb(T, (store) => store.auditAnchors())).toEqual([]);
  });
});

describe('the audit chain is anchored with the station key', () => {
  // Last: it breaks the chain for good.
  it('dropping the triggers, changing an actor and recomputing the whole chain is reported NOT verified, naming the record', async () => {
    const admin = client(a.url);
    await admin.login('root', PW.root);
    const before = (await admin.get('/api/v1/audit?limit=1000')).json;
    expect(before.chain).toMatchObject({ firstInvalid: null, verified: before.records.length });
    const target = before.records.find(
      (r: any) => r.action === 'user-disable' && r.actor === 'root',
    );
    expect(target).toBeDefined();

    const db = new Database(join(A.dir, 'parley.db'));
    try {
      db.exec('DROP TRIGGER audit_no_update');
      db.exec('DROP TRIGGER audit_no_delete');
      db.prepare("UPDATE audit SET actor = 'olga' WHERE seq = ?").run(target.seq);
      // Recompute every hash from the genesis on, as an attacker with the file can.
      const rows = db
        .prepare('SELECT seq, ts, actor, action, detail FROM audit ORDER BY seq')
        .all() as any[];
      let prev = AUDIT_GENESIS;
      const fix = db.prepare('UPDATE audit SET prev = ?, hash = ? WHERE seq = ?');
      for (const r of rows) {
        const hash = auditHash(prev, { ...r, detail: JSON.parse(r.detail) });
        fix.run(prev, hash, r.seq);
        prev = hash;
      }
    } finally {
      db.close();
    }
    const after = (await admin.get('/api/v1/audit?limit=1000')).json;
    // The hash chain alone now checks out …
    let prev = AUDIT_GENESIS;
    for (const r of after.records) {
      expect(r.prev).toBe(prev);
      prev = r.hash;
    }
    expect(after.records.find((r: any) => r.seq === target.seq).actor).toBe('olga');
    // … but the station's signature over the record's hash does not.
    expect(after.chain).toMatchObject({
      firstInvalid: target.seq,
      verified: target.seq - 1,
      reason: `audit record ${target.seq}: its hash is not the one the station signed`,
    });
    for (const r of after.records) expect(r.valid, `seq ${r.seq}`).toBe(r.seq < target.seq);

    // Forging the anchors' hash columns too does not help: the signature is over the hash.
    const db2 = new Database(join(A.dir, 'parley.db'));
    try {
      const fix = db2.prepare('UPDATE audit_anchors SET hash = ? WHERE seq = ?');
      for (const r of after.records) fix.run(r.hash, r.seq);
    } finally {
      db2.close();
    }
    const forged = (await admin.get('/api/v1/audit?limit=1000')).json;
    expect(forged.chain).toMatchObject({
      firstInvalid: target.seq,
      reason: `audit record ${target.seq}: its station-key signature does not verify`,
    });
  });
});
