import { describeError, exitCodeFor } from '../core/errors.js';
import { consoleLogger } from '../core/logger.js';
import { redact } from '../core/git/secrets.js';
import { registerCredentialEnv } from '../core/settings/token.js';
import { withSurface } from '../core/settings/surface.js';
import { EXIT_USAGE, helpText as commandHelp, parseCommandArgs, surfaceOf, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';

export const VERSION = '0.1.0';

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `ferry ${VERSION}: repository sync for open-core projects`,
    '',
    'Usage: ferry <command> [options]   (ferry <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 the check or sync failed, 2 usage or configuration error.',
  ].join('\n');
}

/** Find the longest command name that prefixes argv ('allowlist check' before 'allowlist'). */
function findCommand(argv: string[]): { cmd?: Command; rest: string[] } {
  let best: Command | undefined;
  let bestLen = 0;
  for (const c of COMMANDS) {
    const words = c.name.split(' ');
    if (words.length > bestLen && words.every((w, i) => argv[i] === w)) {
      best = c;
      bestLen = words.length;
    }
  }
  return { cmd: best, rest: argv.slice(bestLen) };
}

export async function main(argv: string[]): Promise<number> {
  // Before anything runs: a token in the environment is *** in every line Ferry writes, as in the actions.
  registerCredentialEnv(process.env);
  // `ferry export ... | head`: the reader may go away while a sync is under way. The work finishes
  // (nothing is left half-done) and its exit code stands; only the output nobody reads is dropped.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  const ci = argv.includes('--ci') || process.env.GITHUB_ACTIONS === 'true' || process.env.CI === 'true';
  const logger = consoleLogger({ verbose: argv.includes('--verbose') || argv.includes('-v') });
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(helpText() + '\n');
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const { cmd, rest } = findCommand(argv);
  if (!cmd) {
    const group = COMMANDS.filter((c) => c.name.startsWith(argv[0] + ' '));
    const help = argv.includes('--help') || argv.includes('-h');
    if (group.length) {
      const width = Math.max(...group.map((c) => c.name.length));
      const text = [
        ...group.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
        '',
        'Usage: one of',
        ...group.map((c) => `  ${c.usage}`),
      ].join('\n');
      (help ? process.stdout : process.stderr).write(text + '\n');
      return help ? 0 : EXIT_USAGE;
    }
    process.stderr.write(`Unknown command '${argv[0]}'.\n\n${helpText()}\n`);
    return EXIT_USAGE;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(commandHelp(cmd));
      return 0;
    }
    const args = parseCommandArgs(cmd, rest);
    // Engine messages name this command's flags (--allow-mass-delete), not the action's inputs.
    return await withSurface(surfaceOf(cmd), () =>
      cmd.run(args, { logger, out: (t) => process.stdout.write(redact(t)), ci, cwd: process.cwd() }),
    );
  } catch (e) {
    // The one error rule (src/core/errors.ts): usage 2 without a stack, a remote failure 1 in one
    // line, a bug 1 with its stack.
    process.stderr.write(`ferry ${cmd.name}: ${redact(describeError(e))}\n`);
    return exitCodeFor(e);
  }
}
