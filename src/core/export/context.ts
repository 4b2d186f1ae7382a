/**
 * The ExportBuildContext (see types.ts) over a prepared scratch repository, built in two steps:
 * resolveSelection compiles what the user's settings select (allowlist, map, preserve, template,
 * message template) and hashes it; ExportContext then answers the build functions' questions
 * (project a revision, read the target, write trees and commits, run the gates) with caches, so a
 * rebuild after a rejected push reuses the source side as it is.
 */
import { createHash } from 'node:crypto';
import { compileAllowlist, type AllowlistMatcher } from '../allowlist/matcher.js';
import { globSetMatcher } from '../allowlist/glob.js';
import type { Rule } from '../allowlist/parse.js';
import { BlobReader } from '../git/cat-file.js';
import { GitError, type GitCommandManager } from '../git/git-command-manager.js';
import {
  commitHeaders,
  commitIdentity,
  commitMessage,
  commitTree,
  EMPTY_TREE,
  writeBlobs,
  writeTreeFromEntries,
  writeTreeIncremental,
  type CommitIdentity,
  type IndexEntry,
} from '../git/index-builder.js';
import { findTrailerCommit, lastTrailer, withTrailers, type Trailer } from '../git/trailers.js';
import { streamTree } from '../git/tree.js';
import { writeTreeWithFastImport } from '../git/tree-import.js';
import { treeChangesSupported, writeTreeChanges } from '../git/tree-writer.js';
import type { Logger } from '../logger.js';
import type { Finding } from '../report/result.js';
import type { SafetySettings } from '../safety/types.js';
import { checkTemplate, renderTemplate } from '../util/placeholders.js';
import { attributesUseLfs, parentDirs } from './content-checks.js';
import { diffTargetTrees } from './diff.js';
import { runGatePass } from './gate-pass.js';
import { MESSAGE_PLACEHOLDERS, renderMessage } from './message.js';
import { mapPath, parseMapRules, sourcesFor, type MapRule } from './path-map.js';
import { Projector } from './project.js';
import { readTemplate, type TemplateFile } from './template.js';
import { symlinkTrailers } from './tip-state.js';
import {
  DEFAULT_COMMITTER,
  DEFAULT_MESSAGE_TEMPLATE,
  type CommitSpec,
  type ExportBuildContext,
  type ExportSettings,
  type ProjectedTree,
  type SourceCommitInfo,
  type TargetTree,
  type TreeDiff,
} from './types.js';

/** Up to this many changed paths, ctx.writeTree(tree, base) edits the base's trees directly. */
const TREE_WRITER_MAX_CHANGES = 5000;

export interface ContextParts {
  settings: ExportSettings;
  logger: Logger;
  scratch: GitCommandManager;
  scratchDir: string;
  sourceGit: GitCommandManager;
  sourceCommit: string;
  targetLabel: string;
  rules: readonly Rule[];
  safety: SafetySettings;
  sourceRepo: string;
  blobs: BlobReader;
  /** Time spent in the leak gates and content checks (reported apart from the build). */
  stats: { gatesMs: number };
  /** Fetch `by` more commits of a remote target's history (it is fetched shallow); absent for a local target. */
  deepenTarget?: (by: number) => Promise<void>;
}

export async function createBuildContext(p: ContextParts): Promise<ExportBuildContext> {
  return new ExportContext(p, await resolveSelection(p.settings, p.rules, p.safety));
}

/** What the settings select and how, compiled once per export. */
interface Selection {
  vars: Record<string, string>;
  matcher: AllowlistMatcher;
  mapRules: MapRule[];
  preserveGlobs: string[];
  isPreservedGlob: (targetPath: string) => boolean;
  template: TemplateFile[];
  templatePaths: Set<string>;
  messageTemplate: string;
  /** Everything besides the source revision that decides the tree (see ExportBuildContext.configHash). */
  configHash: string;
}

