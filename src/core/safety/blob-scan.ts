import { registerSecret } from '../git/secrets.js';
import type { Finding } from '../report/result.js';
import { findImportLeaksIn, importLeakFinding, isImportCheckedFile } from './import-closure.js';
import { RepoLayout } from './imports/layout.js';
import { scanStream, secretContext, secretHits } from './content-scan.js';
import { contextPrefix } from './messages.js';
import { FINGERPRINT_DISPLAY_CHARS, type SecretHit } from './secret-scan.js';
import { decodeBlob } from './text-decode.js';
import { SAFETY_INPUTS } from './settings.js';
import { settingName } from '../settings/surface.js';
import { isSourcePathProbe, type GateChange, type GateInput } from './types.js';

/** Blobs above this size are not read whole: the secret scan streams them (see content-scan.ts). */
export const MAX_SCANNED_BLOB_BYTES = 1024 * 1024;
/** Reads kept in flight, so a `cat-file --batch` pipe never waits on JavaScript. */
export const READ_CONCURRENCY = 64;
/** Per-file warnings beyond this many are summed up in one. */
const MAX_SKIP_WARNINGS = 20;

export interface BlobChecks {
  secrets: boolean;
  imports: boolean;
}

/**
 * Read each added or modified blob once and run the secret scan and the import-closure check on
 * it. Deletions, submodules and symlinks (their blob is a path) are not read. Files over 1 MiB are
 * streamed through the secret scan when the engine can stream (`streamBlob`), else reported.
 */
export async function checkChangedBlobs(input: GateInput, checks: BlobChecks): Promise<Finding[]> {
  if (!checks.secrets && !checks.imports) return [];
  const prefix = contextPrefix(input);
  const secrets = checks.secrets ? secretContext(input.settings, input.secretKey, input.baseline) : undefined;
  // One view of the config files (tsconfig, package.json, ...) for every file of this run.
  const layout =
    input.layout ??
    new RepoLayout(input.sourceFiles, isSourcePathProbe(input.sourcePaths) ? undefined : input.sourcePaths);
  const work = input.changes.filter(
    (c) =>
      c.change !== 'deleted' &&
      c.oid !== undefined &&
      c.mode !== '160000' &&
      c.mode !== '120000' &&
      ((secrets && !secrets.excluded(c.sourcePath)) || (checks.imports && isImportCheckedFile(c.sourcePath))),
  );
  const excluded = secrets
    ? input.changes.filter((c) => c.change !== 'deleted' && c.oid && secrets.excluded(c.sourcePath)).length
    : 0;

  // Identical content at several paths (empty __init__.py files, copies) is read and scanned once.
  const byOid = new Map<string, GateChange[]>();
  for (const c of work) {
    const group = byOid.get(c.oid!);
    if (group) group.push(c);
    else byOid.set(c.oid!, [c]);
  }
  const groups = [...byOid.values()];

  const findings: Finding[] = [];
  const large: GateChange[] = [];
  const binary: GateChange[] = [];
  const pending: Promise<void>[] = [];
  const unreadable = (group: GateChange[]) => {
    for (const c of group) {
      findings.push({
        severity: 'error',
        code: 'gate-unreadable',
        file: c.sourcePath,
        message: unreadableBlobMessage(c, prefix),
      });
    }
  };
  const scanned = (c: GateChange) => secrets !== undefined && !secrets.excluded(c.sourcePath);
  const report = (c: GateChange, hits: readonly SecretHit[]) => {
    for (const hit of hits) {
      registerSecret(hit.secret);
      findings.push(secretFinding(c, hit, prefix));
    }
  };
  // Synchronous per blob (the bulk stream hands over views that are valid only during the call).
  const check = (group: GateChange[], blob: Buffer) => {
    const decoded = decodeBlob(blob);
    if ('binary' in decoded) {
      binary.push(...group.filter(scanned));
      return;
    }
    const text = decoded.text;
    if (decoded.problem) for (const c of group) findings.push(undecodableFinding(c, decoded.problem, prefix));
    for (const c of group) {
      if (secrets && scanned(c)) report(c, secretHits(text, c.sourcePath, secrets));
      if (!checks.imports || !isImportCheckedFile(c.sourcePath)) continue;
      pending.push(
        findImportLeaksIn(c.sourcePath, text, input.sourcePaths, input.exportedSourcePaths, layout).then(
          (leaks) => {
            for (const leak of leaks) findings.push(importLeakFinding(c.sourcePath, leak, prefix));
          },
        ),
      );
    }
  };
  // A large blob: streamed through the secret scan (the import check reads source files only up
  // to the limit: larger ones are generated code).
  const checkLarge = (group: GateChange[]) => {
    const toScan = group.filter(scanned);
    if (!toScan.length) return;
    if (!input.streamBlob || !secrets) return void large.push(...toScan);
    const oid = group[0].oid!;
    pending.push(
      (async () => {
        try {
          const r = await scanStream(input.streamBlob!(oid), toScan[0].sourcePath, secrets);
          if (r.binary) return void binary.push(...toScan);
          for (const c of toScan) {
            if (r.problem) findings.push(undecodableFinding(c, r.problem, prefix));
            // Path-scoped rules and the baseline depend on the path: scan again for other paths.
            report(
              c,
              c === toScan[0]
                ? r.hits
                : (await scanStream(input.streamBlob!(oid), c.sourcePath, secrets)).hits,
            );
          }
        } catch {
          unreadable(toScan);
        }
      })(),
    );
  };

  // Blobs known to be too large are not read whole.
  const toRead: GateChange[][] = [];
  for (const group of groups) {
    const size = group[0].size;
    if (size !== undefined && size > MAX_SCANNED_BLOB_BYTES) checkLarge(group);
    else toRead.push(group);
  }
  let readError: unknown;
  try {
    if (input.readBlobs) {
      // One streamed pass over all of them.
      const seen = new Set<string>();
      await input.readBlobs(
        toRead.map((g) => g[0].oid!),
        MAX_SCANNED_BLOB_BYTES,
        (oid, size, body) => {
          const group = byOid.get(oid);
          if (!group || seen.has(oid)) return;
          seen.add(oid);
          if (size < 0) unreadable(group);
          else if (!body) checkLarge(group);
          else check(group, body);
        },
      );
      for (const group of toRead) if (!seen.has(group[0].oid!)) unreadable(group);
    } else {
      let next = 0;
      const worker = async () => {
        while (next < toRead.length) {
          const group = toRead[next++];
          const blob = await input.readBlob(group[0].oid!);
          if (blob === undefined) unreadable(group);
          else if (blob.length > MAX_SCANNED_BLOB_BYTES) checkLarge(group);
          else check(group, blob);
        }
      };
      await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, toRead.length) }, worker));
    }
  } catch (e) {
    readError = e;
  }
  // Settled even when the read failed: no check is left running (or rejecting) unobserved.
  const settled = await Promise.allSettled(pending);
  if (readError) throw readError;
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;

  findings.push(...skipWarnings(large, binary, prefix, checks));
  if (excluded)
    findings.push({
      severity: 'notice',
      code: 'gate-secret-excluded',
      message: `${prefix}the secret scan did not read ${excluded} file(s) matched by ${settingName(SAFETY_INPUTS.secretScanExclude)}.`,
    });
  return findings.sort(byFileAndLine);
}

