/**
 * The `template` directory of sync-to-custom: files (e.g. pyproject.toml, __init__.py) whose
 * names and text hold placeholders such as `{package}`. Rendered into the target on the first
 * export only; afterwards their paths are preserved, so hand edits in the target survive.
 * Only known placeholders are replaced: template code keeps its own braces (`{}`, f-strings).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { renderKnownPlaceholders } from '../util/placeholders.js';
import { settingName } from '../settings/surface.js';
import { badTargetSegment } from './path-map.js';

export interface TemplateFile {
  /** Rendered target-relative path (posix). */
  path: string;
  mode: '100644' | '100755';
  content: Buffer;
}

export async function readTemplate(dir: string, vars: Record<string, string>): Promise<TemplateFile[]> {
  const root = path.resolve(dir);
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory())
    throw new ConfigurationError(
      `Template directory '${dir}' does not exist. Create it or drop ${settingName('template')}.`,
    );
  const out: TemplateFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const d of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await walk(r);
      else if (d.isFile()) {
        const full = path.join(root, r);
        const raw = await fs.readFile(full);
        const st = await fs.stat(full);
        // Binary files (a NUL byte) are copied as they are.
        const content = raw.includes(0)
          ? raw
          : Buffer.from(renderKnownPlaceholders(raw.toString('utf8'), vars));
        const rendered = renderKnownPlaceholders(r, vars);
        const bad = badTargetSegment(rendered);
        if (bad)
          throw new ConfigurationError(`Invalid template file ${full} (target path '${rendered}'): ${bad}`);
        out.push({ path: rendered, mode: st.mode & 0o111 ? '100755' : '100644', content });
      }
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
