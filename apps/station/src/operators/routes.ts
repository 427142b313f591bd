import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ParleyError } from '@parley/core';
import type { Clock, Store } from '@parley/store';
import { GRANTS, requireAllChannels, ROLES } from '../auth.js';
import { actorOf } from '../routes/api.js';
import type { AuditLog, AuditVerification } from './audit.js';
import type { PasswordGate, SignInThrottle } from './rate-limit.js';
import { verifyPassword } from './passwords.js';
import {
  createSession,
  currentSession,
  isSecure,
  SESSION_TTL_MS,
  sessionCookie,
} from './sessions.js';
import { createUser, USER_NAME, userView } from './users.js';

export const ErrorBody = Type.Object({
  code: Type.String({ description: 'PARLEY_E_* code (docs/errors.md)' }),
  message: Type.String(),
});
export const secured: { security: Record<string, string[]>[] } = {
  security: [{ bearer: [] }, { session: [] }],
};
export const Role = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: ROLES.join(', ') },
);
const Channels = Type.Union([Type.Literal('*'), Type.Array(Type.String(), { minItems: 1 })], {
  description: "channels the operator is a member of: '*' for all, or a list of channel names",
});
const UserView = Type.Object({
  name: Type.String(),
  role: Type.String(),
  channels: Channels,
  created: Type.Integer({ description: 'UTC ms' }),
  disabled: Type.Boolean(),
});

const LoginBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, description: 'operator name' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const AuditQuery = Type.Object(
  {
    after: Type.Optional(
      Type.Integer({ minimum: 0, description: 'only records with seq > after' }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'at most this many (default 100)' }),
    ),
    actor: Type.Optional(Type.String({ maxLength: 200, description: 'only this actor' })),
    action: Type.Optional(
      Type.String({ maxLength: 200, description: 'only this action, e.g. login, send, approve' }),
    ),
  },
  { additionalProperties: false },
);
const AuditRecordView = Type.Object({
  seq: Type.Integer(),
  ts: Type.Integer({ description: 'UTC ms' }),
  actor: Type.String({ description: 'operator name, or token:<label>#<hash prefix>' }),
  action: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown(), {
    description: 'role, via, method, route, params, body summary (no secrets), result, ip',
  }),
  prev: Type.String({ description: "the previous record's hash" }),
  hash: Type.String({
    description: 'SHA-256(prev ‖ canonical JSON of {seq, ts, actor, action, detail})',
  }),
  valid: Type.Boolean({
    description: 'whether the chain from record 1 up to and including this one re-verifies',
  }),
});
const CreateUserBody = Type.Object(
  {
    name: Type.String({ description: '1–64 of [A-Za-z0-9._@-], starting with a letter or digit' }),
    role: Role,
    channels: Type.Optional(Channels),
    password: Type.String({ maxLength: 1024, description: '12–256 characters' }),
  },
  { additionalProperties: false },
);

export interface OperatorRouteDeps {
  store: Store;
  clock: Clock;
  signIn: SignInThrottle;
  gate: PasswordGate;
  audit: AuditLog;
  verifyAudit: () => Promise<AuditVerification>;
}

