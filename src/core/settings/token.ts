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
 */
export interface TokenLookup {
  value?: string;
  named?: string;
  vars?: readonly string[];
}

const GENERAL_TOKEN_VARS = ['FERRY_TOKEN', 'GITHUB_TOKEN'] as const;

export function lookupToken(env: NodeJS.ProcessEnv, from: TokenLookup = {}): string | undefined {
  if (from.value) return from.value;
  if (from.named) return env[from.named] || undefined;
  for (const name of [...(from.vars ?? []), ...GENERAL_TOKEN_VARS]) if (env[name]) return env[name];
  return undefined;
}
