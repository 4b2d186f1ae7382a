import { registerSecret } from '../git/secrets.js';
import type { Finding } from '../report/result.js';
import { secretContext, secretHits } from '../safety/content-scan.js';
import { FINGERPRINT_DISPLAY_CHARS } from '../safety/secret-scan.js';
import { SAFETY_INPUTS } from '../safety/settings.js';
import { settingName } from '../settings/surface.js';
import type { SafetySettings } from '../safety/types.js';
import { secretSetupFor, type SecretSetup } from './secret-key.js';
import type { ExportBuildContext } from './types.js';

/**
 * Commit messages are published too: snapshot mode's `{message}` copies the source message, and
 * history mode replays every message. Each one goes through the secret scan (all rules, as for a
 * file) before it is committed; a finding stops the export like any other.
 */
export function messageSecretFindings(
  message: string,
  sourceSha: string,
  safety: SafetySettings,
  setup: SecretSetup | undefined,
): Finding[] {
  if (!safety.secretScan) return [];
  const ctx = secretContext(safety, setup?.key, setup?.baseline);
  const where = `commit message of ${sourceSha}`;
  return secretHits(message, where, ctx).map((hit) => {
    registerSecret(hit.secret);
    const fp = hit.fingerprint.slice(0, FINGERPRINT_DISPLAY_CHARS);
    return {
      severity: 'error',
      code: 'secret',
      message:
        `possible secret (${hit.rule}, '${hit.redacted}') in the ${where} (line ${hit.line}), which the export ` +
        `would publish, fingerprint ${fp}. Fix: rotate it; history mode can drop it with a scrub rule ` +
        `(${settingName('scrub-lines')}), snapshot mode with a message template without {message}. If it is not a secret, add ${fp} ` +
        `to ${settingName(SAFETY_INPUTS.allowedSecretFingerprints)}.`,
    } satisfies Finding;
  });
}

/** The check for one message of an export (snapshot and incremental snapshot commits). */
export async function messageGate(
  ctx: ExportBuildContext,
  message: string,
  sourceSha: string,
): Promise<Finding[]> {
  const { safety } = ctx;
  if (!safety.secretScan) return [];
  const setup = await secretSetupFor(ctx.sourceGit, ctx.sourceCommit, safety);
  return messageSecretFindings(message, sourceSha, safety, setup);
}