/** Sign-in, sign-out, who am I, operator accounts and the audit log. */
export async function operatorRoutes(app: FastifyInstance, deps: OperatorRouteDeps): Promise<void> {
  const { store, clock, signIn, gate, audit, verifyAudit } = deps;

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/api/v1/login',
    {
      config: { audit: false },
      schema: {
        description:
          'Signs an operator in: sets the HttpOnly, SameSite=Strict session cookie `parley_session` (12 h) and returns the CSRF token to send as `x-csrf-token` on every POST, PUT, PATCH and DELETE. Throttled, never locked: after twenty failures an address must wait 1 s, doubling per further failure up to 15 min (429 PARLEY_E_RATE_LIMITED with Retry-After); after five failures on a name every attempt on it is held up to 3 s before it is checked (docs/api.md).',
        tags: ['operators'],
        body: LoginBody,
        response: {
          200: Type.Object({
            user: Type.Object({ name: Type.String(), role: Type.String(), channels: Channels }),
            csrf: Type.String({ description: 'send as the x-csrf-token header' }),
            expires: Type.Integer({ description: 'UTC ms' }),
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const now = clock.now();
      const { name, password } = req.body;
      const nameKey = name.toLowerCase();
      const addressKey = req.ip;
      const wait = signIn.addressWait(addressKey, now);
      if (wait > 0) {
        const retryAfter = Math.ceil(wait / 1000);
        return reply
          .status(429)
          .header('retry-after', String(retryAfter))
          .send({
            code: 'PARLEY_E_RATE_LIMITED',
            message: `too many failed sign-ins from this address; try again in ${retryAfter} s`,
          });
      }
      if (!gate.enter(addressKey)) {
        return reply
          .status(429)
          .header('retry-after', '1')
          .send({
            code: 'PARLEY_E_RATE_LIMITED',
            message: `${gate.perAddress} sign-ins from this address are in progress; try again in 1 s`,
          });
      }
      let ok: boolean;
      let user: Awaited<ReturnType<typeof store.user>>;
      try {
        const clean = signIn.failures(addressKey, now) === 0;
        const hold = signIn.accountDelay(nameKey, now);
        // Counted before the (slow) password check, so parallel guesses cannot outrun the back-off.
        signIn.fail(addressKey, nameKey, now);
        // A name under attack is slowed for everyone, by a bounded delay: never locked.
        if (hold > 0) await new Promise((r) => setTimeout(r, hold));
        user = USER_NAME.test(name) ? await store.user(name) : null;
        const hash = user?.passwordHash ?? null;
        ok = await gate.run(clean, () => verifyPassword(password, hash));
      } finally {
        gate.leave(addressKey);
      }
      if (!ok || !user || user.disabled) {
        await audit.record(req, {
          actor: name,
          action: 'login-failed',
          detail: { reason: !user ? 'unknown operator' : !ok ? 'wrong password' : 'disabled' },
        });
        throw new ParleyError('PARLEY_E_LOGIN_FAILED', 'unknown operator or wrong password', {});
      }
      signIn.succeed(addressKey, nameKey, clock.now());
      await store.deleteExpiredSessions(now);
      const s = await createSession(store, user.name, now);
      reply.header(
        'set-cookie',
        sessionCookie(s.id, { secure: isSecure(req), maxAgeMs: SESSION_TTL_MS }),
      );
      await audit.record(req, {
        actor: user.name,
        action: 'login',
        detail: { role: user.role, via: 'session', sid: s.record.hash.slice(0, 16) },
      });
      return {
        user: { name: user.name, role: user.role, channels: user.channels },
        csrf: s.csrf,
        expires: s.record.expires,
      };
    },
  );

  app.post(
    '/api/v1/logout',
    {
      config: { permission: 'read', audit: false, idempotency: false },
      schema: {
        description:
          'Ends the session of the cookie (needs its x-csrf-token) and clears the cookie. With a bearer token it does nothing.',
        tags: ['operators'],
        ...secured,
        response: { 204: Type.Null(), '4xx': ErrorBody },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (actor.via === 'session') {
        const found = await currentSession(store, req, clock.now());
        if (found) {
          await store.deleteSession(found.session.hash);
          await audit.record(req, {
            actor: actor.name,
            action: 'logout',
            detail: { role: actor.role, via: 'session', sid: found.session.hash.slice(0, 16) },
          });
        }
        reply.header('set-cookie', sessionCookie('', { secure: isSecure(req), maxAgeMs: 0 }));
      }
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { permission: 'read' },
      schema: {
        description:
          'Who the request is authenticated as: name, role, how (token or session), channel membership and permissions; for a session also its CSRF token (so a reloaded console can recover it).',
        tags: ['operators'],
        ...secured,
        response: {
          200: Type.Object({
            name: Type.String(),
            role: Type.String(),
            via: Type.String({ description: 'token or session' }),
            channels: Channels,
            permissions: Type.Array(Type.String()),
            csrf: Type.Optional(Type.String()),
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req) => {
      const a = actorOf(req);
      return {
        name: a.name,
        role: a.role,
        via: a.via,
        channels: a.channels === '*' ? '*' : [...a.channels],
        permissions: [...GRANTS[a.role]],
        ...(a.csrf !== undefined ? { csrf: a.csrf } : {}),
      };
    },
  );

  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/v1/audit',
    {
      config: { permission: 'audit' },
      schema: {
        description:
          'The append-only, hash-chained audit log of operator actions (login, login-failed, logout, send, approve, discard, read, acknowledge, translate, propose, accept, suspend, resume, call, answer-call, user-add), in seq order. The whole chain is re-verified on every request, and every record must carry a signature of its hash by the station identity key (ADR 0004), so a rewrite with database access alone is reported; `valid` is false from the first record that does not verify on.',
        tags: ['operators'],
        ...secured,
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            records: Type.Array(AuditRecordView),
            chain: Type.Object({
              verified: Type.Integer({ description: 'records that verify, from seq 1 on' }),
              firstInvalid: Type.Union([Type.Integer(), Type.Null()], {
                description: 'the first seq that breaks the chain, or null',
              }),
              reason: Type.Union([Type.String(), Type.Null()], {
                description:
                  'why the first invalid record fails (no chain link, no station-key signature, a hash other than the one signed), or null',
              }),
            }),
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req) => {
      // Records name every channel's messages, drafts and reasons: for members of all channels.
      requireAllChannels(actorOf(req), 'the audit log');
      const q = req.query;
      const records = await store.audit({
        limit: q.limit ?? 100,
        ...(q.after !== undefined ? { after: q.after } : {}),
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
      });
      const chain = await verifyAudit();
      return {
        records: records.map((r) => ({
          ...r,
          valid: chain.firstInvalid === null || r.seq < chain.firstInvalid,
        })),
        chain,
      };
    },
  );

  app.get(
    '/api/v1/users',
    {
      config: { permission: 'users' },
      schema: {
        description: 'Operator accounts (never their password hashes).',
        tags: ['operators'],
        ...secured,
        response: { 200: Type.Object({ users: Type.Array(UserView) }), '4xx': ErrorBody },
      },
    },
    async (req) => {
      // Accounts name channels; one restricted to some could grant itself the others.
      requireAllChannels(actorOf(req), 'operator accounts');
      return { users: (await store.users()).map(userView) };
    },
  );

  app.post<{ Body: Static<typeof CreateUserBody> }>(
    '/api/v1/users',
    {
      config: { permission: 'users' },
      schema: {
        description:
          'Creates an operator account with a role and channel membership; the password (12–256 characters) is stored only as an scrypt hash.',
        tags: ['operators'],
        ...secured,
        body: CreateUserBody,
        response: { 201: Type.Object({ user: UserView }), '4xx': ErrorBody },
      },
    },
    async (req, reply) => {
      requireAllChannels(actorOf(req), 'operator accounts');
      return reply.status(201).send({ user: await createUser(store, req.body, clock.now()) });
    },
  );
}
