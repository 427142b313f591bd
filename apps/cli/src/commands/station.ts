import type { Command } from 'commander';
import { safetyNumber } from '@parley/ledger';
import { initStation, readStationConfig, StationHandle } from '@parley/store';
import { print } from '../output.js';

export const DATA_OPTION = ['--data <dir>', 'station data directory', './data'] as const;

/** Opens the station in `dir`, runs `fn`, and always closes it. */
export async function withStation<T>(
  dir: string,
  fn: (s: StationHandle) => Promise<T>,
): Promise<T> {
  const station = await StationHandle.open(dir);
  try {
    return await fn(station);
  } finally {
    await station.close();
  }
}

export function registerStationCommands(program: Command): void {
  program
    .command('init')
    .description(
      'create a station: Ed25519 identity key (0600 file), station id, store (SQLite, or PostgreSQL with --store) and genesis entry',
    )
    .option(...DATA_OPTION)
    .requiredOption(
      '--name <name>',
      'station name, 1–64 printable characters (e.g. "US INDOPACOM JOC")',
    )
    .option(
      '--store <url>',
      'keep the store in this empty PostgreSQL database (postgres://user@host:port/db) instead of SQLite in the data directory; the key stays in the data directory',
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: { data: string; name: string; store?: string; json?: boolean }) => {
      const { config, publicKey } = await initStation(opts.data, opts.name, {
        ...(opts.store !== undefined ? { storeUrl: opts.store } : {}),
      });
      if (opts.json)
        print(
          JSON.stringify({
            station: config.station,
            name: config.name,
            key: publicKey,
            data: opts.data,
          }),
        );
      else {
        print(`created station ${config.station} "${config.name}" in ${opts.data}`);
        print(`public key   ${publicKey}`);
        print(`safety number ${safetyNumber(publicKey)}`);
      }
    });

  program
    .command('key')
    .description("print the station's current public key (base64url) on one line")
    .option(...DATA_OPTION)
    .option('--genesis', 'print the genesis key instead: the key a peer pins with `peer add --key`')
    .action(async (opts: { data: string; genesis?: boolean }) => {
      await withStation(opts.data, async (s) =>
        print(opts.genesis ? s.writer.keyAfter(0) : s.writer.publicKey),
      );
    });

  program
    .command('fingerprint')
    .description(
      "print the station key's safety number (12 groups of 5 digits) to read aloud over another channel",
    )
    .option(...DATA_OPTION)
    .option(
      '--key <pubkey>',
      'print the safety number of this public key instead (e.g. a peer key to compare)',
    )
    .option('--genesis', "print the genesis key's safety number (the one a peer pins)")
    .action(async (opts: { data: string; key?: string; genesis?: boolean }) => {
      if (opts.key) {
        const { parsePublicKey } = await import('@parley/ledger');
        print(safetyNumber(parsePublicKey(opts.key)));
        return;
      }
      await withStation(opts.data, async (s) =>
        print(safetyNumber((opts.genesis ? s.writer.keyAfter(0) : s.writer.publicKey) as never)),
      );
    });

  program
    .command('rotate-key')
    .description(
      'rotate the identity key: a key-rotation entry signed by the current key introduces a new one (works while the station runs; peers follow over the link)',
    )
    .option(...DATA_OPTION)
    .option(
      '--emergency',
      'the current key is compromised: the rotation is signed by the new key, and each peer accepts it only after `parley peer repin` with the new safety number',
    )
    .action(async (opts: { data: string; emergency?: boolean }) => {
      await withStation(opts.data, async (s) => {
        const old = s.writer.publicKey;
        const next = await s.rotateKey({ emergency: opts.emergency === true });
        await s.writer.checkpoint();
        print(
          `rotated ${s.station} from ${old} to ${next} at seq ${s.writer.size}${opts.emergency ? ' (emergency)' : ''}`,
        );
        print(`safety number ${safetyNumber(next)}`);
        if (opts.emergency)
          print(
            'read this safety number to each peer over another channel: they run `parley peer repin NAME --key KEY --safety-number "…"`',
          );
      });
    });

  program
    .command('status')
    .description(
      'print the station id, name, identity feed size, latest checkpoint, audience feeds, store engine and (PostgreSQL) the leading process',
    )
    .option(...DATA_OPTION)
    .action(async (opts: { data: string }) => {
      await readStationConfig(opts.data);
      await withStation(opts.data, async (s) => {
        const cp = await s.store.latestCheckpoint(s.station);
        // On PostgreSQL: which process of the station leads (host/pid/…) and its fencing token.
        const lease = s.store.engine === 'postgres' ? await s.store.lease('station.leader') : null;
        print(
          JSON.stringify({
            station: s.station,
            name: s.config.name,
            key: s.writer.publicKey,
            size: s.writer.size,
            head: s.writer.head,
            checkpoint: cp ? { size: cp.size, root: cp.root, ts: cp.ts } : null,
            // The station's audience feeds (ADR 0003): members, size and head of each.
            audiences: (await s.audienceWriters()).map((w) => ({
              audience: w.audience,
              members: s.members(w.audience!),
              size: w.size,
              head: w.head,
            })),
            store: s.store.engine,
            ...(s.store.engine === 'postgres'
              ? {
                  leader: lease
                    ? { holder: lease.holder, token: lease.token, expires: lease.expires }
                    : null,
                }
              : {}),
          }),
        );
      });
    });
}
