/**
 * The one template renderer: `{name}` placeholders in commit messages, targets, map rules,
 * preserve globs, allowlist file names and template directories. One set of names everywhere
 * (docs/templates.md lists them and where each is offered): `{sha}` and `{short_sha}` are the
 * source revision wherever there is one, `{package}` the customer package, and so on.
 *
 * Strict: a placeholder the surface does not offer is a ConfigurationError that names it and the
 * valid ones, so a typo never reaches a commit. Only a template directory's files keep unknown
 * placeholders as they are (renderKnownPlaceholders): they are code, with braces of their own.
 * Values come from own properties only: `{toString}` or `{__proto__}` is an unknown placeholder,
 * never the text of a native function.
 */
import { ConfigurationError } from '../errors.js';

export type PlaceholderValues = Readonly<Record<string, string>>;

/** How many hex digits `{short_sha}` keeps. */
export const SHORT_SHA_LENGTH = 7;

/** The values every surface with a source revision offers for it. */
export function revisionPlaceholders(sha: string): { sha: string; short_sha: string } {
  return { sha, short_sha: sha.slice(0, SHORT_SHA_LENGTH) };
}

/** Older names kept working (the wiki's): alias → the placeholder it stands for. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['rev', 'sha'],
  ['short', 'short_sha'],
]);

const PLACEHOLDER = /\{(\w+)\}/g;

function lookup(values: ReadonlyMap<string, string>, name: string): string | undefined {
  return values.get(name) ?? values.get(ALIASES.get(name) ?? '');
}

function unknownPlaceholder(
  name: string,
  template: string,
  valid: Iterable<string>,
  what: string | undefined,
): ConfigurationError {
  const list = [...valid].map((v) => `{${v}}`).join(', ') || 'none';
  return new ConfigurationError(
    `Unknown placeholder {${name}} in ${what ? `${what} ` : ''}'${template}'. Valid placeholders: ${list}.`,
  );
}

/**
 * `template` with every `{name}` replaced by its value (one pass: values are not scanned again).
 * `what` names the setting in the error, e.g. `commit-message`.
 */
export function renderTemplate(template: string, values: PlaceholderValues, what?: string): string {
  const known = new Map(Object.entries(values));
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = lookup(known, name);
    if (v === undefined) throw unknownPlaceholder(name, template, known.keys(), what);
    return v;
  });
}

/**
 * Check a template before any value is known (so a bad setting fails before anything runs):
 * every placeholder must be one of `names` or an alias of one.
 */
export function checkTemplate(template: string, names: Iterable<string>, what?: string): void {
  renderTemplate(template, Object.fromEntries([...names].map((n) => [n, ''])), what);
}

/** Like renderTemplate, but an unknown `{name}` stays as it is (template files: code has braces). */
export function renderKnownPlaceholders(text: string, values: PlaceholderValues): string {
  const known = new Map(Object.entries(values));
  return text.replace(PLACEHOLDER, (m, name: string) => lookup(known, name) ?? m);
}
