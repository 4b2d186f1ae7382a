import type { Command } from '../command.js';
import { allowlistCommands } from './allowlist.js';
import { demoCommand } from './demo.js';
import { dirsyncCommand } from './dirsync.js';
import { exportCommands } from './export.js';
import { importPrCommand } from './import-pr.js';
import { runnerCommands } from './run.js';
import { mirrorCommand } from './mirror.js';
import { wikiCommand } from './wiki.js';
import { secretsBaselineCommand } from './secrets.js';

/** Every CLI command. Each feature adds its commands here and nowhere else. */
export const COMMANDS: Command[] = [
  ...allowlistCommands,
  demoCommand,
  ...exportCommands,
  importPrCommand,
  ...runnerCommands,
  mirrorCommand,
  wikiCommand,
  dirsyncCommand,
  secretsBaselineCommand,
];
