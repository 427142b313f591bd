import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { parseMessageDraft, PRECEDENCES } from '@parley/core';
import { HotlineService, LiveBus } from '@parley/station';
import type { Actor } from '@parley/station';
import { systemClock } from '@parley/store';
import { print } from '../output.js';
import { DATA_OPTION, withStation } from './station.js';

export function registerPostCommand(program: Command): void {
  program
    .command('post')
    .description(
      'sign a message into the station feed (the same checks as the API: channel open, not suspended, two-person rule); prints its seq and hash',
    )
    .option(...DATA_OPTION)
    .requiredOption('--channel <name>', 'channel name: 1–64 of [a-z0-9._-]')
    .requiredOption('--precedence <p>', `one of ${PRECEDENCES.join(', ')}`)
    .requiredOption('--text <text>', 'message text (at most 8000 characters)')
    .option('--json', 'print {"seq","hash"} (or {"draft"}) as JSON')
    .action(
      async (opts: {
        data: string;
        channel: string;
        precedence: string;
        text: string;
        json?: boolean;
      }) => {
        // Validate before opening anything: bad input writes nothing.
        const input = parseMessageDraft(opts);
        await withStation(opts.data, async (s) => {
          // Whoever can run this holds the station directory: an administrator.
          const actor: Actor = {
            name: `cli:${userInfo().username}`,
            role: 'admin',
            via: 'token',
            channels: '*',
          };
          const r = await new HotlineService(s, undefined, systemClock, new LiveBus()).send(
            actor,
            input,
          );
          if ('draft' in r) {
            if (opts.json) print(JSON.stringify({ draft: r.draft.id }));
            else
              print(
                `draft ${r.draft.id} awaits a second person's approval (two-person rule on this channel's tier)`,
              );
          } else if (opts.json) print(JSON.stringify({ seq: r.entry.seq, hash: r.entry.hash }));
          else print(`seq ${r.entry.seq} hash ${r.entry.hash}`);
        });
      },
    );
}
