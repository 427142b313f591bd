import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ParleyError } from '@parley/core';
import { createUser } from '@parley/station';
import { print } from '../output.js';
import { registerUserAccessCommands } from './access.js';
import { DATA_OPTION, withStation } from './station.js';

/** The first line of a piped stdin (without its line ending). */
async function firstLineOfStdin(): Promise<string> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  try {
    for await (const line of rl) return line;
  } finally {
    rl.close();
  }
  throw new ParleyError('PARLEY_E_BAD_PASSWORD', 'no password on standard input', {});
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  stdin.setRawMode(true); // before the prompt, so nothing typed after it is echoed
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(null);
        if (ch === '\u0003')
          return finish(new ParleyError('PARLEY_E_INVALID_ARGUMENT', 'cancelled', {}));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.setEncoding('utf8');
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** The new operator's password: the first line of stdin when it is not a terminal, else typed twice without echo. */
async function readPassword(name: string): Promise<string> {
  if (!process.stdin.isTTY) return firstLineOfStdin();
  const first = await promptHidden(`password for ${name} (12–256 characters): `);
  const again = await promptHidden('again: ');
  if (first !== again)
    throw new ParleyError('PARLEY_E_BAD_PASSWORD', 'the two passwords differ', {});
  return first;
}

export function registerUserCommands(program: Command): void {
  const user = program
    .command('user')
    .description(
      'operator accounts for the console (sign-in with a password, a role, channels): add, disable, enable, role',
    );
  registerUserAccessCommands(user);
  user
    .command('add')
    .description(
      'create an operator; the password is read from stdin (first line) or prompted twice without echo, and stored only as an scrypt hash',
    )
    .option(...DATA_OPTION)
    .requiredOption('--name <name>', 'operator name: 1–64 of [A-Za-z0-9._@-]')
    .requiredOption('--role <role>', 'viewer, operator, linguist, approver or admin')
    .option(
      '--channels <list>',
      "channels the operator is a member of: comma-separated names, or '*' for all",
      '*',
    )
    .option('--json', 'print the created operator as JSON')
    .action(
      async (opts: {
        data: string;
        name: string;
        role: string;
        channels: string;
        json?: boolean;
      }) => {
        await withStation(opts.data, async (s) => {
          // Checked before asking for a password, so a typo does not cost a prompt.
          if (await s.store.user(opts.name))
            throw new ParleyError(
              'PARLEY_E_USER_EXISTS',
              `an operator named ${opts.name} already exists`,
              { name: opts.name },
            );
          const password = await readPassword(opts.name);
          const created = await createUser(
            s.store,
            { name: opts.name, role: opts.role, channels: opts.channels, password },
            Date.now(),
          );
          if (opts.json) print(JSON.stringify(created));
          else
            print(
              `created operator ${created.name} (${created.role}) on channels ${created.channels === '*' ? '*' : created.channels.join(',')}`,
            );
        });
      },
    );
}
