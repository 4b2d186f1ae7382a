/**
 * The leak gates of a replay, batched: every replayed commit's change set passes the same gates as
 * before (forbidden paths, mass deletion, secrets, import closure, LFS pointers), but the blobs of
 * the whole range are read in ONE `cat-file --batch` stream and each distinct blob is scanned once.
 * What depends on the commit stays per commit: the path gates run per change set, and the import
 * check of a file resolves against the source paths as they stood at that commit (the timelines).
 * Every finding names the source commit it belongs to (the earliest one, for a blob added twice).
 */
import { streamBlobs } from '../../git/blob-stream.js';
import type { GitCommandManager } from '../../git/git-command-manager.js';
import { registerSecret } from '../../git/secrets.js';
import type { Finding } from '../../report/result.js';
import { byFileAndLine, secretFinding, skipWarnings, unreadableBlobMessage } from '../../safety/blob-scan.js';
import { forbiddenPathGate, massDeleteGate, MAX_SCANNED_BLOB_BYTES } from '../../safety/index.js';
import {
  findImportLeaksIn,
  importLeakFinding,
  isImportCheckedFile,
  type ImportLeak,
} from '../../safety/import-closure.js';
import { RepoLayout, type SourceFileReader } from '../../safety/imports/layout.js';
import { scanStream, secretContext, secretHits, type SecretContext } from '../../safety/content-scan.js';
import { undecodableFinding } from '../../safety/blob-scan.js';
import { decodeBlob } from '../../safety/text-decode.js';
import { ALLOW_MASS_DELETE_COMMITS } from '../../safety/settings.js';
import { messageSecretFindings } from '../message-gate.js';
import type { SecretSetup } from '../secret-key.js';
import {
  type GateChange,
  type GateInput,
  type SafetySettings,
  type SourcePathProbe,
} from '../../safety/types.js';
import { isLfsPointer, lfsPointerFinding } from '../content-checks.js';
import type { LfsPolicy } from '../types.js';

export interface ReplayedStep {
  /** The commit's index in the range (the timelines' step). */
  index: number;
  sha: string;
  gateChanges: readonly GateChange[];
  deletions: number;
  targetFileCountBefore: number;
  /** The path sets at a step of this commit's line, when not `viewsAt` (a kept merge's side line). */
  views?: (index: number) => StepViews;
}

export interface StepViews {
  sourcePaths: ReadonlySet<string> | SourcePathProbe;
  exportedSourcePaths: ReadonlySet<string>;
}

export interface HistoryGateOptions {
  /** A repository that sees the source blobs (the scratch repo). */
  git: GitCommandManager;
  settings: SafetySettings;
  lfs: LfsPolicy;
  /** The source path sets as they stood after commit `index`. */
  viewsAt(index: number): StepViews;
  /**
   * Config files for import resolution (tsconfig, package.json, ...), read at the exported
   * revision for the whole range: aliases and workspaces are taken as they stand there.
   */
  sourceFiles?: SourceFileReader;
  /** Key and baseline of the secret scan (asked for once, when the first batch is checked). */
  secretSetup?: () => Promise<SecretSetup>;
  /** Streams a blob of any size: large files go through the secret scan this way. */
  streamBlob?(oid: string): AsyncIterable<Buffer>;
  /** Source commits whose mass deletion the user allowed by name (allow-mass-delete-commits). */
  massDeleteAllowed?(sha: string): boolean;
}

export interface HistoryGateResult {
  findings: Finding[];
  /** Blob id → size for every blob of the range (report bytes come from here). */
  sizes: Map<string, number>;
}

const GITLINK = '160000';
const SYMLINK = '120000';

export function commitPrefix(sha: string): string {
  return `source commit ${sha}: `;
}

/**
 * Batches of replayed commits go through the gates while the replay goes on (`add` starts one
 * batch's blob stream without waiting for it), so reading and scanning blobs overlaps with reading
 * the log and writing commits. `finish` waits for every batch and returns all findings, in commit
 * order per batch. Findings of the same file, line and secret are reported once (the earliest).
 */
