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

/**
 * The verdict of `parley verify`: one line, then on success one line per feed saying how much of
 * it is witnessed (covered by another station's cosignature in the bundle) and how much is not,
 * and one line per reference the bundle could not check.
 */
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
  const trust = result.pinned
    ? 'keys pinned'
    : 'keys NOT pinned (pass --key to check whose feed this is)';
  const x = result.exporter;
  const lines = [
    `OK: ${result.feeds.length} feed(s), ${result.entries} entries, ${result.checkpoints} checkpoints verified, ${trust}; exported by ${x.station} at ${new Date(x.ts).toISOString()}${x.audience ? ` (audience ${x.audience} only)` : ''}`,
  ];
  for (const f of result.feeds) {
    const feed = f.audience ? `${f.station}/${f.audience}` : f.station;
    const head = `  ${feed} "${f.name}" size ${f.size} root ${f.root.slice(0, 16)}… keys ${f.keys}, checkpointed to ${f.size - f.uncovered}`;
    let witness: string;
    if (f.audience === null)
      witness = 'identity feed, not cosigned (its rotations are in the audience feeds)';
    else if (f.witnessedSize === 0)
      witness = `NOT witnessed: no cosignature in the bundle covers seq 1..${f.size}`;
    else
      witness = `witnessed 1..${f.witnessedSize} by ${f.witnesses.join(', ')}${f.unwitnessed > 0 ? `; ${f.witnessedSize + 1}..${f.size} NOT witnessed (${f.unwitnessed} entries)` : ''}`;
    lines.push(`${head}; ${witness}`);
  }
  for (const u of result.unresolved) {
    lines.push(
      `  unchecked: ${u.station} seq ${u.seq} (${u.file} line ${u.line}, ${u.field}) names seq ${u.targetSeq} of ${u.target}, ${u.reason === 'feed-absent' ? 'a feed the bundle does not hold' : 'beyond what the bundle holds of it'}`,
    );
  }
  if (result.violationCount > 0) {
    // The log is intact; entries whose body fails its schema are protocol violations by their station.
    lines[0] += `; ${result.violationCount} protocol violation(s)`;
    for (const v of result.violations)
      lines.push(
        `VIOLATION ${v.code} at station ${v.station}${v.audience ? `/${v.audience}` : ''}, seq ${v.seq}, ${v.file} line ${v.line}: ${v.message}`,
      );
    const more = result.violationCount - result.violations.length;
    if (more > 0) lines.push(`… and ${more} more`);
  }
  return lines.join('\n');
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
        const summary = await exportBundle(s.store, opts.out, {
          exporter: s.exporter,
          ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
        });
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