async function resolveSelection(
  s: ExportSettings,
  rules: readonly Rule[],
  safety: SafetySettings,
): Promise<Selection> {
  const vars = s.vars ?? {};
  const messageTemplate = s.messageTemplate ?? DEFAULT_MESSAGE_TEMPLATE;
  // Checked now: a typo in the template fails before anything is built.
  checkTemplate(
    messageTemplate,
    [...Object.keys(vars), ...MESSAGE_PLACEHOLDERS],
    'the commit message template',
  );
  const mapRules = parseMapRules(s.map ?? [], vars);
  const preserveGlobs = (s.preserve ?? []).map((g) => renderTemplate(g, vars, 'the preserve glob'));
  const template = s.templateDir ? await readTemplate(s.templateDir, vars) : [];
  const templatePaths = new Set(template.map((t) => t.path));
  const configHash = createHash('sha256')
    .update(
      JSON.stringify({
        rules: rules.map((r) => [r.pattern, r.negated]),
        map: mapRules,
        preserve: preserveGlobs,
        template: [...templatePaths].sort(),
        forbidden: safety.forbiddenPaths,
        vars: Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        submodules: s.submodules ?? 'skip',
        // What the commits record besides the tree (2: the exported symlinks, tip-state.ts): a
        // tip from a Ferry that recorded less does not qualify for the incremental paths.
        recorded: 2,
      }),
    )
    .digest('hex')
    .slice(0, 16);
  return {
    vars,
    matcher: compileAllowlist(rules),
    mapRules,
    preserveGlobs,
    isPreservedGlob: globSetMatcher(preserveGlobs),
    template,
    templatePaths,
    messageTemplate,
    configHash,
  };
}

class ExportContext implements ExportBuildContext {
  readonly settings: ExportSettings;
  readonly logger: Logger;
  readonly git: GitCommandManager;
  readonly sourceGit: GitCommandManager;
  readonly sourceCommit: string;
  readonly targetLabel: string;
  readonly sourceRepo: string;
  readonly safety: SafetySettings;
  readonly configHash: string;
  private readonly committer: CommitIdentity;
  private readonly projections = new Map<string, Promise<ProjectedTree>>();
  private readonly commitTexts = new Map<string, Promise<string | undefined>>();
  private readonly targetTrees = new Map<string, Promise<TargetTree>>();
  private templateBlobs?: Promise<string[]>;

  constructor(
    private readonly p: ContextParts,
    private readonly sel: Selection,
  ) {
    this.settings = p.settings;
    this.logger = p.logger;
    this.git = p.scratch;
    this.sourceGit = p.sourceGit;
    this.sourceCommit = p.sourceCommit;
    this.targetLabel = p.targetLabel;
    this.sourceRepo = p.sourceRepo;
    this.safety = p.safety;
    this.configHash = sel.configHash;
    this.committer = p.settings.committer ?? DEFAULT_COMMITTER;
  }

  // Passed around as plain functions (to the projector and the replay state): arrow properties.
  readonly select = (sourcePath: string): boolean => this.sel.matcher.selects(sourcePath);
  readonly mapPath = (sourcePath: string): string => mapPath(sourcePath, this.sel.mapRules);
  get mapped(): boolean {
    return this.sel.mapRules.length > 0;
  }
  sourcesFor(targetPath: string): string[] {
    return this.mapped ? sourcesFor(targetPath, this.sel.mapRules) : [targetPath];
  }
  readonly isPreserved = (targetPath: string): boolean =>
    this.sel.templatePaths.has(targetPath) || this.sel.isPreservedGlob(targetPath);
  readonly diffTrees = diffTargetTrees;

  /** Cached per revision; projected while ls-tree streams, so the JavaScript work overlaps git's. */
  projectTree(rev: string): Promise<ProjectedTree> {
    let pr = this.projections.get(rev);
    if (!pr) {
      pr = this.project(rev);
      this.projections.set(rev, pr);
    }
    return pr;
  }

