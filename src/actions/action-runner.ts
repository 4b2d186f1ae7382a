import * as core from '@actions/core';
import * as path from 'node:path';
import { describeError } from '../core/errors.js';
import { redact, registeredSecrets } from '../core/git/secrets.js';
import type { Logger } from '../core/logger.js';
import { registerCredentialEnv } from '../core/settings/token.js';
import { ACTION_SURFACE, withSurface } from '../core/settings/surface.js';
import { actionsLogger } from './action-logger.js';

/**
 * Every action's run(): set up the logger and the action surface (messages name inputs), run the
 * body, and turn failures into a failed step. Configuration and remote errors fail with their
 * message only; anything else is a bug and keeps its stack (redacted). See src/core/errors.ts.
 */
export async function runActionMain(body: (logger: Logger) => Promise<void>): Promise<void> {
  const logger = actionsLogger();
  // Every credential variable (FERRY_TOKEN, GITHUB_TOKEN, FERRY_SSH_KEY_A, ...) is masked and
  // redacted before anything runs, as the CLI does: the same registry for every adapter.
  for (const s of registerCredentialEnv(process.env)) core.setSecret(s);
  try {
    await withSurface(ACTION_SURFACE, () => body(logger));
  } catch (e) {
    for (const s of registeredSecrets()) core.setSecret(s);
    core.setFailed(redact(describeError(e)));
  }
}

/** A path input: relative to the workspace (GITHUB_WORKSPACE), as the runner checks out there. */
export function inWorkspace(p: string): string {
  return p ? path.resolve(process.env.GITHUB_WORKSPACE || process.cwd(), p) : p;
}
