import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ParleyError } from '@parley/core';
import type { PublicKeyB64 } from '@parley/core';
import {
  SIG_TYPE_ED25519,
  checkpointOrigin,
  formatAddCheckpoint,
  formatVkey,
  signCheckpointNote,
  verifyCheckpointSignature,
} from '@parley/ledger';
import type { AudienceId } from '@parley/ledger';
import type { FeedWriter, StationHandle } from '@parley/store';
import { httpError } from '../http-errors.js';
import { SizeConflict } from '../witness/witness.js';
import type { StationWitness } from '../witness/witness.js';

/** Largest add-checkpoint body: a 64 KiB note, 63 proof lines and the old size line. */
export const WITNESS_BODY_LIMIT = 64 * 1024 + 63 * 45 + 32;

/**
 * `POST /witness/v1/add-checkpoint` (c2sp.org/tlog-witness): the station as a witness of its
 * peers' feeds. Unauthenticated as the spec has it (the checkpoint's signature by a paired peer
 * is the admission), bounded by body size and per-address and total rate limits.
 */
export async function witnessRoutes(
  app: FastifyInstance,
  deps: { witness: StationWitness; leading: () => boolean },
): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: WITNESS_BODY_LIMIT },
    (_req, body: Buffer, done) => done(null, body),
  );
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof SizeConflict)
      return reply.status(409).header('content-type', 'text/x.tlog.size').send(`${err.size}\n`);
    const { status, body } = httpError(err);
    return reply.status(status).send(body);
  });
  app.post(
    '/witness/v1/add-checkpoint',
    {
      schema: {
        description:
          'C2SP tlog-witness add-checkpoint for the feeds of paired peers: old size line, consistency proof lines, a blank line, then the checkpoint note. Answers cosignature/v1 lines (docs/PROTOCOL.md §4.2). No authentication; rate limited.',
        tags: ['witness'],
      },
    },
    async (req, reply) => {
      deps.witness.admit(req.ip);
      // One process answers for the witness, so its check-and-store is atomic (ha.ts).
      if (!deps.leading())
        throw new ParleyError(
          'PARLEY_E_LEASE_LOST',
          'this process of the station does not lead; retry',
          {},
        );
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const lines = await deps.witness.addCheckpoint(body);
      return reply.header('content-type', 'text/plain; charset=utf-8').send(lines);
    },
  );
}

const NoteQuery = Type.Object(
  {
    audience: Type.Optional(
      Type.String({
        pattern: '^aud_[0-9a-f]{24}$',
        description: 'one of its audience feeds; absent: its identity feed',
      }),
    ),
    old: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description:
          'with it, the whole add-checkpoint request body from that size (what the witness last cosigned)',
      }),
    ),
  },
  { additionalProperties: false },
);

const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });

/**
 * Operator routes: this station's checkpoints as C2SP signed notes, ready to hand to any
 * tlog-witness, and what its own witness is (its vkey) and has cosigned.
 */
export async function checkpointNoteRoutes(
  app: FastifyInstance,
  deps: { station: StationHandle; witness?: StationWitness },
): Promise<void> {
  const { station } = deps;

  async function writerOf(audience?: string): Promise<FeedWriter> {
    if (!audience) return station.writer;
    const w = await station.existingAudience(audience as AudienceId);
    if (!w)
      throw new ParleyError('PARLEY_E_NOT_FOUND', `this station has no feed of ${audience}`, {});
    return w;
  }

  app.get<{ Querystring: Static<typeof NoteQuery> }>(
    '/api/v1/checkpoint-note',
    {
      config: { permission: 'read' },
      schema: {
        description:
          "The latest checkpoint of one of this station's feeds as a C2SP signed note (text/plain), or with `old` the tlog-witness add-checkpoint body to POST to a witness.",
        tags: ['operator'],
        security: [{ bearer: [] }],
        querystring: NoteQuery,
        response: {
          200: {
            description: 'the signed note, or the add-checkpoint body (text/plain)',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const w = await writerOf(req.query.audience);
      const cp = await station.store.latestCheckpoint(w.feed);
      if (!cp) throw new ParleyError('PARLEY_E_NOT_FOUND', 'the feed has no checkpoint yet', {});
      const signer = await w.signerAfter(cp.size);
      // The note repeats what the stored checkpoint says, under the key that signed it.
      if (!verifyCheckpointSignature(cp, signer.publicKey))
        throw new Error(`checkpoint of ${w.feed} at ${cp.size} is not signed by the expected key`);
      const note = signCheckpointNote(cp.station, cp.audience, cp.size, cp.root, signer);
      reply.header('content-type', 'text/plain; charset=utf-8');
      const old = req.query.old;
      if (old === undefined) return note;
      if (old > cp.size || w.tree.size < cp.size)
        throw new ParleyError(
          'PARLEY_E_INVALID_ARGUMENT',
          `old size ${old} is above the checkpoint size ${cp.size}`,
          {},
        );
      const proof = old === 0 || old === cp.size ? [] : w.tree.consistencyProof(old, cp.size);
      return formatAddCheckpoint(old, proof, note);
    },
  );

  app.get(
    '/api/v1/witness',
    {
      config: { permission: 'read' },
      schema: {
        description:
          "This station's witness: its name and vkey (cosignature/v1), the vkeys of this station's own feeds under its current key, and the latest size it cosigned per peer feed.",
        tags: ['operator'],
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({
            name: Type.Union([Type.String(), Type.Null()]),
            vkey: Type.Union([Type.String(), Type.Null()]),
            feeds: Type.Array(Type.Object({ origin: Type.String(), vkey: Type.String() })),
            cosigned: Type.Array(
              Type.Object({ origin: Type.String(), size: Type.Integer(), root: Type.String() }),
            ),
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async () => {
      const writers = [station.writer, ...(await station.audienceWriters())];
      return {
        name: deps.witness?.name ?? null,
        vkey: deps.witness?.vkey ?? null,
        feeds: writers.map((w) => {
          const origin = checkpointOrigin(w.station, w.audience);
          const key = w.currentSigner.publicKey as PublicKeyB64;
          return { origin, vkey: formatVkey(origin, key, SIG_TYPE_ED25519) };
        }),
        cosigned: deps.witness ? await deps.witness.cosigned() : [],
      };
    },
  );
}
