import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import { ConfigurationError, type SourceLocation } from '../errors.js';
import { parseAllowlist } from './parse.js';

/**
 * The tier manifest: named components (lists of globs) and editions (sets of components, with
 * `extends` and optional excludes). `ferry allowlist generate` turns one edition into an allowlist,
 * the single source of truth the seed's generate_allowlist.py derived from subscription tiers.
 */
export interface Manifest {
  file: string;
  components: Map<string, string[]>;
  editions: Map<string, { components: string[]; extends: string[]; exclude: string[] }>;
  /** Where each edition is defined (for errors found later, like an `extends` cycle). */
  editionAt?: Map<string, SourceLocation>;
}

export function parseManifest(text: string, file: string): Manifest {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: false });
  const at = (node: Node | null | undefined) => {
    const off = node?.range?.[0] ?? 0;
    const p = lc.linePos(off);
    return { file, line: p.line, column: p.col };
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    const p = lc.linePos(e.pos[0]);
    throw new ConfigurationError(`invalid YAML: ${e.message.split('\n')[0]}`, {
      file,
      line: p.line,
      column: p.col,
    });
  }
  const root = doc.contents;
  if (!isMap(root))
    throw new ConfigurationError('the manifest must be a mapping with `components` and `editions`', at(root));
  const components = new Map<string, string[]>();
  const editions: Manifest['editions'] = new Map();
  const editionAt = new Map<string, SourceLocation>();
  /** Where each referenced name or glob was written, so later checks can point at its line. */
  const where = new Map<unknown[], ReturnType<typeof at>[]>();
  const strings = (node: unknown, what: string): string[] => {
    if (node == null) return [];
    if (isScalar(node) && typeof node.value === 'string') {
      const out = [node.value];
      where.set(out, [at(node)]);
      return out;
    }
    if (!isSeq(node)) throw new ConfigurationError(`${what} must be a list of strings`, at(node as Node));
    const out = node.items.map((it) => {
      if (!isScalar(it) || typeof it.value !== 'string')
        throw new ConfigurationError(`${what} must contain strings`, at(it as Node));
      return it.value;
    });
    where.set(
      out,
      node.items.map((it) => at(it as Node)),
    );
    return out;
  };
  /** Globs must parse as allowlist rules; the error points at the glob's own line. */
  const checkGlobs = (globs: string[], what: string) => {
    globs.forEach((g, i) => {
      const bad = parseAllowlist(g.replace(/^!/, ''), file).errors[0];
      if (bad)
        throw new ConfigurationError(
          `${what}: ${bad.message.replace(/^.*?:1: /, '')}`,
          where.get(globs)?.[i] ?? { file },
        );
    });
  };
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'components') {
      if (!isMap(pair.value))
        throw new ConfigurationError('`components` must map names to lists of globs', at(pair.value as Node));
      for (const c of pair.value.items) {
        const name = String((c.key as { value: unknown }).value);
        const globs = strings(c.value, `component '${name}'`);
        checkGlobs(globs, `component '${name}'`);
        components.set(name, globs);
      }
    } else if (key === 'editions') {
      if (!isMap(pair.value))
        throw new ConfigurationError(
          '`editions` must map names to edition definitions',
          at(pair.value as Node),
        );
      for (const e of pair.value.items) {
        const name = String((e.key as { value: unknown }).value);
        const v = e.value;
        if (!isMap(v))
          throw new ConfigurationError(
            `edition '${name}' must be a mapping with \`components\``,
            at(v as Node),
          );
        const def = { components: [] as string[], extends: [] as string[], exclude: [] as string[] };
        for (const f of v.items) {
          const fk = isScalar(f.key) ? String(f.key.value) : '';
          if (fk === 'components' || fk === 'extends' || fk === 'exclude')
            def[fk] = strings(f.value, `edition '${name}' ${fk}`);
          else
            throw new ConfigurationError(
              `unknown key '${fk}' in edition '${name}'. Expected components, extends or exclude`,
              at(f.key as Node),
            );
        }
        checkGlobs(def.exclude, `edition '${name}' exclude`);
        editions.set(name, def);
        editionAt.set(name, at(e.key as Node));
      }
    } else if (key !== 'version') {
      throw new ConfigurationError(
        `unknown top-level key '${key}'. Expected components, editions`,
        at(pair.key as Node),
      );
    }
  }
  for (const [name, def] of editions) {
    def.components.forEach((c, i) => {
      if (!components.has(c))
        throw new ConfigurationError(
          `edition '${name}' names unknown component '${c}'. Known: ${[...components.keys()].join(', ')}`,
          where.get(def.components)?.[i] ?? { file },
        );
    });
    def.extends.forEach((x, i) => {
      if (!editions.has(x))
        throw new ConfigurationError(
          `edition '${name}' extends unknown edition '${x}'. Known: ${[...editions.keys()].join(', ')}`,
          where.get(def.extends)?.[i] ?? { file },
        );
    });
  }
  return { file, components, editions, editionAt };
}

/** Resolve an edition's components and excludes through `extends`, detecting cycles. */
export function resolveEdition(m: Manifest, edition: string): { components: string[]; exclude: string[] } {
  if (!m.editions.has(edition)) {
    throw new ConfigurationError(
      `unknown edition '${edition}' in ${m.file}. Known: ${[...m.editions.keys()].join(', ')}`,
    );
  }
  const comps: string[] = [];
  const excl: string[] = [];
  const visit = (name: string, stack: string[]) => {
    if (stack.includes(name))
      throw new ConfigurationError(
        `edition '${name}' extends itself through ${[...stack, name].join(' → ')}. Fix: remove one of these extends`,
        m.editionAt?.get(name) ?? { file: m.file },
      );
    const def = m.editions.get(name)!;
    for (const parent of def.extends) visit(parent, [...stack, name]);
    for (const c of def.components) if (!comps.includes(c)) comps.push(c);
    for (const x of def.exclude) if (!excl.includes(x)) excl.push(x);
  };
  visit(edition, []);
  return { components: comps, exclude: excl };
}

/** Render the generated allowlist: header, then each component's globs sorted, then excludes. */
export function generateAllowlist(m: Manifest, edition: string, manifestDisplayPath: string): string {
  const { components, exclude } = resolveEdition(m, edition);
  const out = [
    `# Generated from ${manifestDisplayPath} (edition '${edition}') by ferry allowlist generate. Do not edit:`,
    `# change the manifest and run: ferry allowlist generate --manifest ${manifestDisplayPath} --edition ${edition} --write FILE`,
  ];
  const seen = new Set<string>();
  for (const c of [...components].sort()) {
    const globs = [...new Set(m.components.get(c)!)].filter((g) => !seen.has(g)).sort();
    globs.forEach((g) => seen.add(g));
    out.push('', `# component: ${c}`, ...globs);
  }
  if (exclude.length)
    out.push(
      '',
      '# excluded from this edition',
      ...[...new Set(exclude)].sort().map((x) => (x.startsWith('!') ? x : `!${x}`)),
    );
  return out.join('\n') + '\n';
}
