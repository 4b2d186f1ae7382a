import { registerSecret } from '../git/secrets.js';
import type { Finding } from '../report/result.js';
import { findImportLeaksIn, importLeakFinding, isImportCheckedFile } from './import-closure.js';
import { contextPrefix } from './messages.js';
import {
  FINGERPRINT_DISPLAY_CHARS,
  scanTextForSecrets,
  secretScannerFor,
  type SecretHit,
} from './secret-scan.js';
import { SAFETY_INPUTS } from './settings.js';
import type { GateChange, GateInput } from './types.js';

/** Blobs above this size are not read by the gates (and the user is told). */
export const MAX_SCANNED_BLOB_BYTES = 1024 * 1024;
/** Reads kept in flight, so a `cat-file --batch` pipe never waits on JavaScript. */
export const READ_CONCURRENCY = 64;
/** Git's own binary test: a NUL byte in the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000;
/** Per-file warnings beyond this many are summed up in one. */
const MAX_SKIP_WARNINGS = 20;

export interface BlobChecks {
  secrets: boolean;
  imports: boolean;
}

/**
 * Read each added or modified blob once and run the secret scan and the import-closure check on
 * it. Deletions, submodules and symlinks (their blob is a path) are not read.
 */
export async function checkChangedBlobs(input: GateInput, checks: BlobChecks): Promise<Finding[]> {
  if (!checks.secrets && !checks.imports) return [];
  const prefix = contextPrefix(input);
  const scanner = checks.secrets ? secretScannerFor(input.settings) : undefined;
  const work = input.changes.filter(
    (c) =>
      c.change !== 'deleted' &&
      c.oid !== undefined &&
      c.mode !== '160000' &&
      c.mode !== '120000' &&
      (checks.secrets || isImportCheckedFile(c.sourcePath)),
  );

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
  const check = async (group: GateChange[], blob: Buffer | undefined) => {
    if (blob === undefined) {
      for (const c of group) {
        findings.push({
          severity: 'error',
          code: 'gate-unreadable',
          file: c.sourcePath,
          message: `${prefix}blob ${c.oid} of ${c.sourcePath} could not be read, so it was not checked for leaks. Fix: fetch the full history of the source (fetch-depth: 0) and run again.`,
        });
      }
      return;
    }
    if (blob.length > MAX_SCANNED_BLOB_BYTES) return void large.push(...group);
    const probe = blob.length > BINARY_PROBE_BYTES ? blob.subarray(0, BINARY_PROBE_BYTES) : blob;
    if (probe.includes(0)) return void binary.push(...group);
    const text = blob.toString('utf8');
    const hits = scanner ? scanTextForSecrets(text, scanner) : [];
    for (const hit of hits) registerSecret(hit.secret);
    for (const c of group) {
      for (const hit of hits) findings.push(secretFinding(c, hit, prefix));
      if (checks.imports && isImportCheckedFile(c.sourcePath)) {
        for (const leak of await findImportLeaksIn(
          c.sourcePath,
          text,
          input.sourcePaths,
          input.exportedSourcePaths,
        )) {
          findings.push(importLeakFinding(c.sourcePath, leak, prefix));
        }
      }
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const group = groups[next++];
      const size = group[0].size;
      if (size !== undefined && size > MAX_SCANNED_BLOB_BYTES) {
        large.push(...group);
        continue;
      }
      await check(group, await input.readBlob(group[0].oid!));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, groups.length) }, worker));

  findings.push(...skipWarnings(large, binary, prefix, checks));
  return findings.sort(byFileAndLine);
}

function secretFinding(c: GateChange, hit: SecretHit, prefix: string): Finding {
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
      `add the comment 'ferry:allow-secret' on that line or add ${fp} to ${SAFETY_INPUTS.allowedSecretFingerprints}.`,
  };
}

function skipWarnings(
  large: GateChange[],
  binary: GateChange[],
  prefix: string,
  checks: BlobChecks,
): Finding[] {
  const out: Finding[] = [];
  const what = checks.secrets ? 'secret scan' : 'import check';
  large.sort((a, b) => (a.sourcePath < b.sourcePath ? -1 : 1));
  for (const c of large.slice(0, MAX_SKIP_WARNINGS)) {
    out.push({
      severity: 'warning',
      code: 'gate-skipped-large',
      file: c.sourcePath,
      message: `${prefix}${c.sourcePath} is larger than ${MAX_SCANNED_BLOB_BYTES / 1024 / 1024} MiB and was not read by the ${what}; review it by hand.`,
    });
  }
  if (large.length > MAX_SKIP_WARNINGS) {
    out.push({
      severity: 'warning',
      code: 'gate-skipped-large',
      message: `${prefix}${large.length - MAX_SKIP_WARNINGS} more files larger than 1 MiB were not read by the ${what}.`,
    });
  }
  if (binary.length && checks.secrets) {
    const eg = binary
      .map((c) => c.sourcePath)
      .sort()
      .slice(0, 5)
      .join(', ');
    out.push({
      severity: 'notice',
      code: 'gate-skipped-binary',
      message: `${prefix}the secret scan skipped ${binary.length} binary file(s), e.g. ${eg}.`,
    });
  }
  return out;
}

function byFileAndLine(a: Finding, b: Finding): number {
  // Summaries without a file (skipped binaries, ...) come after the per-file findings.
  if ((a.file === undefined) !== (b.file === undefined)) return a.file === undefined ? 1 : -1;
  const fa = a.file ?? '';
  const fb = b.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}
