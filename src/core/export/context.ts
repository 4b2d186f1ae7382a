import { createHash } from 'node:crypto';
import { compileAllowlist } from '../allowlist/matcher.js';
import { globSetMatcher } from '../allowlist/glob.js';
import type { Rule } from '../allowlist/parse.js';
import { BlobReader } from '../git/cat-file.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import {
  commitTree,
  EMPTY_TREE,
  writeBlobs,
  writeTreeFromEntries,
  writeTreeIncremental,
  type CommitIdentity,
  type IndexEntry,
} from '../git/index-builder.js';
import { streamTree } from '../git/tree.js';
import { writeTreeWithFastImport } from '../git/tree-import.js';
import { treeChangesSupported, writeTreeChanges } from '../git/tree-writer.js';
import type { Logger } from '../logger.js';
import type { SafetySettings } from '../safety/types.js';
import { attributesUseLfs } from './content-checks.js';
import { runGatePass } from './gate-pass.js';
import { diffTargetTrees } from './diff.js';
import { findTrailerCommit, withTrailers, type Trailer } from '../git/trailers.js';
import { MESSAGE_PLACEHOLDERS, renderMessage } from './message.js';
import { mapPath, parseMapRules } from './path-map.js';
import { Projector } from './project.js';
import { readTemplate, type TemplateFile } from './template.js';
import { checkTemplate, renderTemplate } from '../util/placeholders.js';
import {
  DEFAULT_COMMITTER,
  DEFAULT_MESSAGE_TEMPLATE,
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

/** Build the ExportBuildContext (see types.ts) over a prepared scratch repository. */
export async function createBuildContext(p: ContextParts): Promise<ExportBuildContext> {
  const s = p.settings;
  const vars = s.vars ?? {};
  const messageTemplate = s.messageTemplate ?? DEFAULT_MESSAGE_TEMPLATE;
  checkTemplate(
    messageTemplate,
    [...Object.keys(vars), ...MESSAGE_PLACEHOLDERS],
    'the commit message template',
  );
  const matcher = compileAllowlist(p.rules);
  const mapRules = parseMapRules(s.map ?? [], vars);
  const preserveGlobs = (s.preserve ?? []).map((g) => renderTemplate(g, vars, 'the preserve glob'));
  const template: TemplateFile[] = s.templateDir ? await readTemplate(s.templateDir, vars) : [];
  const templatePaths = new Set(template.map((t) => t.path));
  const preserved = globSetMatcher(preserveGlobs);
  const isPreserved = (t: string) => templatePaths.has(t) || preserved(t);
  const committer: CommitIdentity = s.committer ?? DEFAULT_COMMITTER;
  const git = p.scratch;
  const readBlob = (oid: string) => p.blobs.read(oid);
  const projections = new Map<string, Promise<ProjectedTree>>();
  const targetTrees = new Map<string, Promise<TargetTree>>();
  let templateBlobs: Promise<string[]> | undefined;

  // Everything besides the source revision that decides the tree (and the gates' path rules).
  const configHash = createHash('sha256')
    .update(
      JSON.stringify({
        rules: p.rules.map((r) => [r.pattern, r.negated]),
        map: mapRules,
        preserve: preserveGlobs,
        template: [...templatePaths].sort(),
        forbidden: p.safety.forbiddenPaths,
        vars: Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        submodules: s.submodules ?? 'skip',
      }),
    )
    .digest('hex')
    .slice(0, 16);

  const ctx: ExportBuildContext = {
    settings: s,
    configHash,
    logger: p.logger,
    git,
    sourceGit: p.sourceGit,
    sourceCommit: p.sourceCommit,
    targetLabel: p.targetLabel,
    sourceRepo: p.sourceRepo,
    select: (sp) => matcher.selects(sp),
    mapPath: (sp) => mapPath(sp, mapRules),
    isPreserved,

    projectTree(rev) {
      // Cached: a rebuild after a rejected push reuses the source side as it is.
      let pr = projections.get(rev);
      if (!pr) {
        // Projected while ls-tree streams: the JavaScript work overlaps git's.
        const projector = new Projector({
          select: ctx.select,
          mapPath: ctx.mapPath,
          submodules: s.submodules ?? 'skip',
          mapped: mapRules.length > 0,
        });
        const attrs: string[] = [];
        pr = streamTree(git, rev, (e) => {
          projector.add(e);
          if (e.path === '.gitattributes' || e.path.endsWith('/.gitattributes')) attrs.push(e.oid);
        }).then(async () => {
          const projected = projector.finish();
          projected.usesLfs = attributesUseLfs(await Promise.all(attrs.map((oid) => readBlob(oid))));
          return projected;
        });
        projections.set(rev, pr);
      }
      return pr;
    },

    readTargetTree(commit) {
      if (!commit) return Promise.resolve(new Map());
      let t = targetTrees.get(commit);
      if (!t) {
        const tree: TargetTree = new Map();
        t = streamTree(git, commit, (e) =>
          tree.set(e.path, { mode: e.mode, oid: e.oid, size: -1, origin: 'preserved' }),
        ).then(() => tree);
        targetTrees.set(commit, t);
      }
      return t;
    },

    async overlayPreserved(projected, tipTree, isFirstExport) {
      const renderTemplate = isFirstExport && template.length > 0;
      if (!renderTemplate && !preserveGlobs.length && !templatePaths.size) return projected;
      const out: TargetTree = new Map(projected);
      if (renderTemplate) {
        templateBlobs ??= writeBlobs(
          git,
          template.map((t) => t.content),
        );
        const ids = await templateBlobs;
        template.forEach((t, i) =>
          out.set(t.path, { mode: t.mode, oid: ids[i], size: t.content.length, origin: 'template' }),
        );
      }
      if (preserveGlobs.length || templatePaths.size) {
        for (const [tp, e] of tipTree) if (isPreserved(tp)) out.set(tp, { ...e, origin: 'preserved' });
      }
      return out;
    },

    async writeTree(tree, base) {
      if (base) {
        const changes = base.diff.changes.map((c) => {
          const e = c.change === 'deleted' ? undefined : tree.get(c.path);
          return { path: c.path, mode: e?.mode ?? '0', oid: e?.oid ?? '' };
        });
        const baseTree = await ctx.treeOf(base.commit);
        // Few changes: rewrite only the directories on their paths. Many: the index does it better.
        if (changes.length <= TREE_WRITER_MAX_CHANGES && treeChangesSupported(changes))
          return writeTreeChanges(git, baseTree, changes);
        return writeTreeIncremental(git, baseTree, changes, p.scratchDir);
      }
      const entries: IndexEntry[] = [];
      for (const [tp, e] of tree) entries.push({ mode: e.mode, oid: e.oid, path: tp });
      // One pack instead of a loose file per directory; the index when fast-import cannot take it.
      return (
        (await writeTreeWithFastImport(git, entries)) ?? writeTreeFromEntries(git, entries, p.scratchDir)
      );
    },

    async treeOf(commit) {
      if (!commit) return EMPTY_TREE;
      return git.exec(['rev-parse', '--verify', `${commit}^{tree}`]);
    },

    diffTrees: diffTargetTrees,

    async runGates(diff: TreeDiff, projected: ProjectedTree, targetFileCount: number, context?: string) {
      const t0 = performance.now();
      const findings = await runGatePass({
        git,
        readBlob,
        safety: p.safety,
        lfs: s.lfs ?? 'warn',
        diff,
        projected,
        targetFileCount,
        context,
      });
      p.stats.gatesMs += performance.now() - t0;
      return findings;
    },

    formatMessage: (src) =>
      ctx.withTrailers(renderMessage(messageTemplate, src, p.sourceRepo, vars), src.sha),
    withTrailers(message, sourceSha) {
      const trailers: Trailer[] = [['originRev', sourceSha]];
      if (configHash) trailers.push(['config', configHash]);
      return withTrailers(message, trailers);
    },

    async readSourceCommit(sha) {
      // The raw object, not `git show`: in a shallow source the parents are missing and any
      // revision walk would try to read them.
      return parseCommitObject(sha, await git.exec(['cat-file', 'commit', sha]));
    },

    commit: (spec) =>
      commitTree(
        git,
        spec.tree,
        spec.parents,
        spec.message,
        spec.author ?? s.author ?? committer,
        spec.committer ?? committer,
      ),

    async lastExportedRev(tip) {
      const found = await findTrailerCommit(git, tip, 'originRev', {
        deepen: p.deepenTarget,
        logger: p.logger,
      });
      return found?.value;
    },
  };
  return ctx;
}

/** `cat-file commit` text → message and author (date as git's `@<epoch> <tz>`). */
export function parseCommitObject(sha: string, raw: string): SourceCommitInfo {
  const blank = raw.indexOf('\n\n');
  const headers = blank < 0 ? raw : raw.slice(0, blank);
  const message = blank < 0 ? '' : raw.slice(blank + 2);
  const m = /^author (.*) <([^>]*)> (\d+) ([+-]\d{4})$/m.exec(headers);
  const author: CommitIdentity = m
    ? { name: m[1], email: m[2], date: `@${m[3]} ${m[4]}` }
    : { name: '', email: '' };
  return { sha, message, author };
}
