import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { isParleyError, ParleyError } from '@parley/core';
import { MAX_NOTE_BYTES, openCheckpointNote, parseVkey } from '@parley/ledger';
import { Exit, EXIT, print } from '../output.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `parley verify-note`: checks a checkpoint as a C2SP signed note (docs/PROTOCOL.md §4.1) under
 * the log's vkey(s), and the cosignature of every witness given (§4.2), offline.
 */
export function registerNoteCommands(program: Command): void {
  program
    .command('verify-note')
    .description(
      "verify a checkpoint note offline: the feed's signature (--key vkey) and each witness's cosignature (--witness vkey)",
    )
    .argument('<file>', 'the signed note, with any cosignature lines appended (- for stdin)')
    .requiredOption(
      '--key <vkey>',
      "the feed's verifier key, <origin>+<key ID>+<key> (repeat for several)",
      collect,
      [],
    )
    .option(
      '--witness <vkey>',
      'a witness whose cosignature is required, <name>+<key ID>+<key> (type 0x04; repeat)',
      collect,
      [],
    )
    .option('--origin <origin>', 'the origin the checkpoint must have')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        opts: { key: string[]; witness: string[]; origin?: string; json?: boolean },
      ) => {
        const logKeys = opts.key.map(parseVkey);
        const witnesses = opts.witness.map(parseVkey);
        const bytes = file === '-' ? await readStdin() : await readFile(file);
        try {
          const r = openCheckpointNote(bytes, {
            logKeys,
            witnesses,
            ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
          });
          const cosigned = r.cosigned.map((c) => ({
            witness: c.key.name,
            time: new Date(Number(c.time) * 1000).toISOString(),
          }));
          const { origin, size, root } = r.checkpoint;
          if (opts.json) print(JSON.stringify({ ok: true, origin, size, root, cosigned }));
          else
            print(
              `OK: ${origin} size ${size} root ${root}${cosigned
                .map((c) => `; cosigned by ${c.witness} at ${c.time}`)
                .join('')}`,
            );
        } catch (err) {
          if (!isParleyError(err)) throw err;
          print(
            opts.json
              ? JSON.stringify({ ok: false, code: err.code, message: err.message })
              : `FAILED: ${err.code}: ${err.message}`,
          );
          throw new Exit(EXIT.verifyFailed);
        }
      },
    );
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_NOTE_BYTES + 1)
      throw new ParleyError(
        'PARLEY_E_NOTE_TOO_LARGE',
        `note on stdin is over ${MAX_NOTE_BYTES} bytes`,
        {},
      );
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
