import type { Command } from 'commander';
import { parseMessageDraft, PRECEDENCES } from '@parley/core';
import { KIND } from '@parley/ledger';
import { print } from '../output.js';
import { DATA_OPTION, withStation } from './station.js';

export function registerPostCommand(program: Command): void {
  program
    .command('post')
    .description('append a signed message entry to the station feed; prints its seq and hash')
    .option(...DATA_OPTION)
    .requiredOption('--channel <name>', 'channel name: 1–64 of [a-z0-9._-]')
    .requiredOption('--precedence <p>', `one of ${PRECEDENCES.join(', ')}`)
    .requiredOption('--text <text>', 'message text (at most 8000 characters)')
    .option('--json', 'print {"seq","hash"} as JSON')
    .action(
      async (opts: {
        data: string;
        channel: string;
        precedence: string;
        text: string;
        json?: boolean;
      }) => {
        // Validate before opening anything: bad input writes nothing.
        const draft = parseMessageDraft(opts);
        await withStation(opts.data, async (s) => {
          const sealed = await s.writer.append({
            kind: KIND.message,
            channel: draft.channel,
            body: { precedence: draft.precedence, text: draft.text },
          });
          if (opts.json) print(JSON.stringify({ seq: sealed.entry.seq, hash: sealed.hash }));
          else print(`seq ${sealed.entry.seq} hash ${sealed.hash}`);
        });
      },
    );
}
