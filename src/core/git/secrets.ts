/**
 * Every secret Ferry handles is registered here, and every string that leaves a git call for a
 * message or a log passes through `redact`. Adapters also mask them with core.setSecret.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4) return;
  secrets.add(value);
  // The base64 form is what lands in the Authorization header: mask that too.
  secrets.add(Buffer.from(`x-access-token:${value}`).toString('base64'));
  // Output is redacted line by line: a multi-line secret (an SSH key) is masked per line too.
  if (value.includes('\n'))
    for (const line of value.split(/\r?\n/)) {
      const l = line.trim();
      if (l.length >= 8 && !l.startsWith('-----')) secrets.add(l);
    }
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  // Credentials embedded in URLs by a user, e.g. https://user:token@host/, are never echoed either.
  return out.replace(/(https?:\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1***@');
}

export function registeredSecrets(): readonly string[] {
  return [...secrets];
}