export class HistoryGates {
  private readonly runs: Promise<Finding[]>[] = [];
  private readonly sizes = new Map<string, number>();
  private readonly reported = new Set<string>();
  private readonly large: GateChange[] = [];
  private readonly binary: GateChange[] = [];
  private readonly layout: RepoLayout;
  private secrets?: Promise<SecretContext | undefined>;
  private readonly messages: { sha: string; message: string }[] = [];

  constructor(private readonly opts: HistoryGateOptions) {
    this.layout = new RepoLayout(opts.sourceFiles);
  }

  add(steps: readonly ReplayedStep[]): void {
    if (!steps.length) return;
    const run = this.check(steps);
    run.catch(() => undefined);
    this.runs.push(run);
  }

  /** A replayed commit's message, as it will be published: scanned for secrets in finish(). */
  addMessage(sha: string, message: string): void {
    if (this.opts.settings.secretScan) this.messages.push({ sha, message });
  }

  async finish(): Promise<HistoryGateResult> {
    const findings: Finding[] = [];
    for (const r of await Promise.all(this.runs)) findings.push(...r);
    if (this.messages.length) {
      const setup = await this.opts.secretSetup?.();
      for (const m of this.messages)
        findings.push(...messageSecretFindings(m.message, m.sha, this.opts.settings, setup));
    }
    findings.push(...skipWarnings(this.large, this.binary, '', { secrets: this.opts.settings.secretScan }));
    return { findings, sizes: this.sizes };
  }

  private once(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }

