import { NameChecker } from '../git/batch-check.js';
import { decodeGitPaths } from '../git/path-bytes.js';
import { hasErrors } from '../report/result.js';
import { diffTargetTrees } from './diff.js';
import { messageGate } from './message-gate.js';
import { sourceProbe } from './source-probe.js';
import { lastTrailer } from '../git/trailers.js';
import type { BuildOutcome, ExportBuildContext, ProjectedTree, TargetTree } from './types.js';

/**
 * Incremental snapshot export: when the target tip is a Ferry snapshot commit of `old` made with
 * the same selection config (its `Ferry-Config` trailer equals ctx.configHash), the next tree is the
 * tip's tree plus the selected part of ONE `git diff-tree old new`, so the source tree is never
 * listed. Returns undefined whenever the shortcut cannot promise the full path's answer; the caller
 * then runs the full snapshot build. Conservative on purpose: map rules, deletions, symlinks,
 * gitlinks, .gitattributes, preserved paths, LFS-pointer-looking blobs and a tip that does not match
 * `old` all fall back (they need whole-tree knowledge: collisions, dangling links, the delete ratio).
 */
export async function buildIncremental(
  ctx: ExportBuildContext,
  tip: string | undefined,
): Promise<BuildOutcome | undefined> {
  const s = ctx.settings;
  if (!tip || s.force || !ctx.configHash || (s.map ?? []).length) return undefined;
  const git = ctx.git;
  const tipMessage = await git.exec(['cat-file', 'commit', tip]);
  const old = lastTrailer(tipMessage, 'originRev');
  if (!old || lastTrailer(tipMessage, 'config') !== ctx.configHash) return undefined;
  // A shallow source may not hold the old revision (or its tree): full path.
  if (!(await git.tryExec(['cat-file', '-e', `${old}^{tree}`]))) return undefined;
  if (old === ctx.sourceCommit) return { commits: 0, changes: [], findings: [] };

  const out = decodeGitPaths(
    (await git.execRaw(['diff-tree', '-r', '-z', '--no-renames', old, ctx.sourceCommit])).stdout,
  );
  const before: TargetTree = new Map();
  const after: TargetTree = new Map();
  const fields = out.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // ":<old mode> <new mode> <old oid> <new oid> <status>" NUL "<path>"
    const [oldMode, newMode, oldOid, newOid, status] = fields[i].slice(1).split(' ');
    const sp = fields[i + 1];
    if (!ctx.select(sp)) continue;
    // cat-file's line protocol cannot ask about a name with a line break: the full path can.
    if (/[\n\r]/.test(sp)) return undefined;
    if (status === 'D' || /^0+$/.test(newOid)) return undefined;
    if ([oldMode, newMode].some((m) => m === '120000' || m === '160000')) return undefined;
    if (sp === '.gitattributes' || sp.endsWith('/.gitattributes')) return undefined;
    if (ctx.isPreserved(sp)) return undefined;
    after.set(sp, { mode: newMode, oid: newOid, size: -1, sourcePath: sp, origin: 'source' });
    if (oldMode !== '000000') before.set(sp, { mode: oldMode, oid: oldOid, size: -1, origin: 'preserved' });
  }
  if (!after.size) return { commits: 0, changes: [], findings: [] };

  const names = new NameChecker(git);
  try {
    // The tip must hold exactly the old side of every touched path (it does, unless someone
    // rewrote the target by hand and kept the trailers).
    const paths = [...after.keys()];
    const atTip = await names.check(paths.map((p) => `${tip}:${p}`));
    if (paths.some((p, i) => atTip[i]?.oid !== before.get(p)?.oid)) return undefined;

    const diff = diffTargetTrees(before, after);
    if (!diff.changes.length) return { commits: 0, changes: [], findings: [] };
    const probe = sourceProbe(names, ctx.sourceCommit);
    const keepGitlinks = (s.submodules ?? 'skip') === 'keep';
    const projected: ProjectedTree = {
      // Only the changed entries: none is a symlink, so the symlink check has nothing new to see,
      // and additions cannot break the links the last export checked.
      tree: after,
      rev: ctx.sourceCommit,
      exportedSourcePaths: {
        // Asked only about paths the probe found (import resolution): selected and not a skipped gitlink.
        has: (p: string) => ctx.select(p) && (keepGitlinks || probe.known.get(p)?.type !== 'commit'),
      } as Set<string>,
      sourcePaths: new Set(),
      sourcePathProbe: probe,
      findings: [],
    };
    // No deletions here, so the target's file count (the mass-delete ratio) does not matter.
    const findings = await ctx.runGates(diff, projected, 0);
    // Whether a pointer-looking file is an LFS pointer depends on every .gitattributes: full path.
    if (findings.some((f) => f.code === 'lfs-pointer')) return undefined;
    if (hasErrors(findings))
      return { commits: 0, changes: diff.changes, findings, details: { incremental: true } };
    const tree = await ctx.writeTree(after, { commit: tip, diff });
    const source = await ctx.readSourceCommit(ctx.sourceCommit);
    const message = ctx.formatMessage(source);
    findings.push(...(await messageGate(ctx, message, ctx.sourceCommit)));
    if (hasErrors(findings))
      return { commits: 0, changes: diff.changes, findings, details: { incremental: true } };
    const commit = await ctx.commit({ tree, parents: [tip], message });
    return { tip: commit, commits: 1, changes: diff.changes, findings, details: { incremental: true } };
  } finally {
    await names.close();
  }
}
