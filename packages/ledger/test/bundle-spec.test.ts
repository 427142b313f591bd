// PROTOCOL.md §2, §5: genesis only at seq 1, the UTF-8 byte limit, S ≥ L, and what a bundle
// reports of witnessing, references and cosignatures it cannot check.
import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  KIND,
  MAX_ENTRY_BYTES,
  FeedVerifier,
  audienceId,
  parseEntryLine,
  sealEntry,
  verifyBundle,
} from '@parley/ledger';
import type { VerifyOk } from '@parley/ledger';
import { FeedBuilder, bundleOf, inputOf, seedSigner } from './bundle-builder.js';

const alphaKey = seedSigner('bundle spec alpha');
const bravoKey = seedSigner('bundle spec bravo');
const charlieKey = seedSigner('bundle spec charlie');
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('entries', () => {
  it('a genesis anywhere but seq 1 is refused (PARLEY_E_GENESIS), even validly signed', () => {
    const a = new FeedBuilder('Alpha', alphaKey);
    const v = new FeedVerifier(a.station);
    v.push(a.entries[0]!.entry);
    const again = sealEntry(
      a.next(KIND.genesis, { name: 'Alpha', key: alphaKey.publicKey }),
      alphaKey,
    );
    expect(code(() => v.push(again.entry))).toBe('PARLEY_E_GENESIS');
  });

  it('the line limit counts UTF-8 bytes: 65,536 bytes pass the size check, 65,537 do not', () => {
    const a = new FeedBuilder('Alpha', alphaKey);
    const line = a.entries[0]!.line;
    const pad = (n: number) => line.replace('"name":"Alpha"', `"name":"${'x'.repeat(n)}Alpha"`);
    const exact = pad(MAX_ENTRY_BYTES - Buffer.byteLength(line));
    expect(Buffer.byteLength(exact)).toBe(MAX_ENTRY_BYTES);
    expect(code(() => parseEntryLine(exact))).toBe('ok');
    expect(code(() => parseEntryLine(pad(MAX_ENTRY_BYTES - Buffer.byteLength(line) + 1)))).toBe(
      'PARLEY_E_ENTRY_TOO_LARGE',
    );
    // 21,846 × "€" is 21,846 UTF-16 units but 65,538 bytes
    const euro = line.replace('"name":"Alpha"', `"name":"${'€'.repeat(21_846)}"`);
    expect(euro.length).toBeLessThan(MAX_ENTRY_BYTES);
    expect(code(() => parseEntryLine(euro))).toBe('PARLEY_E_ENTRY_TOO_LARGE');
  });

  it('seq 1e0 and 2^53 + 1 in a body are refused (PARLEY_E_JSON_NUMBER)', () => {
    const a = new FeedBuilder('Alpha', alphaKey);
    expect(code(() => parseEntryLine(a.entries[0]!.line.replace('"seq":1', '"seq":1e0')))).toBe(
      'PARLEY_E_JSON_NUMBER',
    );
    const m = a.message('n', { n: 9007199254740992 });
    expect(code(() => parseEntryLine(m.line.replace('9007199254740992', '9007199254740993')))).toBe(
      'PARLEY_E_JSON_NUMBER',
    );
    expect(code(() => parseEntryLine(m.line))).toBe('ok');
  });

  it('a signature with S + L (same scalar mod L) is refused by node:crypto and by the feed', () => {
    const a = new FeedBuilder('Alpha', alphaKey);
    const e = a.entries[0]!;
    const sig = Buffer.from(e.entry.sig, 'base64url');
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`);
    const sPlusL = Buffer.from((s + L).toString(16).padStart(64, '0'), 'hex').reverse();
    const malleated = Buffer.concat([sig.subarray(0, 32), sPlusL]);
    const { sig: _s, ...unsigned } = e.entry;
    void unsigned;
    const pub = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: alphaKey.publicKey },
      format: 'jwk',
    });
    const bytes = Buffer.from(e.line.replace(`,"sig":"${e.entry.sig}"`, ''));
    expect(verify(null, bytes, pub, sig)).toBe(true);
    expect(verify(null, bytes, pub, malleated)).toBe(false);
    const v = new FeedVerifier(a.station);
    expect(code(() => v.push({ ...e.entry, sig: malleated.toString('base64url') }))).toBe(
      'PARLEY_E_ENTRY_SIGNATURE',
    );
  });
});

describe('bundles: witnessing, references, what cannot be checked', () => {
  const members = (...fs: FeedBuilder[]) => fs.map((f) => f.station).sort();
  const probeA = new FeedBuilder('Alpha', alphaKey);
  const probeB = new FeedBuilder('Bravo', bravoKey);
  const probeC = new FeedBuilder('Charlie', charlieKey);
  const ab = members(probeA, probeB);
  const aud = audienceId(ab);

  it('says per feed how much is witnessed by a cosignature and how much is not', async () => {
    const a = new FeedBuilder('Alpha', alphaKey, aud, ab);
    a.message('one');
    const cp2 = a.checkpoint();
    a.message('three');
    a.checkpoint();
    const b = new FeedBuilder('Bravo', bravoKey, aud, ab);
    b.add(KIND.receipt, {
      level: 'delivered',
      station: a.station,
      upTo: 2,
      hash: a.entries[1]!.hash,
    });
    b.add(KIND.cosignature, { ...cp2 });
    b.checkpoint();
    const res = (await verifyBundle(inputOf(bundleOf([a, b], a)))) as VerifyOk;
    expect(res.ok, JSON.stringify(res)).toBe(true);
    expect(res.exporter.station).toBe(a.station);
    const fa = res.feeds.find((f) => f.station === a.station)!;
    expect(fa).toMatchObject({ size: 3, witnessedSize: 2, witnesses: [b.station], unwitnessed: 1 });
    const fb = res.feeds.find((f) => f.station === b.station)!;
    expect(fb).toMatchObject({ witnessedSize: 0, witnesses: [], unwitnessed: 3 });
    expect(res.unresolved).toEqual([]);
  });

  it("reports a peer's cosignature and references over a feed the bundle lacks, and refuses the exporter's", async () => {
    const abc = members(probeA, probeB, probeC);
    const aud3 = audienceId(abc);
    const c = new FeedBuilder('Charlie', charlieKey, aud3, abc);
    const ccp = c.checkpoint();
    const b = new FeedBuilder('Bravo', bravoKey, aud3, abc);
    b.add(KIND.receipt, {
      level: 'delivered',
      station: c.station,
      upTo: 1,
      hash: c.entries[0]!.hash,
    });
    b.add(KIND.cosignature, { ...ccp });
    b.checkpoint();
    const a = new FeedBuilder('Alpha', alphaKey, aud3, abc);
    a.checkpoint();
    // Alpha exports its own and Bravo's feeds, not Charlie's: Bravo's claims about it are listed.
    const res = (await verifyBundle(inputOf(bundleOf([a, b], a)))) as VerifyOk;
    expect(res.ok, JSON.stringify(res)).toBe(true);
    expect(res.unresolved.map((u) => [u.station, u.field, u.target, u.reason])).toEqual([
      [b.station, 'cosignature', `${c.station}/${aud3}`, 'feed-absent'],
      [b.station, 'upTo', `${c.station}/${aud3}`, 'feed-absent'],
    ]);
    // Bravo exporting the same is refused: it cosigned a feed it leaves out.
    const byB = await verifyBundle(inputOf(bundleOf([a, b], b)));
    expect(byB).toMatchObject({
      ok: false,
      failure: { code: 'PARLEY_E_BUNDLE_INCOMPLETE', line: 4 },
    });
  });

  it("a reference past the end of the exporter's own feed is refused (its tail was cut)", async () => {
    const a = new FeedBuilder('Alpha', alphaKey, aud, ab);
    a.message('one');
    const full = a.entries.slice();
    const b = new FeedBuilder('Bravo', bravoKey, aud, ab);
    b.add(KIND.receipt, { level: 'delivered', station: a.station, upTo: 2, hash: full[1]!.hash });
    b.checkpoint();
    a.entries.length = 1;
    a.checkpoint();
    const res = await verifyBundle(inputOf(bundleOf([a, b], a)));
    expect(res).toMatchObject({ ok: false, failure: { code: 'PARLEY_E_BUNDLE_INCOMPLETE' } });
    // Exported by Bravo instead, it is only reported.
    const byB = (await verifyBundle(inputOf(bundleOf([a, b], b)))) as VerifyOk;
    expect(byB.ok, JSON.stringify(byB)).toBe(true);
    expect(byB.unresolved).toMatchObject([{ field: 'upTo', targetSeq: 2, reason: 'beyond-feed' }]);
  });

  it('a ref ({station, audience, seq, hash}) to an entry in the bundle must name its hash', async () => {
    const a = new FeedBuilder('Alpha', alphaKey, aud, ab);
    const msg = a.message('one');
    a.checkpoint();
    const b = new FeedBuilder('Bravo', bravoKey, aud, ab);
    const ref = { station: a.station, audience: aud, seq: 2, hash: msg.hash };
    b.add(KIND.receipt, { level: 'read', of: ref, by: 'op' });
    b.add(KIND.receipt, {
      level: 'understood',
      of: { ...ref, hash: a.entries[0]!.hash },
      by: 'op',
    });
    b.checkpoint();
    const res = await verifyBundle(inputOf(bundleOf([a, b], a)));
    expect(res).toMatchObject({
      ok: false,
      failure: { code: 'PARLEY_E_REF_HASH', line: 5, seq: 3 },
    });
  });

  it('the manifest catches a dropped feed, a cut tail and dropped checkpoints', async () => {
    const a = new FeedBuilder('Alpha', alphaKey, aud, ab);
    a.message('one');
    a.checkpoint();
    const b = new FeedBuilder('Bravo', bravoKey, aud, ab);
    b.message('two');
    b.message('three');
    b.checkpoint(2);
    b.checkpoint();
    const whole = bundleOf([a, b], a);
    expect((await verifyBundle(inputOf(whole))).ok).toBe(true);
    const lines = whole.entries.split('\n').slice(0, -1);
    const cps = whole.checkpoints.split('\n').slice(0, -1);
    const cut = {
      ...whole,
      entries: lines.slice(0, 4).join('\n') + '\n',
      checkpoints: cps.slice(0, 2).join('\n') + '\n',
    };
    const noCps = { ...whole, checkpoints: cps[0]! + '\n' };
    for (const b2 of [cut, noCps]) {
      const res = await verifyBundle(inputOf(b2));
      expect(res, JSON.stringify(res)).toMatchObject({
        ok: false,
        failure: { code: 'PARLEY_E_BUNDLE_MANIFEST', file: 'manifest.json' },
      });
    }
  });
});