  private async project(rev: string): Promise<ProjectedTree> {
    const projector = new Projector({
      select: this.select,
      mapPath: this.mapPath,
      submodules: this.settings.submodules ?? 'skip',
      mapped: this.sel.mapRules.length > 0,
    });
    const attrs: { dir: string; oid: string }[] = [];
    await streamTree(this.git, rev, (e) => {
      projector.add(e);
      if (e.path === '.gitattributes' || e.path.endsWith('/.gitattributes'))
        attrs.push({
          dir: e.path.slice(0, Math.max(0, e.path.length - '/.gitattributes'.length)),
          oid: e.oid,
        });
    });
    const projected = projector.finish();
    projected.rev = rev;
    const texts = await Promise.all(attrs.map((a) => this.readObject(a.oid)));
    const lfsDirs = new Set(attrs.filter((_, i) => attributesUseLfs([texts[i]])).map((a) => a.dir));
    projected.usesLfs = lfsDirs.size > 0;
    projected.lfsTracked = (p) => parentDirs(p).some((d) => lfsDirs.has(d));
    return projected;
  }

  readTargetTree(commit: string | undefined): Promise<TargetTree> {
    if (!commit) return Promise.resolve(new Map());
    let t = this.targetTrees.get(commit);
    if (!t) {
      const tree: TargetTree = new Map();
      t = streamTree(this.git, commit, (e) =>
        tree.set(e.path, { mode: e.mode, oid: e.oid, size: -1, origin: 'preserved' }),
      ).then(() => tree);
      this.targetTrees.set(commit, t);
    }
    return t;
  }

  async overlayPreserved(
    projected: TargetTree,
    tipTree: TargetTree,
    isFirstExport: boolean,
  ): Promise<TargetTree> {
    const { template, templatePaths, preserveGlobs } = this.sel;
    const renderTemplateFiles = isFirstExport && template.length > 0;
    const preserves = preserveGlobs.length > 0 || templatePaths.size > 0;
    if (!renderTemplateFiles && !preserves) return projected;
    const out: TargetTree = new Map(projected);
    if (renderTemplateFiles) {
      this.templateBlobs ??= writeBlobs(
        this.git,
        template.map((t) => t.content),
      );
      const ids = await this.templateBlobs;
      template.forEach((t, i) =>
        out.set(t.path, { mode: t.mode, oid: ids[i], size: t.content.length, origin: 'template' }),
      );
    }
    if (preserves)
      for (const [tp, e] of tipTree) if (this.isPreserved(tp)) out.set(tp, { ...e, origin: 'preserved' });
    return out;
  }

  async writeTree(tree: TargetTree, base?: { commit: string; diff: TreeDiff }): Promise<string> {
    if (base) return this.writeChangedPaths(tree, base);
    const entries: IndexEntry[] = [];
    for (const [tp, e] of tree) entries.push({ mode: e.mode, oid: e.oid, path: tp });
    // One pack instead of a loose file per directory; the index when fast-import cannot take it.
    return (
      (await writeTreeWithFastImport(this.git, entries)) ??
      writeTreeFromEntries(this.git, entries, this.p.scratchDir)
    );
  }

  /** Only the paths of `base.diff`, written over the base commit's tree. */
  private async writeChangedPaths(
    tree: TargetTree,
    base: { commit: string; diff: TreeDiff },
  ): Promise<string> {
    const changes = base.diff.changes.map((c) => {
      const e = c.change === 'deleted' ? undefined : tree.get(c.path);
      return { path: c.path, mode: e?.mode ?? '0', oid: e?.oid ?? '' };
    });
    const baseTree = await this.treeOf(base.commit);
    // Few changes: rewrite only the directories on their paths. Many: the index does it better.
    if (changes.length <= TREE_WRITER_MAX_CHANGES && treeChangesSupported(changes))
      return writeTreeChanges(this.git, baseTree, changes, this.p.blobs);
    return writeTreeIncremental(this.git, baseTree, changes, this.p.scratchDir);
  }

  // Each git process costs a spawn (7–11 ms of the main thread, measured): commits are read through
  // the run's one cat-file reader (commitText), each once.
  async treeOf(commit: string | undefined): Promise<string> {
    if (!commit) return EMPTY_TREE;
    return treeLine(await this.readCommit(commit));
  }

