/**
 * The divergence report (issue body, comments, job summary) and the hidden marker that lets a later
 * run find its issue again without searching titles. Pure text in, text out.
 */
import type { BranchAnalysis, CommitList, MirrorKey } from './types.js';
import { decodeOrKeep } from '../util/uri.js';

const MARKER_RE = /<!--\s*ferry:mirror\s+([^>]*?)\s*-->/;

/** `<!-- ferry:mirror a=… b=… branch=… fingerprint=… -->`; values are URI-encoded (no spaces). */
export function issueMarker(key: MirrorKey, fingerprint?: string): string {
  const parts = [`a=${enc(key.a)}`, `b=${enc(key.b)}`, `branch=${enc(key.branch)}`];
  if (fingerprint) parts.push(`fingerprint=${fingerprint}`);
  return `<!-- ferry:mirror ${parts.join(' ')} -->`;
}

export function parseIssueMarker(
  body: string | null | undefined,
): (MirrorKey & { fingerprint?: string }) | null {
  const m = MARKER_RE.exec(body ?? '');
  if (!m) return null;
  const fields = new Map<string, string>();
  for (const part of m[1].split(/\s+/)) {
    const i = part.indexOf('=');
    if (i > 0) fields.set(part.slice(0, i), decodeOrKeep(part.slice(i + 1)));
  }
  const a = fields.get('a');
  const b = fields.get('b');
  const branch = fields.get('branch');
  if (a === undefined || b === undefined || branch === undefined) return null;
  return { a, b, branch, fingerprint: fields.get('fingerprint') };
}

export function sameKey(x: MirrorKey, y: MirrorKey): boolean {
  return x.a === y.a && x.b === y.b && x.branch === y.branch;
}

/** Replace the marker in a body (or prepend one). */
export function withMarker(body: string, key: MirrorKey, fingerprint?: string): string {
  const marker = issueMarker(key, fingerprint);
  return MARKER_RE.test(body) ? body.replace(MARKER_RE, marker) : `${marker}\n${body}`;
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

export function issueTitle(key: MirrorKey): string {
  return `Mirror diverged: ${key.branch} (${key.a} ↔ ${key.b})`;
}

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '—');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function commitTable(title: string, list: CommitList): string[] {
  const out = [`### ${title}: ${list.count} commit${list.count === 1 ? '' : 's'}`, ''];
  if (list.count === 0) return [...out, '_None._', ''];
  out.push('| Commit | Author | Subject |', '| --- | --- | --- |');
  for (const c of list.commits) out.push(`| \`${short(c.sha)}\` | ${cell(c.author)} | ${cell(c.subject)} |`);
  if (list.count > list.commits.length) out.push('', `…and ${list.count - list.commits.length} more.`);
  out.push('');
  return out;
}

/** Shell-quote for the resolution commands a user copies. */
function q(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What diverged and how to fix it, in Markdown. `urls` are the sides' git URLs (never credentials). */
export function divergenceMarkdown(
  key: MirrorKey,
  analysis: BranchAnalysis,
  urls: { a: string; b: string },
): string {
  const br = analysis.branch;
  const out = [
    `## Mirror diverged: \`${br}\``,
    '',
    `**A** \`${key.a}\` and **B** \`${key.b}\` both have commits the other lacks on \`${br}\`. ` +
      'Ferry never force-pushes, so nothing was pushed for this branch until the histories are joined.',
    '',
    `| | A: ${cell(key.a)} | B: ${cell(key.b)} |`,
    '| --- | --- | --- |',
    `| tip | \`${short(analysis.a)}\` | \`${short(analysis.b)}\` |`,
    `| commits only here | ${analysis.onlyInA.count} | ${analysis.onlyInB.count} |`,
    '',
    analysis.mergeBase
      ? `Merge base: \`${analysis.mergeBase}\``
      : 'Merge base: **none**: the two histories are unrelated.',
    '',
    ...commitTable(`Only in A (${key.a})`, analysis.onlyInA),
    ...commitTable(`Only in B (${key.b})`, analysis.onlyInB),
    '### How to resolve',
    '',
    'Join the two histories with a merge (or rebase one side onto the other) and push the result to both sides:',
    '',
    '```sh',
    `git clone ${q(urls.a)} mirror-fix && cd mirror-fix`,
    `git remote add b ${q(urls.b)}`,
    `git fetch origin ${q(br)} && git fetch b ${q(br)}`,
    `git checkout -B ${q(br)} origin/${br}`,
    `git merge b/${br}   # resolve any conflicts, then commit`,
    `git push origin ${q(br)}`,
    `git push b ${q(br)}`,
    '```',
    '',
    'The next mirror run finds the branch in sync, comments here and closes this issue.',
  ];
  return out.join('\n') + '\n';
}

export function resolvedMarkdown(analysis: BranchAnalysis): string {
  return (
    `Resolved: \`${analysis.branch}\` is in sync again on both sides at \`${short(analysis.a ?? analysis.b)}\`. ` +
    'Closing this issue.\n'
  );
}

export function changedMarkdown(body: string): string {
  return `The divergence changed since the last report.\n\n${body}`;
}
