// The published link vectors (docs/test-vectors/link-v1.json) checked two ways: this code
// reproduces the file, and — independently of our link code — the signing text is rebuilt from
// the PROTOCOL.md §7 template and signed and verified with raw node:crypto Ed25519, so a mistake
// made the same way in signing and in verifying cannot pass.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeLinkVectors } from './link-vectors.js';

const published = JSON.parse(
  readFileSync(new URL('../../../docs/test-vectors/link-v1.json', import.meta.url), 'utf8'),
);

const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
// RFC 8410: PKCS#8 of a raw Ed25519 seed is a fixed 16-byte prefix and the seed.
const privateFromSeed = (seedHex: string) =>
  createPrivateKey({
    key: Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      Buffer.from(seedHex, 'hex'),
    ]),
    format: 'der',
    type: 'pkcs8',
  });
const publicFromB64url = (x: string) =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });

describe('published link vectors (docs/test-vectors/link-v1.json)', () => {
  it('the code reproduces the published file exactly', () => {
    expect(makeLinkVectors()).toEqual(published);
  });

  it('keys come from their seeds, and station ids from the keys (§1), by node:crypto alone', () => {
    for (const k of Object.values(published.keys) as {
      seed_label: string;
      seed: string;
      public: string;
      station: string;
    }[]) {
      expect(sha256hex(k.seed_label)).toBe(k.seed);
      const jwk = createPublicKey(privateFromSeed(k.seed)).export({ format: 'jwk' });
      expect(jwk.x).toBe(k.public);
      const id = createHash('sha256')
        .update('parley-station-id/v1\0')
        .update(Buffer.from(k.public, 'base64url'))
        .digest('hex')
        .slice(0, 24);
      expect(`stn_${id}`).toBe(k.station);
    }
  });

  it('the request signing text follows the §7 template and verifies under the requester key', () => {
    const r = published.request;
    const h = r.headers;
    expect(sha256hex(r.body)).toBe(r.body_sha256);
    expect(Buffer.from(h['Parley-Nonce'], 'base64url')).toHaveLength(16);
    expect(h['Parley-Nonce']).toBe(
      createHash('sha256')
        .update('parley link vector nonce')
        .digest()
        .subarray(0, 16)
        .toString('base64url'),
    );
    const text = `parley-request/v2\n${r.method}\n${r.path}\n${h['Parley-Station']}\n${r.target}\n${h['Parley-Date']}\n${h['Parley-Nonce']}\n${h['Parley-Known']}\n${sha256hex(r.body)}\n`;
    expect(text).toBe(r.signing_text);
    const pub = publicFromB64url(published.keys.requester.public);
    expect(
      verify(null, Buffer.from(text), pub, Buffer.from(h['Parley-Signature'], 'base64url')),
    ).toBe(true);
    // Ed25519 is deterministic: signing the same text with the seed gives the same signature.
    const again = sign(null, Buffer.from(text), privateFromSeed(published.keys.requester.seed));
    expect(again.toString('base64url')).toBe(h['Parley-Signature']);
    // Any other byte fails: the path, the target, the body hash.
    for (const bad of [
      text.replace('/link/v1/pull', '/link/v1/pulL'),
      text.replace(r.target, published.keys.requester.station),
      text.replace(sha256hex(r.body), sha256hex(r.body + ' ')),
    ])
      expect(
        verify(null, Buffer.from(bad), pub, Buffer.from(h['Parley-Signature'], 'base64url')),
      ).toBe(false);
  });

  it('the response signing text follows the §7 template, binds the request nonce, and verifies under the responder key', () => {
    const r = published.response;
    const h = r.headers;
    expect(sha256hex(r.body)).toBe(r.body_sha256);
    const text = `parley-response/v2\n${r.status}\n${h['Parley-Station']}\n${h['Parley-Date']}\n${published.request.headers['Parley-Nonce']}\n${h['Parley-Known']}\n${sha256hex(r.body)}\n`;
    expect(text).toBe(r.signing_text);
    const pub = publicFromB64url(published.keys.responder.public);
    expect(
      verify(null, Buffer.from(text), pub, Buffer.from(h['Parley-Signature'], 'base64url')),
    ).toBe(true);
    const again = sign(null, Buffer.from(text), privateFromSeed(published.keys.responder.seed));
    expect(again.toString('base64url')).toBe(h['Parley-Signature']);
    expect(
      verify(
        null,
        Buffer.from(text.replace('\n200\n', '\n401\n')),
        pub,
        Buffer.from(h['Parley-Signature'], 'base64url'),
      ),
    ).toBe(false);
  });
});
