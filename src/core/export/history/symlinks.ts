import * as posix from 'node:path/posix';
import type { Finding } from '../../report/result.js';
import { symlinkFinding } from '../content-checks.js';
import { resolveLink } from '../link-resolve.js';
import type { TargetEntry, TargetTree } from '../types.js';

const SYMLINK = '120000';

/** The files of a tree outside what a SymlinkIndex holds (see its constructor). */
export interface LinkBase {
  /** Is `p` a file of that tree, or a directory with one below it? */
  exists(p: string): Promise<boolean>;
}

/**
 * The symlink check of snapshot mode (content-checks.ts: a link must stay inside the exported
 * tree and point at something exported), kept incrementally for a replay: the snapshot check
 * walks the whole tree, which once per replayed commit would be quadratic. This index keeps the
 * exported directories (with file counts) and, for every link, what it resolves to; a step then
 * checks only the links it added or changed and the links pointing at what it removed.
 * Like the snapshot check, only exported (source) entries count, not preserved ones.
 */
export class SymlinkIndex {
  /**
   * Exported directories with their file counts; built at the first check, since only a link
   * needs them (most trees have none, and a root replay would count every file's parents).
   */
  private dirs?: Map<string, number>;
  private readonly files = new Set<string>();
  /** Link path → its resolved target (undefined while unknown). */
  private readonly links = new Map<string, { resolved: string; link: string; sourcePath?: string }>();
  /** Resolved target → the links pointing at it. */
  private readonly pointing = new Map<string, Set<string>>();
  /** Links added or changed since the last check, and paths removed since then. */
  private pendingLinks = new Map<string, { oid: string; sourcePath?: string }>();
  private removed: string[] = [];

  /**
   * `base`: when `start` is part of the tree (the quick start), what the index was not given: the
   * other files of the tree it starts from, never the paths it holds (or held and removed).
   */
  constructor(
    start: TargetTree,
    private readonly base?: LinkBase,
  ) {
    for (const [p, e] of start) if (e.origin === 'source') this.add(p, e);
  }

  get hasLinks(): boolean {
    return this.links.size > 0 || this.pendingLinks.size > 0;
  }

  add(p: string, e: TargetEntry): void {
    if (!this.files.has(p)) {
      this.files.add(p);
      if (this.dirs) countParents(this.dirs, p);
    }
    this.dropLink(p);
    if (e.mode === SYMLINK) this.pendingLinks.set(p, { oid: e.oid, sourcePath: e.sourcePath });
  }

  remove(p: string): void {
    if (!this.files.delete(p)) return;
    this.removed.push(p);
    // Without the counts no link has been checked yet: every link is pending, so checked anyway.
    if (this.dirs)
      for (let d = posix.dirname(p); d !== '.'; d = posix.dirname(d)) {
        const n = (this.dirs.get(d) ?? 0) - 1;
        if (n > 0) this.dirs.set(d, n);
        else {
          this.dirs.delete(d);
          this.removed.push(d);
        }
      }
    this.dropLink(p);
  }

  /** Check what changed since the last call: new links, and links left dangling by removals. */
  async check(readBlob: (oid: string) => Promise<Buffer | undefined>): Promise<Finding[]> {
    const findings: Finding[] = [];
    if (!this.dirs) {
      const dirs = new Map<string, number>();
      for (const p of this.files) countParents(dirs, p);
      this.dirs = dirs;
    }
    const toCheck = new Set<string>();
    let linksChanged = false;
    for (const [p, l] of this.pendingLinks) {
      const link = (await readBlob(l.oid))?.toString('utf8') ?? '';
      const resolved = posix.normalize(posix.join(posix.dirname(p), link));
      this.links.set(p, { resolved, link, sourcePath: l.sourcePath });
      let set = this.pointing.get(resolved);
      if (!set) this.pointing.set(resolved, (set = new Set()));
      set.add(p);
      toCheck.add(p);
      linksChanged = true;
    }
    this.pendingLinks = new Map();
    for (const r of this.removed) for (const p of this.pointing.get(r) ?? []) toCheck.add(p);
    // A link may resolve through another: when links change or files go, every link is checked
    // again (links are few).
    if (linksChanged || (this.removed.length && this.links.size > 1))
      for (const p of this.links.keys()) toCheck.add(p);
    this.removed = [];
    const texts = new Map<string, string>();
    for (const [p, l] of this.links) texts.set(p, l.link);
    const dirs = this.dirs;
    for (const p of toCheck) {
      const l = this.links.get(p);
      if (!l) continue;
      const end = resolveLink(p, texts);
      const r = end.resolved;
      // Outside what the index holds, the quick start's base answers (the tip's untouched files).
      const inBase = !!r && !this.files.has(r) && !dirs.has(r) && !!this.base && (await this.base.exists(r));
      const f = symlinkFinding(
        p,
        l.link,
        l.sourcePath,
        end,
        (x) => inBase || this.files.has(x) || dirs.has(x),
      );
      if (f) findings.push(f);
    }
    return findings;
  }

  private dropLink(p: string): void {
    this.pendingLinks.delete(p);
    const l = this.links.get(p);
    if (!l) return;
    this.links.delete(p);
    const set = this.pointing.get(l.resolved);
    set?.delete(p);
    if (set && !set.size) this.pointing.delete(l.resolved);
  }
}

function countParents(dirs: Map<string, number>, p: string): void {
  for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
    const d = p.slice(0, i);
    dirs.set(d, (dirs.get(d) ?? 0) + 1);
  }
}
