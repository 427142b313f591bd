import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

/**
 * A self-signed TLS certificate for a station. Peers pin it (by chain and by SHA-256
 * fingerprint) when they pair, exactly as they pin the station's Ed25519 key; no CA is involved.
 */
export async function generateTlsIdentity(
  commonName: string,
  days = 3650,
): Promise<{ cert: string; key: string; fingerprint: string }> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + days * 86_400_000),
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return {
    cert: pems.cert,
    key: pems.private,
    fingerprint: new X509Certificate(pems.cert).fingerprint256,
  };
}
