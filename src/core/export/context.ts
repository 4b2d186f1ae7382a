import { createHash } from 'node:crypto';
import { compileAllowlist } from '../allowlist/matcher.js';
import { globSetMatcher } from '../allowlist/glob.js';
import type { Rule } from '../allowlist/parse.js';
import { BlobReader } from '../git/cat-file.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import {
  commitTree,
  EMPTY_TREE,
  objectSizes,
  writeBlobs,
  writeTreeFromEntries,
  writeTreeIncremental,
  type IndexEntry,
} from '../git/index-builder.js';
import { readTree } from '../git/tree.js';
import type { Logger } from '../logger.js';
import type { Finding } from '../report/result.js';
import type { SafetySettings } from '../safety/types.js';
import { attributesUseLfs, checkLfsPointers, checkSymlinks } from './content-checks.js';
import { diffTargetTrees } from './diff.js';
import { runSafetyGates } from './gates.js';
import { parseOriginTrailer, renderMessage, withTrailer } from './message.js';
import { mapPath, parseMapRules } from './path-map.js';
import { projectEntries } from './project.js';
import { readTemplate, renderPlaceholders, type TemplateFile } from './template.js';
import {
  DEFAULT_COMMITTER,
  DEFAULT_MESSAGE_TEMPLATE,
  type ExportBuildContext,
  type ExportSettings,
  type Identity,
  type ProjectedTree,
  type SourceCommitInfo,
  type TargetTree,
  type TreeDiff,
} from './types.js';

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
}

/** Build the ExportBuildContext (see types.ts) over a prepared scratch repository. */
export async function createBuildContext(p: ContextParts): Promise<ExportBuildContext> {
  const s = p.settings;
  const vars = s.vars ?? {};
  const matcher = compileAllowlist(p.rules);
  const mapRules = parseMapRules(s.map ?? [], vars);
  const preserveGlobs = (s.preserve ?? []).map((g) => renderPlaceholders(g, vars));
  const template: TemplateFile[] = s.templateDir ? await readTemplate(s.templateDir, vars) : [];
  const templatePaths = new Set(template.map((t) => t.path));
  const preserved = globSetMatcher(preserveGlobs);
  const isPreserved = (t: string) => templatePaths.has(t) || preserved(t);
  const committer: Identity = s.committer ?? DEFAULT_COMMITTER;
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
    select: (sp) => matcher.selects(sp),
    mapPath: (sp) => mapPath(sp, mapRules),
    isPreserved,

    projectTree(rev) {
      // Cached: a rebuild after a rejected push reuses the source side as it is.
      let pr = projections.get(rev);
      if (!pr) {
        pr = readTree(git, rev).then(async (entries) => {
          const projected = projectEntries(entries, {
            select: ctx.select,
            mapPath: ctx.mapPath,
            submodules: s.submodules ?? 'skip',
            mapped: mapRules.length > 0,
          });
          const attrs = entries.filter(
            (e) => e.path === '.gitattributes' || e.path.endsWith('/.gitattributes'),
          );
          projected.usesLfs = attributesUseLfs(await Promise.all(attrs.map((e) => readBlob(e.oid))));
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
        t = readTree(git, commit).then(
          (entries) =>
            new Map(
              entries.map((e) => [
                e.path,
                { mode: e.mode, oid: e.oid, size: -1, origin: 'preserved' as const },
              ]),
            ),
        );
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
        return writeTreeIncremental(git, await ctx.treeOf(base.commit), changes, p.scratchDir);
      }
      const entries: IndexEntry[] = [];
      for (const [tp, e] of tree) entries.push({ mode: e.mode, oid: e.oid, path: tp });
      return writeTreeFromEntries(git, entries, p.scratchDir);
    },

    async treeOf(commit) {
      if (!commit) return EMPTY_TREE;
      return git.exec(['rev-parse', '--verify', `${commit}^{tree}`]);
    },

    diffTrees: diffTargetTrees,

    async runGates(diff: TreeDiff, projected: ProjectedTree, targetFileCount: number, context?: string) {
      const t0 = performance.now();
      const sizes = await fillSizes(git, diff);
      const findings: Finding[] = [];
      const changed = diff.gateChanges
        .filter((c) => c.change !== 'deleted' && c.oid && c.mode !== '160000' && c.mode !== '120000')
        .map((c) => ({
          path: c.targetPath,
          sourcePath: c.sourcePath,
          oid: c.oid!,
          size: sizes.get(c.oid!) ?? -1,
        }));
      if (projected.usesLfs !== false)
        findings.push(...(await checkLfsPointers(changed, s.lfs ?? 'warn', readBlob)));
      findings.push(...(await checkSymlinks(projected.tree, readBlob)));
      findings.push(
        ...(await runSafetyGates({
          changes: diff.gateChanges,
          exportedSourcePaths: projected.exportedSourcePaths,
          sourcePaths: projected.sourcePathProbe ?? projected.sourcePaths,
          targetFileCount,
          readBlob,
          settings: p.safety,
          context,
        })),
      );
      p.stats.gatesMs += performance.now() - t0;
      return findings;
    },

    formatMessage: (src) =>
      renderMessage(s.messageTemplate ?? DEFAULT_MESSAGE_TEMPLATE, src, p.sourceRepo, vars),
    withTrailer,

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
      if (!tip) return undefined;
      // Walk back from the tip over what the scratch repo holds (the fetch may be shallow).
      const out = await git.exec(['log', '--format=%B%x00', '-n', '500', tip]);
      for (const msg of out.split('\0')) {
        const rev = parseOriginTrailer(msg);
        if (rev) return rev;
      }
      return undefined;
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
  const author: Identity = m
    ? { name: m[1], email: m[2], date: `@${m[3]} ${m[4]}` }
    : { name: '', email: '' };
  return { sha, message, author };
}

/** Bytes for the report: one batch-check for the blobs that changed (both sides). */
async function fillSizes(git: GitCommandManager, diff: TreeDiff): Promise<Map<string, number>> {
  const sizes = await objectSizes(git, diff.oids.values());
  for (const ch of diff.changes) {
    if (ch.bytes !== undefined) continue;
    const oid = diff.oids.get(ch.path);
    const size = oid ? sizes.get(oid) : undefined;
    if (size !== undefined) ch.bytes = size;
  }
  return sizes;
}
