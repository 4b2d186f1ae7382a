/**
 * The one token lookup, for every adapter and every engine: `ferry run`, `ferry status`, the
 * actions and the single-purpose commands all find a token the same way.
 *
 * 1. a value given directly (an action's token input; already masked by the adapter);
 * 2. the variable a user named (ferry.yml `token_env`, `a_token_env`, ...): only that one, so a
 *    token meant for one server never goes to another by accident;
 * 3. Ferry's variables for this role, most specific first (`FERRY_TOKEN_A`, `FERRY_WIKI_TOKEN`);
 * 4. `FERRY_TOKEN` (the root action passes its token input as this), then `GITHUB_TOKEN`.
 *
 * The token is read from the environment only, never from argv (a command line shows up in `ps`).
 * Every value found is registered for redaction (src/core/git/secrets.ts), and each adapter
 * registers all of Ferry's credential variables before anything runs (`registerCredentialEnv`):
 * a command target may print a token it never asked Ferry to look up.
 */
import { registerSecret } from '../git/secrets.js';

export interface TokenLookup {
  value?: string;
  named?: string;
  vars?: readonly string[];
}

const GENERAL_TOKEN_VARS = ['FERRY_TOKEN', 'GITHUB_TOKEN'] as const;

export function lookupToken(env: NodeJS.ProcessEnv, from: TokenLookup = {}): string | undefined {
  const token = findToken(env, from);
  registerSecret(token);
  return token;
}

function findToken(env: NodeJS.ProcessEnv, from: TokenLookup): string | undefined {
  if (from.value) return from.value;
  if (from.named) return env[from.named] || undefined;
  for (const name of [...(from.vars ?? []), ...GENERAL_TOKEN_VARS]) if (env[name]) return env[name];
  return undefined;
}

/**
 * The variables that hold Ferry's credentials: FERRY_TOKEN and GITHUB_TOKEN, every FERRY_*TOKEN*
 * (FERRY_TOKEN_A, FERRY_WIKI_TOKEN, ...) and the SSH keys (FERRY_SSH_KEY, FERRY_SSH_KEY_A, ...).
 */
const CREDENTIAL_VAR = /^(?:FERRY_TOKEN|GITHUB_TOKEN|FERRY_\w*TOKEN\w*|FERRY_SSH_KEY\w*)$/;

/**
 * Register every credential variable's value for redaction. Each adapter (the actions and the CLI)
 * calls this first, so whatever prints a token (a command target, a git error, a report) shows ***.
 * Returns the values registered (the actions also mask them with the runner).
 */
export function registerCredentialEnv(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  // Names first, then only those values: no other variable is read (an action reads exactly its inputs).
  for (const name of Object.keys(env).filter((n) => CREDENTIAL_VAR.test(n))) {
    const value = env[name];
    if (!value) continue;
    registerSecret(value);
    values.push(value);
  }
  return values;
}