/** A text that does not decode whole: scanned as far as it goes, and said so. */
export function undecodableFinding(c: GateChange, problem: string, prefix: string): Finding {
  return {
    severity: 'warning',
    code: 'gate-undecodable',
    file: c.sourcePath,
    message: `${prefix}${c.sourcePath} does not decode as text (${problem}); the secret scan read what did. Review it by hand.`,
  };
}

/** The message for a blob the gates could not read (shared with history mode's batched gates). */
export function unreadableBlobMessage(c: GateChange, prefix: string): string {
  return `${prefix}blob ${c.oid} of ${c.sourcePath} could not be read, so it was not checked for leaks. Fix: fetch the full history of the source (fetch-depth: 0) and run again.`;
}

/** One secret hit as a finding (shared with history mode's batched gates). */
export function secretFinding(c: GateChange, hit: SecretHit, prefix: string): Finding {
  const where = c.targetPath !== c.sourcePath ? ` (exported as ${c.targetPath})` : '';
  const fp = hit.fingerprint.slice(0, FINGERPRINT_DISPLAY_CHARS);
  return {
    severity: 'error',
    code: 'secret',
    file: c.sourcePath,
    line: hit.line,
    column: hit.column,
    message:
      `${prefix}possible secret (${hit.rule}, '${hit.redacted}') in ${c.sourcePath}:${hit.line}${where}, ` +
      `fingerprint ${fp}. Fix: remove it from the source and rotate it. If it is not a secret, ` +
      `add the comment 'ferry:allow-secret' on that line, add ${fp} to ${settingName(SAFETY_INPUTS.allowedSecretFingerprints)}, ` +
      `or accept it in the ${settingName(SAFETY_INPUTS.secretBaseline)} file ('ferry secrets baseline --write FILE').`,
  };
}

/** Warnings for blobs the scan skipped (too large, binary); each path once, sorted. */
export function skipWarnings(
  large: readonly GateChange[],
  binary: readonly GateChange[],
  prefix: string,
  checks: Pick<BlobChecks, 'secrets'>,
): Finding[] {
  const out: Finding[] = [];
  const what = checks.secrets ? 'secret scan' : 'import check';
  const uniq = (xs: readonly GateChange[]): string[] => [...new Set(xs.map((c) => c.sourcePath))].sort();
  const bigs = uniq(large);
  for (const p of bigs.slice(0, MAX_SKIP_WARNINGS)) {
    out.push({
      severity: 'warning',
      code: 'gate-skipped-large',
      file: p,
      message: `${prefix}${p} is larger than ${MAX_SCANNED_BLOB_BYTES / 1024 / 1024} MiB and could not be streamed, so the ${what} did not read it; review it by hand.`,
    });
  }
  if (bigs.length > MAX_SKIP_WARNINGS) {
    out.push({
      severity: 'warning',
      code: 'gate-skipped-large',
      message: `${prefix}${bigs.length - MAX_SKIP_WARNINGS} more files larger than 1 MiB were not read by the ${what}.`,
    });
  }
  const bins = uniq(binary);
  if (bins.length && checks.secrets) {
    out.push({
      severity: 'notice',
      code: 'gate-skipped-binary',
      message: `${prefix}the secret scan skipped ${bins.length} binary file(s), e.g. ${bins.slice(0, 5).join(', ')}.`,
    });
  }
  return out;
}

/** Findings by file, then line; summaries without a file come after the per-file findings. */
export function byFileAndLine(a: Finding, b: Finding): number {
  // Summaries without a file (skipped binaries, ...) come after the per-file findings.
  if ((a.file === undefined) !== (b.file === undefined)) return a.file === undefined ? 1 : -1;
  const fa = a.file ?? '';
  const fb = b.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}
