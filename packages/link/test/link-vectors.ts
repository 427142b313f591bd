// Builds the published link signing vectors (docs/test-vectors/link-v1.json, PROTOCOL.md §7): a
// signed request and its signed response, from fixed seeds, a fixed nonce and fixed dates.
// `scripts/write-test-vectors.ts` writes the file; link-vectors.test.ts checks it against this
// code and, independently, rebuilds the bytes from the spec text and verifies with node:crypto.
import { sha256, signerFromSeed, stationIdFromKey, toBase64Url, toHex, utf8 } from '@parley/ledger';
import { requestBytes, responseBytes } from '@parley/link';

const seedOf = (label: string) => sha256(utf8.encode(label));

export function makeLinkVectors() {
  const reqSeed = seedOf('parley link vector requester');
  const resSeed = seedOf('parley link vector responder');
  const requester = signerFromSeed(reqSeed);
  const responder = signerFromSeed(resSeed);
  const from = stationIdFromKey(requester.publicKey);
  const target = stationIdFromKey(responder.publicKey);
  const nonce = toBase64Url(seedOf('parley link vector nonce').subarray(0, 16));
  const date = Date.UTC(2018, 8, 30, 14, 2, 0);
  const reqBody = '{"feeds":[{"audience":null,"after":3}],"limit":1000,"wait":0}';
  const request = {
    method: 'POST',
    path: '/link/v1/pull',
    from,
    target,
    date,
    nonce,
    known: 3,
    body: utf8.encode(reqBody),
  };
  const reqBytes = requestBytes(request);
  const resBody = `{"station":"${target}","feeds":[]}`;
  const response = {
    status: 200,
    from: target,
    date: date + 250,
    requestNonce: nonce,
    known: 7,
    body: utf8.encode(resBody),
  };
  const resBytes = responseBytes(response);
  return {
    description:
      'Parley link signing vectors v1 (PROTOCOL.md §7). Keys are Ed25519 from 32-byte seeds; seed = SHA-256(UTF-8 label). The nonce is the first 16 bytes of SHA-256("parley link vector nonce"), base64url.',
    keys: {
      requester: {
        seed_label: 'parley link vector requester',
        seed: toHex(reqSeed),
        public: requester.publicKey,
        station: from,
      },
      responder: {
        seed_label: 'parley link vector responder',
        seed: toHex(resSeed),
        public: responder.publicKey,
        station: target,
      },
    },
    request: {
      method: request.method,
      path: request.path,
      body: reqBody,
      body_sha256: toHex(sha256(request.body)),
      headers: {
        'Parley-Station': from,
        'Parley-Date': String(date),
        'Parley-Nonce': nonce,
        'Parley-Known': String(request.known),
        'Parley-Signature': toBase64Url(requester.sign(reqBytes)),
      },
      target,
      signing_text: new TextDecoder().decode(reqBytes),
    },
    response: {
      status: response.status,
      body: resBody,
      body_sha256: toHex(sha256(response.body)),
      headers: {
        'Parley-Station': target,
        'Parley-Date': String(response.date),
        'Parley-Known': String(response.known),
        'Parley-Signature': toBase64Url(responder.sign(resBytes)),
      },
      signing_text: new TextDecoder().decode(resBytes),
    },
  };
}
