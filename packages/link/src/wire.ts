import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ParleyError } from '@parley/core';

/** Link routes, relative to a path's base URL. */
export const ROUTES = {
  pull: 'link/v1/pull',
  heartbeat: 'link/v1/heartbeat',
} as const;

/** Defaults: heartbeat every 60 s; a pull waits up to 20 s for new entries; 1,000 entries a batch. */
export const LINK_DEFAULTS = { heartbeatMs: 60_000, pullWaitMs: 20_000, pullLimit: 1000 } as const;
/** The most a pull may ask for, and the most bytes of entries one response carries. */
export const MAX_PULL_LIMIT = 5000;
export const MAX_PULL_BYTES = 4 * 1024 * 1024;
/** The longest a pull may wait. */
export const MAX_PULL_WAIT_MS = 60_000;

const AUDIENCE = Type.String({ pattern: '^aud_[0-9a-f]{24}$' });
/** Which feed: an audience id, or null for the station's identity feed. */
const FeedName = Type.Union([AUDIENCE, Type.Null()], {
  description: "an audience id, or null for the station's identity feed",
});

export const PullRequestSchema = Type.Object(
  {
    feeds: Type.Array(
      Type.Object(
        {
          audience: FeedName,
          after: Type.Integer({
            minimum: 0,
            maximum: Number.MAX_SAFE_INTEGER,
            description: 'entries of that feed the requester holds',
          }),
        },
        { additionalProperties: false },
      ),
      {
        maxItems: 1024,
        description: 'cursors; a shared feed not named here is sent from its first entry',
      },
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_PULL_LIMIT,
        description: 'at most this many entries in all',
      }),
    ),
    wait: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_PULL_WAIT_MS,
        description: 'hold the request up to this many ms until a shared feed has news',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PullRequest = Static<typeof PullRequestSchema>;

export const CheckpointWire = Type.Object({
  station: Type.String(),
  audience: Type.Optional(Type.String()),
  size: Type.Integer(),
  root: Type.String(),
  ts: Type.Integer(),
  sig: Type.String(),
});

export const FeedChunkSchema = Type.Object(
  {
    audience: FeedName,
    entries: Type.Array(Type.String({ description: 'one entry, its JSON line' }), {
      description: 'entries after the cursor, in seq order',
    }),
    checkpoint: Type.Union([CheckpointWire, Type.Null()], {
      description: "the feed's latest signed checkpoint",
    }),
    head: Type.Integer({ minimum: 0, description: 'size of the feed' }),
  },
  { additionalProperties: false },
);
export type FeedChunk = Static<typeof FeedChunkSchema>;

export const PullResponseSchema = Type.Object(
  {
    station: Type.String({ description: 'the serving station (whose feeds these are)' }),
    feeds: Type.Array(FeedChunkSchema, {
      description:
        'the shared feeds with entries past their cursor: the identity feed first, then audiences by id',
    }),
  },
  { additionalProperties: false },
);
export type PullResponse = Static<typeof PullResponseSchema>;

export const HeartbeatSchema = Type.Object(
  {
    ts: Type.Integer({ description: "sender's clock, UTC ms" }),
    head: Type.Integer({ minimum: 0, description: "size of the sender's feed" }),
  },
  { additionalProperties: false },
);
export type Heartbeat = Static<typeof HeartbeatSchema>;

export const HeartbeatReplySchema = Type.Object(
  {
    station: Type.String(),
    ts: Type.Integer(),
    head: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type HeartbeatReply = Static<typeof HeartbeatReplySchema>;

export const LinkErrorSchema = Type.Object({ code: Type.String(), message: Type.String() });

const pullCheck = TypeCompiler.Compile(PullResponseSchema);
const heartbeatReplyCheck = TypeCompiler.Compile(HeartbeatReplySchema);

/** Checks a peer's pull response shape, or throws `PARLEY_E_LINK_MALFORMED`. */
export function parsePullResponse(value: unknown): PullResponse {
  if (!pullCheck.Check(value)) {
    const e = pullCheck.Errors(value).First();
    throw new ParleyError(
      'PARLEY_E_LINK_MALFORMED',
      `pull response ${e ? `${e.path || '/'}: ${e.message}` : 'is malformed'}`,
      {},
    );
  }
  return value;
}

/** Checks a peer's heartbeat reply shape, or throws `PARLEY_E_LINK_MALFORMED`. */
export function parseHeartbeatReply(value: unknown): HeartbeatReply {
  if (!heartbeatReplyCheck.Check(value))
    throw new ParleyError('PARLEY_E_LINK_MALFORMED', 'heartbeat reply is malformed', {});
  return value;
}