  private async check(steps: readonly ReplayedStep[]): Promise<Finding[]> {
    const opts = this.opts;
    const s = opts.settings;
    const findings: Finding[] = [];
    // 1. Path gates, per change set (cheap: no blob is read).
    for (const st of steps) {
      const input = pathGateInput(st, s, opts.git);
      findings.push(...(await forbiddenPathGate(input)));
      if (st.deletions > 0) {
        const allowed = opts.massDeleteAllowed?.(st.sha);
        const replayed = { commit: st.sha, ...(allowed ? { allowedBy: ALLOW_MASS_DELETE_COMMITS } : {}) };
        findings.push(...(await massDeleteGate(input, replayed)));
      }
    }

    // 2. Content gates over the union of the blobs the batch adds, each blob read once.
    const byOid = new Map<string, { step: ReplayedStep; change: GateChange }[]>();
    for (const st of steps)
      for (const c of st.gateChanges) {
        if (c.change === 'deleted' || !c.oid || c.mode === GITLINK) continue;
        const group = byOid.get(c.oid);
        if (group) group.push({ step: st, change: c });
        else byOid.set(c.oid, [{ step: st, change: c }]);
      }
    const readBodies = s.secretScan || s.importCheck || opts.lfs !== 'allow';
    this.secrets ??= s.secretScan
      ? (opts.secretSetup?.() ?? Promise.resolve(undefined)).then((k) =>
          secretContext(s, k?.key, k?.baseline),
        )
      : Promise.resolve(undefined);
    const secrets = await this.secrets;
    const scanned = (c: GateChange) => secrets !== undefined && !secrets.excluded(c.sourcePath);
    const pending: Promise<void>[] = [];
    const blobFindings: Finding[] = [];

    const visit = (oid: string, size: number, body: Buffer | undefined): void => {
      const group = byOid.get(oid);
      if (!group) return;
      this.sizes.set(oid, size);
      if (size < 0) {
        for (const { step, change } of group)
          if (this.once(`u:${change.sourcePath}:${oid}`))
            blobFindings.push({
              severity: 'error',
              code: 'gate-unreadable',
              file: change.sourcePath,
              message: unreadableBlobMessage({ ...change, oid }, commitPrefix(step.sha)),
            });
        return;
      }
      const files = group.filter((g) => g.change.mode !== SYMLINK);
      if (!files.length || !readBodies) return;
      if (!body) {
        const big = files.filter((g) => scanned(g.change));
        if (!big.length) return;
        if (!opts.streamBlob || !secrets) for (const g of big) this.large.push(g.change);
        else
          pending.push(
            (async () => {
              for (const { step, change } of big) {
                const prefix = commitPrefix(step.sha);
                try {
                  const r = await scanStream(opts.streamBlob!(oid), change.sourcePath, secrets);
                  if (r.binary) this.binary.push(change);
                  for (const hit of r.hits)
                    if (this.once(`s:${change.sourcePath}:${hit.line}:${hit.column}:${hit.fingerprint}`)) {
                      registerSecret(hit.secret);
                      blobFindings.push(secretFinding(change, hit, prefix));
                    }
                } catch {
                  blobFindings.push({
                    severity: 'error',
                    code: 'gate-unreadable',
                    file: change.sourcePath,
                    message: unreadableBlobMessage({ ...change, oid }, prefix),
                  });
                }
              }
            })(),
          );
        return;
      }
      const scannedFiles = files;
      if (opts.lfs !== 'allow' && isLfsPointer(size, body))
        for (const { step, change } of scannedFiles)
          if (this.once(`l:${change.targetPath}`))
            blobFindings.push(
              named(
                lfsPointerFinding({ path: change.targetPath, sourcePath: change.sourcePath }, opts.lfs),
                step,
              ),
            );
      if (!s.secretScan && !s.importCheck) return;
      const decoded = decodeBlob(body);
      if ('binary' in decoded) {
        for (const g of scannedFiles) if (scanned(g.change)) this.binary.push(g.change);
        return;
      }
      const text = decoded.text;
      for (const { step, change } of scannedFiles) {
        const prefix = commitPrefix(step.sha);
        if (decoded.problem && this.once(`d:${change.sourcePath}:${oid}`))
          blobFindings.push(undecodableFinding(change, decoded.problem, prefix));
        const hits = secrets && scanned(change) ? secretHits(text, change.sourcePath, secrets) : [];
        for (const hit of hits)
          if (this.once(`s:${change.sourcePath}:${hit.line}:${hit.column}:${hit.fingerprint}`)) {
            registerSecret(hit.secret);
            blobFindings.push(secretFinding(change, hit, prefix));
          }
        if (!s.importCheck || !isImportCheckedFile(change.sourcePath)) continue;
        const views = (step.views ?? opts.viewsAt)(step.index);
        const report = (leaks: readonly ImportLeak[]): void => {
          for (const leak of leaks)
            if (this.once(`i:${change.sourcePath}:${leak.line}:${leak.path}`))
              blobFindings.push(importLeakFinding(change.sourcePath, leak, prefix));
        };
        pending.push(
          findImportLeaksIn(
            change.sourcePath,
            text,
            views.sourcePaths,
            views.exportedSourcePaths,
            this.layout,
          ).then(report),
        );
      }
    };
    // Symlinks are read too, for their sizes (the link check has its own reads, see symlinks.ts).
    await streamBlobs(opts.git, [...byOid.keys()], visit, {
      maxBytes: readBodies ? MAX_SCANNED_BLOB_BYTES : 0,
    });
    await Promise.all(pending);
    // A blob's findings come when it is read: put them back in commit order.
    const order = new Map(steps.map((st, i) => [st.sha, i]));
    const commitOf = (f: Finding): number => {
      const m = /^source commit ([0-9a-f]+): /.exec(f.message);
      return m ? (order.get(m[1]) ?? 0) : 0;
    };
    blobFindings.sort((a, b) => commitOf(a) - commitOf(b) || byFileAndLine(a, b));
    findings.push(...blobFindings);
    return findings;
  }
}

function pathGateInput(st: ReplayedStep, settings: SafetySettings, git: GitCommandManager): GateInput {
  return {
    changes: st.gateChanges,
    exportedSourcePaths: new Set(),
    sourcePaths: new Set(),
    targetFileCount: st.targetFileCountBefore,
    // Only the forbidden-path gate reads, and only files whose name leaves the decision to the
    // content (a .pem, an .npmrc): rare, so one process each.
    readBlob: async (oid) => {
      const r = await git.execRaw(['cat-file', 'blob', oid], { allowedExitCodes: [128] });
      return r.exitCode === 0 ? r.stdout : undefined;
    },
    settings,
    context: `source commit ${st.sha}`,
  };
}

function named(f: Finding, step: ReplayedStep): Finding {
  return { ...f, message: `${commitPrefix(step.sha)}${f.message}` };
}
