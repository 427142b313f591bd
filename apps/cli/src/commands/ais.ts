import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { ParleyError } from '@parley/core';
import { AisDecoder } from '@parley/geo';
import type { AisStats } from '@parley/geo';
import { registerAisIngest } from './tracks.js';

/**
 * A line longer than this is cut to its first MAX_LINE characters before decoding (an NMEA
 * sentence is at most 82 characters; gpsd's packet lexer gives up far sooner). This bounds the
 * memory a hostile input without newlines can take: one read chunk plus MAX_LINE.
 */
export const MAX_LINE = 64 * 1024;

/** The counters printed at the end, in this order: the drop reasons first. */
const BAD = ['checksum', 'armor', 'length', 'orphan', 'malformed', 'type', 'unpaired'] as const;

/** The one-line end-of-run summary (text): totals, then each drop reason as `reason=count`. */
export function describeAisStats(s: Readonly<AisStats>): string {
  const bad = BAD.map((k) => `${k}=${s[k]}`).join(' ');
  const dropped = BAD.reduce((n, k) => n + s[k], 0);
  return (
    `ais decode: ${s.lines} lines, ${s.sentences} sentences, ${s.decoded} messages; ` +
    `dropped ${dropped}: ${bad}; ignored=${s.ignored} partial=${s.partial} internal=${s.internal}`
  );
}

interface DecodeOptions {
  unscaled?: boolean;
  stats?: boolean;
}

/** Resolves when `out` can take more (or has failed, which the caller checks). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

/**
 * Splits `input` (read as latin1: a log is bytes, not text) into lines and hands each to `take`:
 * split on LF, and on a lone CR as readline does (CRLF is left to the decoder, which tolerates
 * it); a line is cut to MAX_LINE characters. After each chunk `chunkDone` runs with the chunk's
 * length (bytes: latin1 is one byte a character); it resolves true to stop reading.
 */
export async function eachLine(
  input: Readable,
  take: (line: string) => void,
  chunkDone: (bytes: number) => Promise<boolean>,
): Promise<void> {
  const split = (line: string): void => {
    const cr = line.indexOf('\r');
    if (cr < 0 || cr === line.length - 1) take(line);
    else for (const part of line.split('\r')) take(part);
  };
  input.setEncoding('latin1');
  let carry = '';
  for await (const chunk of input as AsyncIterable<string>) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      let line = chunk.slice(start, nl);
      if (carry !== '') {
        line = carry + line;
        carry = '';
      }
      split(line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line);
      start = nl + 1;
    }
    if (start < chunk.length && carry.length < MAX_LINE) {
      carry += chunk.slice(start, start + MAX_LINE - carry.length);
    }
    if (await chunkDone(chunk.length)) return;
  }
  if (carry !== '') split(carry);
  await chunkDone(0);
}

/**
 * Decodes the NMEA lines of `input` and writes one gpsd-shaped JSON message per line to `out`,
 * once per input chunk, waiting for `out` to drain. Returns when the input ends or `out` is
 * closed by its reader (EPIPE: `| head`).
 */
export async function decodeAisStream(
  input: Readable,
  out: Writable,
  decoder: AisDecoder,
): Promise<void> {
  let broken = false;
  const onError = (): void => {
    broken = true;
  };
  out.on('error', onError);
  let buf = '';
  const flush = async (): Promise<boolean> => {
    if (buf !== '' && !broken) {
      const ok = out.write(buf);
      buf = '';
      if (!ok && !broken) await drained(out);
    }
    return broken;
  };
  try {
    await eachLine(
      input,
      (line) => {
        const m = decoder.push(line);
        if (m !== null) buf += JSON.stringify(m) + '\n';
      },
      flush,
    );
  } finally {
    out.off('error', onError);
  }
}

/** Opens `file` for reading, or throws PARLEY_E_INVALID_ARGUMENT (exit 2) naming why not. */
async function openInput(file: string): Promise<Readable> {
  try {
    const handle = await open(file, 'r');
    return handle.createReadStream({ highWaterMark: 64 * 1024 });
  } catch (err) {
    throw unreadable(file, err);
  }
}

function unreadable(name: string, err: unknown): ParleyError {
  const why = err instanceof Error ? err.message : String(err);
  return new ParleyError('PARLEY_E_INVALID_ARGUMENT', `cannot read ${name}: ${why}`, {
    file: name,
  });
}

export function registerAisCommands(program: Command): void {
  const ais = program
    .command('ais')
    .description('AIS (ITU-R M.1371) tools: decode AIVDM/AIVDO sentences as gpsd does');

  ais
    .command('decode')
    .description(
      'decode AIVDM/AIVDO sentences (a file, or standard input) to one JSON object per message ' +
        "with gpsd's field names, as `gpsdecode -j`; bad lines are counted by reason, not fatal " +
        '(exit 0), and a one-line summary always ends the run on standard error; exit 2 if the ' +
        'input cannot be read',
    )
    .argument('[file]', 'NMEA log to read (default: standard input)')
    .option(
      '--unscaled',
      'print raw integers as `gpsdecode -u -j` does (default: scaled units, as `gpsdecode -j`)',
    )
    .option(
      '--stats',
      'print the end-of-run summary as one JSON object of every counter instead of text',
    )
    .addHelpText(
      'after',
      `
The summary on standard error (always printed; --stats makes it JSON), for gpsd's sample.aivdm:
  ais decode: 1121 lines, 118 sentences, 97 messages; dropped 3: checksum=0 armor=0 length=0
  orphan=0 malformed=1 type=0 unpaired=2; ignored=1002 partial=3 internal=0
(one line). Dropped, by reason: checksum = bad NMEA checksum; armor = payload character outside
the 6-bit alphabet; length = wrong bit count for the message type; orphan = fragment of a
multi-sentence message dropped before it completed (out of order, missing its predecessor,
duplicated, superseded or stale; fragments still pending at the end are not counted); malformed = not
a well-formed VDM/VDO sentence; type = undefined message type; unpaired = type 24 part B without
its part A. Not errors: ignored = blank, '#' comment or other NMEA sentence; partial = type 24
part A held for its part B. internal should stay 0.`,
    )
    .action(async (file: string | undefined, opts: DecodeOptions) => {
      const name = file ?? 'standard input';
      const input = file === undefined ? process.stdin : await openInput(file);
      const decoder = new AisDecoder({ scaled: opts.unscaled !== true });
      try {
        await decodeAisStream(input, process.stdout, decoder);
      } catch (err) {
        throw unreadable(name, err);
      } finally {
        if (file !== undefined) input.destroy();
      }
      const s = decoder.stats;
      process.stderr.write((opts.stats ? JSON.stringify(s) : describeAisStats(s)) + '\n');
    });

  registerAisIngest(ais);
}
