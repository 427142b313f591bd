import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { parsePublicKey } from '@parley/ledger';
import type { VerifyResult } from '@parley/ledger';
import { countBundleEntries, exportBundle, verifyBundleDir } from '@parley/store';
import { Exit, EXIT, print } from '../output.js';
import { DATA_OPTION, withStation } from './station.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The one-line verdict of `parley verify`. */
export function describeResult(result: VerifyResult): string {
  if (!result.ok) {
    const f = result.failure;
    const where = [
      f.station && `station ${f.station}`,
      f.seq !== undefined && `seq ${f.seq}`,
      `${f.file}${f.line ? ` line ${f.line}` : ''}`,
    ]
      .filter(Boolean)
      .join(', ');
    return `FAILED at ${where}: ${f.code}: ${f.message}`;
  }
  const feeds = result.feeds
    .map(
      (f) =>
        `${f.station} "${f.name}" size ${f.size} root ${f.root.slice(0, 16)}… keys ${f.keys}${f.witnessedSize ? ` witnessed to ${f.witnessedSize}` : ''}${f.uncovered ? ` (${f.uncovered} after last checkpoint)` : ''}`,
    )
    .join('; ');
  const trust = result.pinned
    ? 'keys pinned'
    : 'keys NOT pinned (pass --key to check whose feed this is)';
  const ok = `OK: ${result.feeds.length} feed(s), ${result.entries} entries, ${result.checkpoints} checkpoints verified, ${trust}: ${feeds}`;
  if (result.violationCount === 0) return ok;
  // The log is intact; entries whose body fails its schema are protocol violations by their station.
  const lines = result.violations.map(
    (v) =>
      `VIOLATION ${v.code} at station ${v.station}${v.audience ? `/${v.audience}` : ''}, seq ${v.seq}, ${v.file} line ${v.line}: ${v.message}`,
  );
  const more = result.violationCount - result.violations.length;
  return [
    `${ok}; ${result.violationCount} protocol violation(s)`,
    ...lines,
    ...(more > 0 ? [`… and ${more} more`] : []),
  ].join('\n');
}

export function registerBundleCommands(program: Command): void {
  program
    .command('export')
    .description(
      'sign a fresh checkpoint and write every feed the station holds as a bundle directory',
    )
    .option(...DATA_OPTION)
    .requiredOption('--out <dir>', 'bundle directory to create (must not exist, or be empty)')
    .option(
      '--audience <id>',
      "only that audience's feeds (aud_…): a bundle for one relationship, holding nothing of any other",
    )
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { data: string; out: string; audience?: string; json?: boolean }) => {
      await withStation(opts.data, async (s) => {
        // Every commit signs a checkpoint over its feed's head; the identity feed gets a fresh one.
        await s.writer.checkpoint();
        const summary = await exportBundle(
          s.store,
          opts.out,
          opts.audience !== undefined ? { audience: opts.audience } : {},
        );
        if (opts.json) print(JSON.stringify(summary));
        else {
          for (const f of summary.feeds)
            print(`exported ${f.station}: ${f.size} entries, ${f.checkpoints} checkpoints`);
          print(`bundle written to ${summary.dir}`);
        }
      });
    });

  program
    .command('verify')
    .description(
      'verify a bundle offline: signatures, hash chain, seq continuity, checkpoints, consistency, key chain',
    )
    .argument('<bundle>', 'bundle directory written by `parley export`')
    .option(
      '--key <pubkey>',
      'a trusted station public key (repeat for each station); every feed must be signed by one',
      collect,
      [],
    )
    .option('--json', 'print the result as JSON')
    .action(async (bundle: string, opts: { key: string[]; json?: boolean }) => {
      const trustedKeys = opts.key.map((k) => parsePublicKey(k));
      let bar: SingleBar | undefined;
      if (process.stderr.isTTY && !opts.json) {
        bar = new SingleBar({
          stream: process.stderr,
          format: 'verifying [{bar}] {percentage}% {value}/{total} entries',
          hideCursor: true,
        });
        // Deliberate: the count only sizes the progress bar; verification reports any read error.
        bar.start(await countBundleEntries(bundle).catch(() => 0), 0);
      }
      const result = await verifyBundleDir(bundle, {
        trustedKeys,
        onProgress: (n) => bar?.update(n),
        progressEvery: 2000,
      });
      bar?.stop();
      print(opts.json ? JSON.stringify(result) : describeResult(result));
      if (!result.ok) throw new Exit(EXIT.verifyFailed);
    });
}
