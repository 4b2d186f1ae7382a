/**
 * Message scrubbing for replayed commits: some lines (internal ticket links, Reviewed-by
 * trailers) must not reach the public repo, and some commits' messages must not at all.
 * Pure: compiled once, applied per commit.
 */
import { ConfigurationError } from '../../errors.js';
import { checkTemplate, renderTemplate } from '../../util/placeholders.js';

export interface MessageScrubber {
  scrub(message: string, vars: Record<string, string>): string;
}

export function compileRegexes(patterns: readonly string[], what: string): RegExp[] {
  return patterns.map((p) => {
    try {
      return new RegExp(p, 'm');
    } catch (e) {
      throw new ConfigurationError(
        `Invalid ${what} pattern '${p}': ${(e as Error).message}. Use JavaScript regular expression syntax.`,
      );
    }
  });
}

export function compileScrubber(opts: {
  lines?: readonly string[];
  messages?: readonly string[];
  template: string;
  /** The placeholders scrub() will be given: checked now, so a typo fails before any replay. */
  placeholders?: Iterable<string>;
}): MessageScrubber {
  const lineRes = compileRegexes(opts.lines ?? [], 'scrub-lines');
  const msgRes = compileRegexes(opts.messages ?? [], 'scrub-messages');
  if (opts.placeholders) checkTemplate(opts.template, opts.placeholders, 'scrub-template');
  const replacement = (vars: Record<string, string>) =>
    renderTemplate(opts.template, vars, 'scrub-template').trim() + '\n';
  return {
    scrub(message, vars) {
      if (msgRes.some((re) => re.test(message))) return replacement(vars);
      if (!lineRes.length) return message;
      const all = message.split('\n');
      const kept = all.filter((l) => !lineRes.some((re) => re.test(l)));
      // Nothing dropped: the message stays byte for byte (CRLF, trailing spaces and all).
      if (kept.length === all.length) return message;
      // Dropping lines can leave runs of blank lines or a blank tail: tidy, keep paragraphs.
      const out: string[] = [];
      for (const l of kept)
        if (!(l.trim() === '' && (out.length === 0 || out[out.length - 1].trim() === ''))) out.push(l);
      while (out.length && out[out.length - 1].trim() === '') out.pop();
      return out.length ? out.join('\n') + '\n' : replacement(vars);
    },
  };
}
