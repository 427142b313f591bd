import { Command } from 'commander';
import { registerAisCommands } from './commands/ais.js';
import { registerBundleCommands } from './commands/bundle.js';
import { registerGeoCommands } from './commands/geo.js';
import { registerNoteCommands } from './commands/note.js';
import { registerPostCommand } from './commands/post.js';
import { registerServerCommands } from './commands/server.js';
import { registerStationCommands } from './commands/station.js';
import { registerUserCommands } from './commands/user.js';
import { registerAccessCommands, registerAuditCommands } from './commands/access.js';
import { registerTrackCommands } from './commands/tracks.js';

/** Builds the `parley` command line. */
export function buildProgram(): Command {
  const program = new Command('parley')
    .description(
      'Parley: a deconfliction hotline station. Every entry is signed and Merkle-logged.',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
  registerStationCommands(program);
  registerPostCommand(program);
  registerBundleCommands(program);
  registerNoteCommands(program);
  registerServerCommands(program);
  registerUserCommands(program);
  registerAccessCommands(program);
  registerAuditCommands(program);
  registerAisCommands(program);
  registerGeoCommands(program);
  registerTrackCommands(program);
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const cmd of all(program)) cmd.exitOverride();
  return program;
}
