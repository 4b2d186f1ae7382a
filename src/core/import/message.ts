/**
 * The imported commit's message and author. The pull request's title and body are the message;
 * Ferry's trailers follow, and the `Co-authored-by:` lines come last, where GitHub reads them to
 * credit everyone who wrote a commit of the pull request.
 */
import type { CommitIdentity } from '../git/index-builder.js';
import { withTrailers } from '../git/trailers.js';
import type { PublicPullRequest } from './types.js';

const CO_AUTHOR = /^co-authored-by:\s*(.+?)\s*<([^>]+)>\s*$/i;

/** The pull request's author as GitHub shows them: display name (else login), noreply address. */
export function authorOf(pr: PublicPullRequest): CommitIdentity {
  const { login, id, name } = pr.author;
  return { name: name?.trim() || login, email: `${id}+${login}@users.noreply.github.com` };
}

export interface ImportMessageInput {
  pr: PublicPullRequest;
  /** `owner/name` of the public repository. */
  repo: string;
  head: string;
  base: string;
  /** Authors of the pull request's commits (git's names and emails), in order. */
  commitAuthors: readonly CommitIdentity[];
}

export function importMessage(m: ImportMessageInput): { message: string; coAuthors: string[] } {
  const author = authorOf(m.pr);
  const bodyLines = m.pr.body.replace(/\r\n/g, '\n').split('\n');
  // Co-authors the contributor named in the body move down to the end with the others.
  const named = bodyLines.flatMap((l) => {
    const c = CO_AUTHOR.exec(l.trim());
    return c ? [{ name: c[1], email: c[2] }] : [];
  });
  const body = bodyLines
    .filter((l) => !CO_AUTHOR.test(l.trim()))
    .join('\n')
    .trim();
  const seen = new Set([author.email.toLowerCase()]);
  const coAuthors: string[] = [];
  for (const a of [...m.commitAuthors, ...named]) {
    const key = a.email.toLowerCase();
    // The author's own commits under another address are theirs: matched by name as GitHub shows it.
    const sameName = [author.name, m.pr.author.login].some(
      (n) => n.toLowerCase() === a.name.trim().toLowerCase(),
    );
    if (seen.has(key) || sameName || isSameGitHubUser(a.email, m.pr.author.login)) continue;
    seen.add(key);
    coAuthors.push(`${a.name} <${a.email}>`);
  }
  const text = `${m.pr.title.trim() || `Pull request #${m.pr.number}`}${body ? `\n\n${body}` : ''}\n`;
  const trailed = withTrailers(text, [
    ['import', `${m.repo}#${m.pr.number}`],
    ['importHead', m.head],
    ['importBase', m.base],
  ]);
  const message = trailed + coAuthors.map((c) => `Co-authored-by: ${c}\n`).join('');
  return { message, coAuthors };
}

/** `login@users.noreply.github.com` or `<id>+login@...`: the pull request's author again. */
function isSameGitHubUser(email: string, login: string): boolean {
  const m = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/i.exec(email);
  return !!m && m[1].toLowerCase() === login.toLowerCase();
}
