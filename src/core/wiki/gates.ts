import { BlobReader } from '../git/cat-file.js';
import { registerSecret } from '../git/secrets.js';
import type { Finding } from '../report/result.js';
import { secretFinding, undecodableFinding } from '../safety/blob-scan.js';
import { scanStream, secretContext, secretHits } from '../safety/content-scan.js';
import { forbiddenPathGate } from '../safety/forbidden.js';
import { parseSafetySettings } from '../safety/settings.js';
import { decodeBlob } from '../safety/text-decode.js';
import type { GateChange, SafetySettings } from '../safety/types.js';
import { secretSetupFor } from '../export/secret-key.js';
import { streamGitBlob } from '../export/source-files.js';
import type { WikiPlan } from './plan.js';
import type { WikiSource } from './source.js';

/** Assets above this size are streamed through the secret scan instead of read whole. */
const WHOLE_READ_BYTES = 1024 * 1024;

/**
 * The leak gates of the public wiki: every page (as published, links rewritten) and every asset
 * it carries goes through the forbidden-path gate and the secret scan, with the export's settings
 * (exclusions, baseline, allowed fingerprints). A finding with severity error stops that wiki
 * before anything is pushed, like a lint error.
 */
export async function wikiGateFindings(
  plan: WikiPlan,
  source: WikiSource,
  settings: SafetySettings | undefined,
): Promise<Finding[]> {
  const safety = settings ?? parseSafetySettings();
  const full = (p: string) => (source.prefix ? `${source.prefix}/${p}` : p);
  const changes: GateChange[] = plan.files.map((f) => ({
    sourcePath: full(f.source),
    targetPath: f.wikiPath,
    change: 'added',
    oid: f.oid,
    mode: f.mode,
  }));
  const reader = new BlobReader(source.git);
  const findings: Finding[] = [];
  try {
    findings.push(
      ...(await forbiddenPathGate({
        changes,
        exportedSourcePaths: new Set(),
        sourcePaths: new Set(),
        targetFileCount: 0,
        readBlob: (oid) => reader.read(oid),
        settings: safety,
        context: 'public wiki',
      })),
    );
    if (!safety.secretScan) return findings;
    const setup = await secretSetupFor(source.git, source.rev, safety);
    const ctx = secretContext(safety, setup.key, setup.baseline);
    const binary: string[] = [];
    const sizes = new Map(
      (
        await source.git.execRaw(['cat-file', '--batch-check=%(objectname) %(objectsize)'], {
          input: plan.files.map((f) => f.oid).join('\n') + '\n',
        })
      ).stdout
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' '))
        .map(([o, n]) => [o, Number(n)] as const),
    );
    for (let i = 0; i < plan.files.length; i++) {
      const f = plan.files[i];
      const c = changes[i];
      if (ctx.excluded(c.sourcePath) || f.mode === '120000' || f.mode === '160000') continue;
      const size = f.content ? f.content.length : sizes.get(f.oid);
      if (size === undefined || Number.isNaN(size)) {
        findings.push({
          severity: 'error',
          code: 'gate-unreadable',
          file: c.sourcePath,
          message: `public wiki: blob ${f.oid} of ${c.sourcePath} could not be read, so it was not checked for leaks. Fix: fetch the full history of the source and run again.`,
        });
        continue;
      }
      let hits;
      if (!f.content && size > WHOLE_READ_BYTES) {
        const r = await scanStream(streamGitBlob(source.git, f.oid), c.sourcePath, ctx);
        if (r.binary) binary.push(c.sourcePath);
        if (r.problem) findings.push(undecodableFinding(c, r.problem, 'public wiki: '));
        hits = r.hits;
      } else {
        const body = f.content ?? (await reader.read(f.oid));
        if (!body) continue;
        const decoded = decodeBlob(body);
        if ('binary' in decoded) {
          binary.push(c.sourcePath);
          continue;
        }
        if (decoded.problem) findings.push(undecodableFinding(c, decoded.problem, 'public wiki: '));
        hits = secretHits(decoded.text, c.sourcePath, ctx);
      }
      for (const hit of hits) {
        registerSecret(hit.secret);
        findings.push(secretFinding(c, hit, 'public wiki: '));
      }
    }
    if (binary.length)
      findings.push({
        severity: 'notice',
        code: 'gate-skipped-binary',
        message: `public wiki: the secret scan skipped ${binary.length} binary file(s), e.g. ${binary.slice(0, 5).join(', ')}.`,
      });
    return findings;
  } finally {
    await reader.close();
  }
}
