import { parse as parseYaml } from 'yaml';

/**
 * Reads source files of the exported revision by path (`<rev>:<path>` through `cat-file`), for the
 * few configuration files import resolution needs: tsconfig/jsconfig, package.json, workspace
 * files, pyproject.toml, setup.cfg. Nothing is checked out.
 */
export interface SourceFileReader {
  /** The file's text, or undefined when it does not exist (or is not a file). */
  readText(path: string): Promise<string | undefined>;
  /** Every path at the revision whose base name is one of `names` (one `ls-tree` with pathspecs). */
  listByName(names: readonly string[]): Promise<string[]>;
}

/** Config files whose presence anywhere in the tree matters (workspaces, Python roots). */
export const LISTED_CONFIG_NAMES = [
  'package.json',
  'pnpm-workspace.yaml',
  'pyproject.toml',
  'setup.cfg',
] as const;

/**
 * What import resolution knows about the exported revision's configuration files, shared by every
 * file a gate run checks (one per export, or per history replay). Lookups are synchronous: what is
 * not known yet is recorded as missing and `load()` fetches it; the caller then resolves again
 * (see import-closure.ts). Parsed configs are cached by path.
 */
export class RepoLayout {
  private readonly texts = new Map<string, string | null>();
  private readonly missingTexts = new Set<string>();
  private listed?: Map<string, string[]>;
  private listWanted = false;
  private readonly parsed = new Map<string, unknown>();
  private readonly inflight = new Map<string, Promise<void>>();
  private listing?: Promise<void>;
  private resolutions?: Map<string, unknown>;

  /**
   * @param reader reads config files; without one, no config file is known (relative imports only)
   * @param allPaths every source path, when the caller has the full listing (saves the ls-tree)
   */
  constructor(
    private readonly reader?: SourceFileReader,
    private readonly allPaths?: ReadonlySet<string>,
  ) {}

  /** For tests and callers that hold the texts already. */
  static fromTexts(files: Readonly<Record<string, string>>): RepoLayout {
    const layout = new RepoLayout(undefined, new Set(Object.keys(files)));
    for (const [p, t] of Object.entries(files)) layout.texts.set(p, t);
    return layout;
  }

  /** The text of a config file: a string, null when absent, undefined when not loaded yet. */
  text(path: string): string | null | undefined {
    const t = this.texts.get(path);
    if (t !== undefined) return t;
    if (!this.reader || (this.allPaths && !this.allPaths.has(path))) return null;
    this.missingTexts.add(path);
    return undefined;
  }

  /** Parsed JSON (comments and trailing commas allowed, as in tsconfig), cached; null when absent or invalid. */
  json(path: string): Record<string, unknown> | null | undefined {
    return this.parsedObject(path, (t) => JSON.parse(stripJsonComments(t)));
  }

  /** Parsed YAML (pnpm-workspace.yaml), cached. */
  yaml(path: string): Record<string, unknown> | null | undefined {
    return this.parsedObject(path, (t) => parseYaml(t));
  }

  /** A config file parsed to an object, cached: null when absent, invalid or not an object. */
  private parsedObject(
    path: string,
    parse: (text: string) => unknown,
  ): Record<string, unknown> | null | undefined {
    if (this.parsed.has(path)) return this.parsed.get(path) as Record<string, unknown> | null;
    const t = this.text(path);
    if (t === undefined) return undefined;
    let v: Record<string, unknown> | null = null;
    if (t !== null) {
      try {
        const o: unknown = parse(t);
        if (o && typeof o === 'object' && !Array.isArray(o)) v = o as Record<string, unknown>;
      } catch {
        v = null;
      }
    }
    this.parsed.set(path, v);
    return v;
  }

  /** A value derived from config files, computed once (undefined results are not cached: a miss). */
  derived<T>(key: string, compute: () => T | undefined): T | undefined {
    const k = `derived:${key}`;
    if (this.parsed.has(k)) return this.parsed.get(k) as T;
    const v = compute();
    if (v !== undefined) this.parsed.set(k, v);
    return v;
  }

  /**
   * A resolution remembered across files: only over the complete path set this layout was made
   * with (a probe's answers grow between rounds), and only when nothing was missing meanwhile.
   */
  memo<T>(view: unknown, key: string, compute: () => T): T {
    if (!this.allPaths || view !== this.allPaths) return compute();
    const cache = (this.resolutions ??= new Map<string, unknown>());
    if (cache.has(key)) return cache.get(key) as T;
    const missesBefore = this.hasMisses;
    const v = compute();
    if (!missesBefore && !this.hasMisses) cache.set(key, v);
    return v;
  }

  /** Paths whose base name is `name` (one of LISTED_CONFIG_NAMES); undefined when not listed yet. */
  filesNamed(name: (typeof LISTED_CONFIG_NAMES)[number]): readonly string[] | undefined {
    if (!this.listed && this.allPaths) this.listed = listFrom(this.allPaths);
    if (!this.listed && !this.reader) this.listed = new Map();
    if (!this.listed) {
      this.listWanted = true;
      return undefined;
    }
    return this.listed.get(name) ?? [];
  }

  get hasMisses(): boolean {
    return this.missingTexts.size > 0 || this.listWanted;
  }

  /** Fetch everything recorded as missing (each file once, however many callers ask). */
  async load(): Promise<void> {
    const reader = this.reader;
    if (!reader) return;
    const waits: Promise<unknown>[] = [];
    for (const p of this.missingTexts) {
      let r = this.inflight.get(p);
      if (!r) {
        r = reader.readText(p).then((t) => void this.texts.set(p, t ?? null));
        this.inflight.set(p, r);
      }
      waits.push(r);
    }
    this.missingTexts.clear();
    if (this.listWanted) {
      this.listWanted = false;
      this.listing ??= reader.listByName(LISTED_CONFIG_NAMES).then((l) => void (this.listed = listFrom(l)));
      waits.push(this.listing);
    }
    await Promise.all(waits);
  }
}

function listFrom(paths: Iterable<string>): Map<string, string[]> {
  const names = new Set<string>(LISTED_CONFIG_NAMES);
  const out = new Map<string, string[]>();
  for (const p of paths) {
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (!names.has(base)) continue;
    if (p.includes('node_modules/')) continue;
    const list = out.get(base);
    if (list) list.push(p);
    else out.set(base, [p]);
  }
  for (const l of out.values()) l.sort();
  return out;
}

/**
 * JSON with comments (`//`, `/* *\/`) and trailing commas, as tsconfig.json allows: strip them
 * outside strings, keeping everything else byte for byte.
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  let start = 0;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      out += text.slice(start, i);
      while (i < n && text[i] !== '\n') i++;
      start = i;
    } else if (c === '/' && text[i + 1] === '*') {
      out += text.slice(start, i);
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      start = i;
    } else i++;
  }
  out += text.slice(start);
  // Trailing commas before } or ] (outside strings: a string never ends with `,` then `}` unquoted).
  return out.replace(/,(\s*[}\]])/g, '$1');
}
