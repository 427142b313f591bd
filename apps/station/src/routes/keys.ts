import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { safetyNumber } from '@parley/ledger';
import type { PublicKeyB64 } from '@parley/core';
import type { LinkManager } from '@parley/link';
import { peerKeys } from '@parley/store';
import type { StationHandle } from '@parley/store';
import { actorOf } from './api.js';

const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });
const secured = { security: [{ bearer: [] }] };

const KeyView = Type.Object({
  key: Type.String({ description: 'public key, base64url' }),
  safety: Type.String({ description: 'its safety number' }),
  from: Type.Integer({ description: 'first seq it signs' }),
  to: Type.Union([Type.Integer(), Type.Null()], {
    description: 'last seq it signs; null for the current key',
  }),
  since: Type.Integer({ description: 'time of the entry that brought it in (UTC ms)' }),
  emergency: Type.Boolean({ description: 'brought in by an emergency rotation' }),
});

const RepinView = Type.Object({
  key: Type.String(),
  safety: Type.String(),
  by: Type.String({ description: 'the operator who re-pinned it' }),
  at: Type.Integer({ description: 'time of the key-repin entry' }),
  seq: Type.Integer({ description: "the key-repin entry's seq in this station's feed" }),
  applied: Type.Boolean({ description: "the peer's verified feed has rotated onto it" }),
});

const PeerKeys = Type.Object({
  name: Type.String(),
  station: Type.String(),
  urls: Type.Array(Type.String()),
  state: Type.String({ description: 'UP, DEGRADED or DOWN' }),
  size: Type.Integer({ description: "verified entries of the peer's feed held here" }),
  pinned: Type.String({ description: 'the genesis key given at pairing' }),
  currentKey: Type.String({ description: "the peer's current key as verified here" }),
  keys: Type.Array(KeyView, { description: "the peer's key history as verified here" }),
  repins: Type.Array(RepinView),
});

const RotateBody = Type.Object(
  {
    emergency: Type.Optional(
      Type.Boolean({
        description:
          'the current key is compromised: the rotation is signed by the new key, and peers accept it only after re-pinning it',
      }),
    ),
  },
  { additionalProperties: false },
);

const RepinBody = Type.Object(
  {
    key: Type.String({ description: "the peer's new public key (base64url)" }),
    safetyNumber: Type.String({
      description: "the new key's safety number, read with the peer over another channel",
    }),
  },
  { additionalProperties: false },
);

const Name = Type.Object({ name: Type.String() });

/**
 * Identity keys: this station's rotation (normal, or emergency after a compromise), the peers'
 * verified key histories, and the re-pin of a peer's key after its emergency rotation.
 */
export async function keyRoutes(
  app: FastifyInstance,
  deps: { station: StationHandle; links: LinkManager },
): Promise<void> {
  const { station, links } = deps;

  app.get(
    '/api/v1/peers',
    {
      config: { permission: 'read' },
      schema: {
        description:
          'Paired peers with their key history as verified here (when each key started) and the re-pins recorded for them.',
        tags: ['keys'],
        ...secured,
        response: { 200: Type.Object({ peers: Type.Array(PeerKeys) }), '4xx': ErrorBody },
      },
    },
    async () => {
      const status = links.status();
      const peers = [];
      for (const p of await station.store.peers()) {
        const k = await peerKeys(station.store, station.station, p);
        const s = status.find((x) => x.station === p.station);
        peers.push({
          name: p.name,
          station: p.station,
          urls: p.urls,
          state: s?.state ?? 'DOWN',
          size: s?.size ?? (await station.store.head(p.station))?.seq ?? 0,
          pinned: k.pinned,
          currentKey: k.keys[k.keys.length - 1]?.key ?? k.pinned,
          keys: k.keys,
          repins: k.repins,
        });
      }
      return { peers };
    },
  );

  app.post<{ Body: Static<typeof RotateBody> }>(
    '/api/v1/station/rotate-key',
    {
      config: { permission: 'keys' },
      schema: {
        description:
          "Rotates this station's identity key while it runs. Peers follow the rotation over the link; an emergency rotation needs their re-pin.",
        tags: ['keys'],
        ...secured,
        body: RotateBody,
        response: {
          201: Type.Object({
            station: Type.String(),
            previous: Type.String(),
            key: Type.String(),
            safety: Type.String(),
            seq: Type.Integer({ description: 'seq of the key-rotation entry' }),
            emergency: Type.Boolean(),
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const previous = station.writer.publicKey;
      const emergency = req.body.emergency === true;
      const key = await station.rotateKey({ emergency });
      const seq = station.writer.keyHistory.find((p) => p.key === key)!.from - 1;
      return reply.status(201).send({
        station: station.station,
        previous,
        key,
        safety: safetyNumber(key),
        seq,
        emergency,
      });
    },
  );

  app.post<{ Params: Static<typeof Name>; Body: Static<typeof RepinBody> }>(
    '/api/v1/peers/:name/repin',
    {
      config: { permission: 'keys' },
      schema: {
        description:
          "Re-pins a peer's new key after its emergency rotation: the safety number must be the key's; records a key-repin entry.",
        tags: ['keys'],
        ...secured,
        params: Name,
        body: RepinBody,
        response: {
          201: Type.Object({
            station: Type.String(),
            key: Type.String(),
            safety: Type.String(),
            entry: Type.Object({
              station: Type.String(),
              seq: Type.Integer(),
              hash: Type.String(),
            }),
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const r = await station.repinPeer({
        name: req.params.name,
        key: req.body.key,
        safety: req.body.safetyNumber,
        by: actorOf(req).name,
      });
      await links.link(r.station)?.refreshRepins();
      return reply.status(201).send({
        station: r.station,
        key: r.key as PublicKeyB64,
        safety: r.safety,
        entry: { station: station.station, seq: r.entry.entry.seq, hash: r.entry.hash },
      });
    },
  );
}
