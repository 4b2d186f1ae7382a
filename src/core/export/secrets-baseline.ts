import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compileAllowlist } from '../allowlist/matcher.js';
import { loadAllowlistStrict } from '../allowlist/parse.js';
import { streamBlobs } from '../git/blob-stream.js';
import { GitCommandManager } from '../git/git-command-manager.js';
import { streamTree } from '../git/tree.js';
import { ConfigurationError } from '../errors.js';
import { newSalt, parseBaseline, writeBaseline, type SecretBaselineEntry } from '../safety/baseline.js';
import { scanStream, secretContext, secretHits } from '../safety/content-scan.js';
import { MAX_SCANNED_BLOB_BYTES } from '../safety/blob-scan.js';
import { parseSafetySettings, type SafetySettingsInput } from '../safety/settings.js';
import { decodeBlob } from '../safety/text-decode.js';
import { secretKeyFor } from './secret-key.js';
import { streamGitBlob } from './source-files.js';

/**
 * `ferry secrets baseline --write FILE`: scan every file of a revision (or the allowlisted ones)
 * with the export's rules and settings, and write what it finds as the accepted baseline. An
 * existing file keeps its salt, so fingerprints stay stable; a new one gets a random salt.
 */
export interface BaselineOptions {
  source: string;
  rev?: string;
  /** Only these files (the export's allowlist); default every file. */
  allowlistFile?: string;
  safety?: SafetySettingsInput;
  file: string;
  /** Compute only (a check), write nothing. */
  dryRun?: boolean;
}

export interface BaselineOutcome {
  file: string;
  findings: SecretBaselineEntry[];
  /** Files read (text), and those skipped as binary. */
  scanned: number;
  binary: number;
  written: boolean;
}

export async function writeSecretBaseline(o: BaselineOptions): Promise<BaselineOutcome> {
  const git = new GitCommandManager(path.resolve(o.source));
  await git.assertMinimumVersion();
  const rev = o.rev ?? 'HEAD';
  const sha = await git.tryRevParse(rev);
  if (!sha) throw new ConfigurationError(`Source revision '${rev}' was not found in ${git.cwd}.`);
  const safety = parseSafetySettings({ ...(o.safety ?? {}), secretBaseline: undefined });
  const existing = existsSync(o.file) ? parseBaseline(await fs.readFile(o.file, 'utf8'), o.file) : undefined;
  const salt = existing?.salt ?? newSalt();
  const key = await secretKeyFor(git, sha, { version: 1, salt, findings: [] });
  const ctx = secretContext(safety, key);
  const select = o.allowlistFile ? compileAllowlist(await loadAllowlistStrict(o.allowlistFile)) : undefined;

  const files: { path: string; oid: string; size: number }[] = [];
  await streamTree(
    git,
    sha,
    (e) => {
      if (e.type !== 'blob' || e.mode === '120000') return;
      if (select && !select.selects(e.path)) return;
      if (ctx.excluded(e.path)) return;
      files.push({ path: e.path, oid: e.oid, size: e.size });
    },
    { sizes: true },
  );
  const findings: SecretBaselineEntry[] = [];
  const add = (p: string, hits: ReturnType<typeof secretHits>) => {
    for (const h of hits) findings.push({ path: p, rule: h.rule, fingerprint: h.fingerprint, line: h.line });
  };
  let binary = 0;
  const byOid = new Map<string, string[]>();
  for (const f of files) byOid.set(f.oid, [...(byOid.get(f.oid) ?? []), f.path]);
  const large: string[] = [];
  await streamBlobs(
    git,
    [...byOid.keys()],
    (oid, size, body) => {
      const paths = byOid.get(oid) ?? [];
      if (size > MAX_SCANNED_BLOB_BYTES) return void large.push(oid);
      if (!body) return;
      const d = decodeBlob(body);
      if ('binary' in d) return void (binary += paths.length);
      for (const p of paths) add(p, secretHits(d.text, p, ctx));
    },
    { maxBytes: MAX_SCANNED_BLOB_BYTES, processes: 2 },
  );
  for (const oid of large)
    for (const p of byOid.get(oid) ?? []) {
      const r = await scanStream(streamGitBlob(git, oid), p, ctx);
      if (r.binary) binary++;
      add(p, r.hits);
    }
  if (!o.dryRun) await writeBaseline(o.file, salt, findings);
  return { file: o.file, findings, scanned: files.length - binary, binary, written: !o.dryRun };
}
