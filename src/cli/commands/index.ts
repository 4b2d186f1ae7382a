import type { Command } from '../command.js';
import { allowlistCommands } from './allowlist.js';
import { demoCommand } from './demo.js';

/** Every CLI command. Each feature adds its commands here and nowhere else. */
export const COMMANDS: Command[] = [...allowlistCommands, demoCommand];
