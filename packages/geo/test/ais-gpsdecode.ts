/**
 * The live gpsd reference: runs Debian's `gpsdecode` (package `gpsd-clients`, installed by
 * .ci/run) and builds NMEA sentences for it from raw message bits, so that tests can hold our
 * decoder to gpsd on payloads that the fixture logs do not contain.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { sentence } from './ais-fixtures.js';

/** `gpsdecode` on PATH, or a thrown error naming the package (tests fail, never skip). */
export function gpsdecodePath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v gpsdecode'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('gpsdecode not found: apt-get install gpsd-clients (see .ci/run)');
  }
}

/**
 * The stdout of `gpsdecode [-u] -j` on `input` (a latin1 string: the fixture logs are bytes and
 * go in unchanged), read as UTF-8 (gpsd's legends are UTF-8, e.g. an en dash in 1/19's).
 */
export function gpsdecodeText(input: string, scaled: boolean): string {
  const args = scaled ? ['-j'] : ['-u', '-j'];
  return execFileSync(gpsdecodePath(), args, {
    input: Buffer.from(input, 'latin1'),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'], // its complaints about rejected messages
    maxBuffer: 1 << 28,
  });
}

/** `gpsdecode -V`'s version, e.g. "3.22". */
export function gpsdecodeVersion(): string {
  const r = spawnSync(gpsdecodePath(), ['-V'], { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`; // 3.22 prints it on stderr
  return /revision\s+(\S+)/.exec(out)?.[1] ?? out.trim();
}

/** The 6-bit armour of a '0'/'1' string, padded to whole characters: [payload, fill bits]. */
export function armor(bitString: string): [string, number] {
  const fill = (6 - (bitString.length % 6)) % 6;
  const padded = bitString + '0'.repeat(fill);
  let s = '';
  for (let i = 0; i < padded.length; i += 6) {
    const v = parseInt(padded.slice(i, i + 6), 2);
    s += String.fromCharCode(v < 40 ? v + 48 : v + 56);
  }
  return [s, fill];
}

/**
 * The `!AIVDM` sentences of one message (fragments of at most 60 characters), `seq` being the
 * multi-sentence id 0..9.
 */
export function vdmSentences(bitString: string, seq: number): string[] {
  const [payload, fill] = armor(bitString);
  const parts: string[] = [];
  for (let i = 0; i < payload.length || parts.length === 0; i += 60)
    parts.push(payload.slice(i, i + 60));
  const id = parts.length > 1 ? String(seq % 10) : '';
  return parts.map((p, k) =>
    sentence(`AIVDM,${parts.length},${k + 1},${id},A,${p},${k === parts.length - 1 ? fill : 0}`),
  );
}

/** `value` as a `width`-bit two's-complement '0'/'1' string. */
export function bitField(value: number, width: number): string {
  const v = BigInt(value) & ((1n << BigInt(width)) - 1n);
  return v.toString(2).padStart(width, '0');
}
