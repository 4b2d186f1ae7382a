import { streamBlobs } from '../git/blob-stream.js';
import type { GitCommandManager } from '../git/git-command-manager.js';
import { objectSizes } from '../git/index-builder.js';
import type { Finding } from '../report/result.js';
import type { SafetySettings } from '../safety/types.js';
import {
  checkSymlinks,
  isLfsPointer,
  lfsPointerFinding,
  lfsPointerSized,
  type ReadBlob,
} from './content-checks.js';
import { runSafetyGates } from './gates.js';
import { secretSetupFor } from './secret-key.js';
import { sourceFileReader, streamGitBlob } from './source-files.js';
import type { LfsPolicy, ProjectedTree, TreeDiff } from './types.js';

/** With this many blobs to read, the gates split them over BLOB_STREAM_PROCESSES cat-file processes. */
const BLOB_STREAM_SPLIT_AT = 2000;
const BLOB_STREAM_PROCESSES = 2;

export interface GatePassInput {
  git: GitCommandManager;
  readBlob: ReadBlob;
  safety: SafetySettings;
  lfs: LfsPolicy;
  diff: TreeDiff;
  projected: ProjectedTree;
  targetFileCount: number;
  context?: string;
  /** The source revision the change set comes from (config files for import resolution). */
  sourceRev?: string;
  /** The source repository (the secret fingerprint key comes from its root commits). */
  sourceGit?: GitCommandManager;
}

/**
 * ctx.runGates: the content checks (LFS pointers, symlinks) and the leak gates on one change set,
 * and the bytes of each change for the report. One streamed read of the changed blobs serves the
 * secret scan, the import check, the sizes and the LFS check; only what that read did not see (old
 * sides of deletions, symlinks, blobs the gates skip by setting) is looked up afterwards, the old way.
 * Findings order: LFS pointers (in change order), symlinks, then the gates'.
 */
export async function runGatePass(input: GatePassInput): Promise<Finding[]> {
  const { git, readBlob, diff, projected, lfs } = input;
  const lfsOn = projected.usesLfs !== false && lfs !== 'allow';
  const sizes = new Map<string, number>();
  const lfsPointers = new Set<string>();
  const readBlobs = (
    oids: readonly string[],
    maxBytes: number,
    visit: (oid: string, size: number, body: Buffer | undefined) => void,
  ) =>
    streamBlobs(
      git,
      oids,
      (oid, size, body) => {
        if (size >= 0) sizes.set(oid, size);
        if (lfsOn && isLfsPointer(size, body)) lfsPointers.add(oid);
        visit(oid, size, body);
      },
      { maxBytes, processes: oids.length >= BLOB_STREAM_SPLIT_AT ? BLOB_STREAM_PROCESSES : 1 },
    );
  const rev = projected.rev ?? input.sourceRev;
  const secrets =
    input.safety.secretScan && rev
      ? await secretSetupFor(input.sourceGit ?? git, rev, input.safety)
      : undefined;
  const [gateFindings, linkFindings] = await Promise.all([
    runSafetyGates({
      changes: diff.gateChanges,
      exportedSourcePaths: projected.exportedSourcePaths,
      sourcePaths: projected.sourcePathProbe ?? projected.sourcePaths,
      targetFileCount: input.targetFileCount,
      readBlob,
      readBlobs,
      settings: input.safety,
      context: input.context,
      sourceFiles: rev ? sourceFileReader(git, readBlob, rev) : undefined,
      secretKey: secrets?.key,
      baseline: secrets?.baseline,
      streamBlob: (oid) => streamGitBlob(git, oid),
    }),
    checkSymlinks(projected.tree, readBlob),
  ]);

  const unseen = new Set<string>();
  for (const oid of diff.oids.values()) if (!sizes.has(oid)) unseen.add(oid);
  if (unseen.size) for (const [o, n] of await objectSizes(git, unseen)) sizes.set(o, n);
  for (const ch of diff.changes) {
    if (ch.bytes !== undefined) continue;
    const oid = diff.oids.get(ch.path);
    const size = oid ? sizes.get(oid) : undefined;
    if (size !== undefined) ch.bytes = size;
  }

  const findings: Finding[] = [];
  if (lfsOn) {
    const changed = diff.gateChanges.filter(
      (c) => c.change !== 'deleted' && c.oid && c.mode !== '160000' && c.mode !== '120000',
    );
    // Pointer-sized blobs the stream did not read (a gate turned off, or only import-checked files read).
    const unread = changed.filter((c) => unseen.has(c.oid!) && lfsPointerSized(sizes.get(c.oid!) ?? -1));
    const bodies = await Promise.all(unread.map((c) => readBlob(c.oid!)));
    unread.forEach((c, i) => {
      if (isLfsPointer(sizes.get(c.oid!) ?? -1, bodies[i])) lfsPointers.add(c.oid!);
    });
    for (const c of changed)
      // Only where a .gitattributes on the file's own path routes it through LFS.
      if (lfsPointers.has(c.oid!) && (await (projected.lfsTracked?.(c.sourcePath) ?? true)))
        findings.push(lfsPointerFinding({ path: c.targetPath, sourcePath: c.sourcePath }, lfs));
  }
  findings.push(...linkFindings, ...gateFindings);
  return findings;
}
