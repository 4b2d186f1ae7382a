/**
 * Export commit messages: the message template rendered for a source commit. The trailers that
 * let the next run find the last exported revision are added by ctx.withTrailers (git/trailers.ts).
 */
import { renderTemplate, revisionPlaceholders } from '../util/placeholders.js';
import type { SourceCommitInfo } from './types.js';

/** The placeholders an export commit message offers besides the vars (`{package}`). */
export const MESSAGE_PLACEHOLDERS = ['sha', 'short_sha', 'source_repo', 'message', 'subject'] as const;

export function renderMessage(
  template: string,
  source: SourceCommitInfo,
  sourceRepo: string,
  vars: Record<string, string> = {},
): string {
  return renderTemplate(
    template,
    {
      ...vars,
      ...revisionPlaceholders(source.sha),
      source_repo: sourceRepo,
      message: source.message.trim(),
      subject: source.message.trim().split('\n')[0] ?? '',
    },
    'the commit message template',
  );
}
