import type { Finding } from '../report/result.js';
import type { RepoLayout, SourceFileReader } from './imports/layout.js';

/**
 * The contract between the export engine (snapshot and history modes) and the leak gates.
 * The engine describes what an export adds, changes and deletes; the gates return findings.
 * Any finding with severity 'error' stops the export before anything is pushed.
 */
export interface GateChange {
  /** Path in the source repo. */
  sourcePath: string;
  /** Path in the target after mapping. */
  targetPath: string;
  change: 'added' | 'modified' | 'deleted';
  /** Blob id in the source repo (absent for deletions). */
  oid?: string;
  mode?: string;
  /** Blob size in bytes when known (ls-tree -l). Lets the secret scan skip large blobs unread. */
  size?: number;
}

export interface SafetySettings {
  /** Globs that may never be exported, whatever the allowlist says. */
  forbiddenPaths: string[];
  /** Extra secret regexes (user patterns), each `name=regex` or a bare regex. */
  secretPatterns: string[];
  /** Fingerprints (sha256 hex prefix of the matched secret, see docs) that are known false positives. */
  allowedSecretFingerprints: string[];
  /** Globs of source paths the secret scan does not read (`secret-scan-exclude`, e.g. `**\/tests/**`). */
  secretScanExclude?: string[];
  /** A committed baseline file of accepted findings (`ferry secrets baseline --write FILE`). */
  secretBaseline?: string;
  secretScan: boolean;
  importCheck: boolean;
  /** Refuse when more than this share (0..1) of the target's files would be deleted. */
  maxDeleteRatio: number;
  allowMassDelete: boolean;
}

export interface GateInput {
  changes: readonly GateChange[];
  /** Every source path the export selects (for the import-closure check). */
  exportedSourcePaths: ReadonlySet<string>;
  /**
   * Every path of the source tree at the exported revision: the whole set, or a probe that answers
   * for the paths asked about (an incremental export never lists the whole source tree).
   */
  sourcePaths: ReadonlySet<string> | SourcePathProbe;
  /** Files in the target tip before the export. */
  targetFileCount: number;
  readBlob(oid: string): Promise<Buffer | undefined>;
  /**
   * Optional bulk read (one streamed `cat-file --batch`, see git/blob-stream.ts): calls `visit` once
   * per id, synchronously, with size -1 for a missing object and no body when the size exceeds
   * `maxBytes`. The body is only valid during the call. When absent, the gates use readBlob.
   */
  readBlobs?(
    oids: readonly string[],
    maxBytes: number,
    visit: (oid: string, size: number, body: Buffer | undefined) => void,
  ): Promise<void>;
  settings: SafetySettings;
  /**
   * Reads config files of the exported revision by path (tsconfig, package.json, ...), for import
   * resolution through aliases and workspace packages. Without it only relative imports resolve.
   */
  sourceFiles?: SourceFileReader;
  /** The repository's key for secret fingerprints (export/secret-key.ts); unkeyed when absent. */
  secretKey?: Buffer;
  /** Accepted findings (the loaded secret-baseline file). */
  baseline?: import('./baseline.js').SecretBaseline;
  /** Streams one blob of any size (`git cat-file blob`): the secret scan reads large files this way. */
  streamBlob?(oid: string): AsyncIterable<Buffer>;
  /** A config view shared across several gate runs (history mode); else one per run from sourceFiles. */
  layout?: RepoLayout;
  /** Named in findings, e.g. the source commit a history replay is on. */
  context?: string;
}

/** Answers, on demand, which of some source paths exist at the exported revision. */
export interface SourcePathProbe {
  existing(paths: readonly string[]): Promise<ReadonlySet<string>>;
}

export function isSourcePathProbe(x: ReadonlySet<string> | SourcePathProbe): x is SourcePathProbe {
  return typeof (x as SourcePathProbe).existing === 'function';
}

export type Gate = (input: GateInput) => Promise<Finding[]>;
