// Signed link requests and responses, v2 (PROTOCOL §7): Parley-Known in the signed text, and
// a response signed by a superseded key refused once the requester has verified the rotation.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signerFromSeed, stationIdFromKey } from '@parley/ledger';
import type { PublicKeyB64, StationId } from '@parley/core';
import {
  H,
  NonceCache,
  signRequest,
  signResponse,
  verifyRequest,
  verifyResponse,
} from '@parley/link';

const signer = (label: string) => signerFromSeed(createHash('sha256').update(label).digest());
const aOld = signer('alpha old');
const aNew = signer('alpha new');
const b = signer('bravo');
const A = stationIdFromKey(aOld.publicKey);
const B = stationIdFromKey(b.publicKey);
const body = Buffer.from('{"ts":1,"head":1}');

function request(by = aOld, known = 3) {
  return signRequest(by, {
    method: 'POST',
    path: '/link/v1/heartbeat',
    from: A,
    target: B,
    known,
    body,
    now: Date.now(),
  });
}

function check(headers: Record<string, string>, keys: PublicKeyB64[], selfSize = 10) {
  return verifyRequest({
    headers,
    method: 'POST',
    path: '/link/v1/heartbeat',
    body,
    self: B,
    now: Date.now(),
    keysOf: (s) => (s === A ? keys : undefined),
    nonces: new NonceCache(),
    selfSize,
  });
}

describe('request signing v2', () => {
  it('carries Parley-Known, signed: tampering with it breaks the signature', () => {
    const h = request(aOld, 3);
    expect(h[H.known]).toBe('3');
    expect(check(h, [aOld.publicKey])).toEqual({ station: A, known: 3 });
    expect(() => check({ ...h, [H.known]: '4' }, [aOld.publicKey])).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_LINK_AUTH_SIGNATURE' }),
    );
  });

  it('refuses a missing, malformed or too large Parley-Known', () => {
    const { [H.known]: _k, ...missing } = request();
    expect(() => check(missing, [aOld.publicKey])).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_LINK_AUTH_MISSING' }),
    );
    expect(() => check({ ...request(), [H.known]: '-1' }, [aOld.publicKey])).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_LINK_MALFORMED' }),
    );
    expect(() => check(request(aOld, 11), [aOld.publicKey], 10)).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_LINK_MALFORMED' }),
    );
  });

  it('once the rotation is verified, a request under the superseded key is refused', () => {
    expect(() => check(request(aOld), [aNew.publicKey])).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_LINK_AUTH_SIGNATURE' }),
    );
    expect(check(request(aNew), [aNew.publicKey]).station).toBe(A);
  });

  it('a response carries the responder Parley-Known; one signed by a superseded key is refused', () => {
    const nonce = 'AAAAAAAAAAAAAAAAAAAAAA';
    const res = (by = aOld) =>
      signResponse(by, {
        status: 200,
        from: A as StationId,
        requestNonce: nonce,
        known: 7,
        body,
        now: Date.now(),
      });
    const args = (headers: Record<string, string>, keys: PublicKeyB64[]) => ({
      headers,
      status: 200,
      peer: A as StationId,
      keys,
      requestNonce: nonce,
      body,
    });
    expect(verifyResponse(args(res(aNew), [aNew.publicKey]))).toEqual({ known: 7 });
    expect(() => verifyResponse(args(res(aOld), [aNew.publicKey]))).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_LINK_AUTH_SIGNATURE' }),
    );
    expect(() => verifyResponse(args({ ...res(aNew), [H.known]: '8' }, [aNew.publicKey]))).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_LINK_AUTH_SIGNATURE' }),
    );
  });
});