  /** The trees of `commits`, in order; undefined when any of them is missing (a shallow source). */
  async treesOf(commits: readonly string[]): Promise<string[] | undefined> {
    const texts = await Promise.all(commits.map((c) => this.commitText(c)));
    return texts.some((t) => t === undefined) ? undefined : texts.map((t) => treeLine(t!));
  }

  async runGates(
    diff: TreeDiff,
    projected: ProjectedTree,
    targetFileCount: number,
    context?: string,
  ): Promise<Finding[]> {
    const t0 = performance.now();
    const findings = await runGatePass({
      git: this.git,
      readBlob: (oid) => this.readObject(oid),
      safety: this.safety,
      lfs: this.settings.lfs ?? 'warn',
      diff,
      projected,
      targetFileCount,
      context,
      sourceRev: this.sourceCommit,
      sourceGit: this.sourceGit,
    });
    this.p.stats.gatesMs += performance.now() - t0;
    return findings;
  }

  formatMessage(source: SourceCommitInfo, links: Iterable<string>): string {
    const body = renderMessage(this.sel.messageTemplate, source, this.sourceRepo, this.sel.vars);
    return this.withTrailers(body, source.sha, links);
  }

  withTrailers(message: string, sourceSha: string, links: Iterable<string>): string {
    const trailers: Trailer[] = [
      ['originRev', sourceSha],
      ['config', this.configHash],
      ...symlinkTrailers(links),
    ];
    return withTrailers(message, trailers);
  }

  async readSourceCommit(sha: string): Promise<SourceCommitInfo> {
    // The raw object, not `git show`: in a shallow source the parents are missing and any
    // revision walk would try to read them.
    const raw = await this.readCommit(sha);
    return {
      sha,
      message: commitMessage(raw),
      author: commitIdentity(raw, 'author') ?? { name: '', email: '' },
    };
  }

  readObject(oid: string): Promise<Buffer | undefined> {
    return this.p.blobs.read(oid);
  }

  async readCommit(sha: string): Promise<string> {
    const text = await this.commitText(sha);
    if (text === undefined)
      throw new GitError(['cat-file', 'commit', sha], 128, `fatal: Not a valid object name ${sha}`);
    return text;
  }

  /**
   * A commit's raw text as `git cat-file commit` prints it (less the final newline), through the
   * run's cat-file reader; read once per commit. Undefined when it is missing, and then not
   * remembered: a remote target's tip is fetched after it was found missing.
   */
  private commitText(sha: string): Promise<string | undefined> {
    let t = this.commitTexts.get(sha);
    if (!t) {
      t = this.readObject(`${sha}^{commit}`).then((b) => {
        if (!b) this.commitTexts.delete(sha);
        return b?.toString('utf8').replace(/\n$/, '');
      });
      t.catch(() => this.commitTexts.delete(sha));
      this.commitTexts.set(sha, t);
    }
    return t;
  }

  commit(spec: CommitSpec): Promise<string> {
    const { committer } = this;
    const author = spec.author ?? this.settings.author ?? committer;
    return commitTree(this.git, spec.tree, spec.parents, spec.message, author, spec.committer ?? committer);
  }

  async lastExportedRev(tip: string | undefined): Promise<string | undefined> {
    if (!tip) return undefined;
    // Mostly the tip is Ferry's own commit, whose text the incremental paths read anyway: no
    // history walk (findTrailerCommit would stop at the tip and read the same trailer).
    const own = lastTrailer(commitMessage(await this.readCommit(tip)), 'originRev');
    if (own) return own;
    const found = await findTrailerCommit(this.git, tip, 'originRev', {
      deepen: this.p.deepenTarget,
      logger: this.logger,
    });
    return found?.value;
  }
}

/** The tree id of a raw commit object. */
function treeLine(raw: string): string {
  const tree = commitHeaders(raw).tree;
  if (!tree) throw new Error(`internal: not a commit object: ${raw.slice(0, 60)}`);
  return tree;
}
