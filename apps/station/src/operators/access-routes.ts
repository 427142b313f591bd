import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { Clock, Store } from '@parley/store';
import { createToken, hashToken, parseRole, requireAllChannels } from '../auth.js';
import { actorOf } from '../routes/api.js';
import {
  listTokens,
  parseExpiry,
  revokeToken,
  setUserDisabled,
  setUserRole,
  tokenView,
} from './access.js';
import { ErrorBody, Role, secured } from './routes.js';

// Admin routes that take access back: tokens (list, create with an expiry, revoke), operators
// (disable, enable, change role). All need the `users` permission (admin).

const TokenView = Type.Object({
  id: Type.String({ description: 'the first 16 hex digits of the token hash' }),
  actor: Type.String({ description: 'the name its requests carry in the audit log' }),
  label: Type.String(),
  role: Type.String(),
  created: Type.Integer({ description: 'UTC ms' }),
  expires: Type.Union([Type.Integer(), Type.Null()], { description: 'UTC ms, or null: never' }),
  revoked: Type.Union([Type.Integer(), Type.Null()], { description: 'UTC ms, or null' }),
  state: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});
const UserView = Type.Object({
  name: Type.String(),
  role: Type.String(),
  channels: Type.Union([Type.Literal('*'), Type.Array(Type.String())]),
  created: Type.Integer({ description: 'UTC ms' }),
  disabled: Type.Boolean(),
});
const CreateTokenBody = Type.Object(
  {
    role: Role,
    label: Type.Optional(
      Type.String({
        maxLength: 64,
        pattern: '^[A-Za-z0-9._@ -]*$',
        description: 'who or what it is for',
      }),
    ),
    expires: Type.Optional(
      Type.String({
        maxLength: 40,
        description: 'a duration from now (90m, 12h, 30d, 2w) or an ISO 8601 time with a zone',
      }),
    ),
  },
  { additionalProperties: false },
);
const TokenParams = Type.Object({
  id: Type.String({ pattern: '^[0-9a-fA-F]{8,64}$', description: 'token id (8–64 hex digits)' }),
});
const UserParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const RoleBody = Type.Object({ role: Role }, { additionalProperties: false });

export async function accessRoutes(
  parent: FastifyInstance,
  deps: { store: Store; clock: Clock },
): Promise<void> {
  await parent.register(async (app) => accessScope(app, deps));
}

async function accessScope(app: FastifyInstance, deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;
  // Accounts and tokens span every channel: an admin of some channels only may not touch them
  // (checked before the request is validated, so such an admin learns nothing from a 400).
  app.addHook('preValidation', async (req) =>
    requireAllChannels(actorOf(req), 'account and token administration'),
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { permission: 'users' },
      schema: {
        description:
          'Bearer tokens: id (hash prefix), label, role, created, expiry, revocation and state. Never the token.',
        tags: ['operators'],
        ...secured,
        response: { 200: Type.Object({ tokens: Type.Array(TokenView) }), '4xx': ErrorBody },
      },
    },
    async () => ({ tokens: await listTokens(store, clock.now()) }),
  );

  app.post<{ Body: Static<typeof CreateTokenBody> }>(
    '/api/v1/tokens',
    {
      // The response holds the new token: it is never stored for a replay.
      config: { permission: 'users', idempotency: false },
      schema: {
        description:
          'Creates a bearer token for a role, optionally expiring (`PARLEY_E_BAD_EXPIRY` for a past or unreadable time). The token is in this response only; the station keeps its SHA-256.',
        tags: ['operators'],
        ...secured,
        body: CreateTokenBody,
        response: {
          201: Type.Object({
            token: Type.String({ description: 'pt_…: shown once' }),
            view: TokenView,
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const now = clock.now();
      const expires = req.body.expires !== undefined ? parseExpiry(req.body.expires, now) : null;
      const token = await createToken(
        store,
        parseRole(req.body.role),
        req.body.label ?? '',
        now,
        expires,
      );
      const record = (await store.tokenByHash(hashToken(token)))!;
      return reply.status(201).send({ token, view: tokenView(record, now) });
    },
  );

  app.post<{ Params: Static<typeof TokenParams> }>(
    '/api/v1/tokens/:id/revoke',
    {
      config: { permission: 'users' },
      schema: {
        description:
          'Revokes a token (by an unambiguous prefix of its id): its next request is refused with 401 PARLEY_E_AUTH_REQUIRED. Revoking a revoked token is harmless. 404 PARLEY_E_TOKEN_NOT_FOUND when no single token matches.',
        tags: ['operators'],
        ...secured,
        params: TokenParams,
        response: { 200: Type.Object({ token: TokenView }), '4xx': ErrorBody },
      },
    },
    async (req) => ({ token: await revokeToken(store, req.params.id, clock.now()) }),
  );

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post<{ Params: Static<typeof UserParams> }>(
      `/api/v1/users/:name/${verb}`,
      {
        config: { permission: 'users' },
        schema: {
          description: disabled
            ? 'Disables an operator: sign-in is refused and every session of theirs ends at once. An admin cannot disable themselves or the last enabled admin (409 PARLEY_E_LAST_ADMIN).'
            : 'Enables a disabled operator again (they sign in anew).',
          tags: ['operators'],
          ...secured,
          params: UserParams,
          response: {
            200: Type.Object({ user: UserView, sessionsEnded: Type.Integer() }),
            '4xx': ErrorBody,
          },
        },
      },
      async (req) => setUserDisabled(store, req.params.name, disabled, actorOf(req).name),
    );
  }

  app.post<{ Params: Static<typeof UserParams>; Body: Static<typeof RoleBody> }>(
    '/api/v1/users/:name/role',
    {
      config: { permission: 'users' },
      schema: {
        description:
          "Changes an operator's role; their sessions have the new role from their next request. An admin cannot demote themselves or the last enabled admin (409 PARLEY_E_LAST_ADMIN).",
        tags: ['operators'],
        ...secured,
        params: UserParams,
        body: RoleBody,
        response: { 200: Type.Object({ user: UserView }), '4xx': ErrorBody },
      },
    },
    async (req) => ({
      user: await setUserRole(store, req.params.name, req.body.role, actorOf(req).name),
    }),
  );
}
