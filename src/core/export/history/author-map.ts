/**
 * A mailmap-style author map (same line forms as git's .mailmap), for people who must not
 * appear publicly under their internal identity:
 *
 *   Public Name <commit@email>                               replace the name
 *   <public@email> <commit@email>                            replace the email
 *   Public Name <public@email> <commit@email>                replace both
 *   Public Name <public@email> Commit Name <commit@email>    both, only for that name + email
 *
 * Emails and names match case-insensitively, as in git. `#` starts a comment.
 */
import { promises as fs } from 'node:fs';
import { ConfigurationError } from '../../errors.js';
import { settingName } from '../../settings/surface.js';

export interface Person {
  name: string;
  email: string;
}

interface MapEntry {
  name?: string;
  email?: string;
}

export class AuthorMap {
  /** commit email (lowercase) → { by commit name (lowercase) | '' for any name → replacement } */
  private readonly byEmail = new Map<string, Map<string, MapEntry>>();

  get size(): number {
    return this.byEmail.size;
  }

  add(commitEmail: string, commitName: string | undefined, to: MapEntry): void {
    const key = commitEmail.toLowerCase();
    let names = this.byEmail.get(key);
    if (!names) this.byEmail.set(key, (names = new Map()));
    names.set((commitName ?? '').toLowerCase(), to);
  }

  map(p: Person): Person {
    const names = this.byEmail.get(p.email.toLowerCase());
    if (!names) return p;
    const e = names.get(p.name.toLowerCase()) ?? names.get('');
    if (!e) return p;
    return { name: e.name ?? p.name, email: e.email ?? p.email };
  }

  /** Apply the map to `Co-authored-by:` / `Signed-off-by:`-style lines naming a person. */
  mapMessage(message: string): string {
    if (!this.byEmail.size) return message;
    return message.replace(
      /^((?:Co-authored-by|Signed-off-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Helped-by):[ \t]*)([^<\n]*?)[ \t]*<([^>\n]*)>[ \t]*$/gim,
      (_m, key: string, name: string, email: string) => {
        const p = this.map({ name, email });
        return `${key}${p.name} <${p.email}>`;
      },
    );
  }
}

const LINE = /^\s*([^<#]*?)\s*<([^>]*)>(?:\s*([^<#]*?)\s*<([^>]*)>)?\s*(?:#.*)?$/;

export function parseAuthorMap(text: string, file = 'author map'): AuthorMap {
  const map = new AuthorMap();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m)
      throw new ConfigurationError(
        `Cannot read '${line}'. Expected mailmap lines such as 'Public Name <public@example.com> <internal@corp.example>'.`,
        { file, line: i + 1 },
      );
    const [, name1, email1, name2, email2] = m;
    if (email2 === undefined) {
      // "Public Name <commit@email>": only the name changes
      if (!name1)
        throw new ConfigurationError(`'${line}' maps nothing: give a name, or a second <email>.`, {
          file,
          line: i + 1,
        });
      map.add(email1, undefined, { name: name1 });
    } else {
      map.add(email2, name2 || undefined, { name: name1 || undefined, email: email1 || undefined });
    }
  });
  return map;
}

export async function loadAuthorMap(opts: { file?: string; text?: string }): Promise<AuthorMap> {
  if (opts.text !== undefined) return parseAuthorMap(opts.text, opts.file);
  if (!opts.file) return new AuthorMap();
  const text = await fs.readFile(opts.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ConfigurationError(
      e.code === 'ENOENT'
        ? `Author map file '${opts.file}' does not exist. Create it (mailmap format) or drop ${settingName('author-map')}.`
        : `Cannot read author map '${opts.file}': ${e.message}`,
    );
  });
  return parseAuthorMap(text, opts.file);
}
