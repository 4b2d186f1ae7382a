import { substitute } from './path-map.js';
import { CONFIG_TRAILER, ORIGIN_TRAILER, type SourceCommitInfo } from './types.js';

/**
 * Commit messages: the template (`{sha}`, `{short_sha}`, `{source_repo}`, `{message}`, plus any
 * vars such as `{package}`) and the `Ferry-Origin-Rev: <sha>` trailer that lets the next run find
 * the last exported revision without any state stored elsewhere.
 */
export function renderMessage(
  template: string,
  source: SourceCommitInfo,
  sourceRepo: string,
  vars: Record<string, string> = {},
): string {
  const body = substitute(template, {
    ...vars,
    sha: source.sha,
    short_sha: source.sha.slice(0, 7),
    source_repo: sourceRepo,
    message: source.message.trim(),
    subject: source.message.trim().split('\n')[0] ?? '',
  });
  return withTrailer(body, source.sha);
}

export function withTrailer(message: string, sourceSha: string): string {
  const lines = message.replace(/\s+$/, '').split('\n');
  // Drop a trailer copied along from an earlier export (history of a re-exported repo).
  const kept = lines.filter((l) => !l.startsWith(`${ORIGIN_TRAILER}:`));
  while (kept.length && kept[kept.length - 1].trim() === '') kept.pop();
  const last = kept[kept.length - 1] ?? '';
  // Join an existing trailer block (a last paragraph of `Key: value` lines), else start one.
  const inTrailerBlock = /^[A-Za-z0-9-]+: /.test(last) && kept.length > 2 && kept.includes('');
  return `${kept.join('\n')}${inTrailerBlock ? '\n' : '\n\n'}${ORIGIN_TRAILER}: ${sourceSha}\n`;
}

/** The origin revision named by a commit message's trailer, if any (the last one wins). */
export function parseOriginTrailer(message: string): string | undefined {
  const re = new RegExp(`^${ORIGIN_TRAILER}: *([0-9a-f]{40}|[0-9a-f]{64})\\s*$`, 'gm');
  let found: string | undefined;
  for (let m = re.exec(message); m; m = re.exec(message)) found = m[1];
  return found;
}

/** Add `Ferry-Config: <hash>` to a message that ends with the origin trailer (same trailer block). */
export function withConfigTrailer(message: string, hash: string): string {
  return `${message.replace(/\s+$/, '')}\n${CONFIG_TRAILER}: ${hash}\n`;
}

/** The config hash named by a commit message's trailer, if any (the last one wins). */
export function parseConfigTrailer(message: string): string | undefined {
  const re = new RegExp(`^${CONFIG_TRAILER}: *([0-9a-f]{16,64})\\s*$`, 'gm');
  let found: string | undefined;
  for (let m = re.exec(message); m; m = re.exec(message)) found = m[1];
  return found;
}
