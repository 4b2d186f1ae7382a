/**
 * The one library entry point of the import engine (the import-pull-request action and
 * `ferry import-pr` call it): bring public pull requests back into the private repository, one
 * result per pull request. Setup is shared by the pull requests of one run: the selection, the
 * scratch repository and the export context (the selection that decides what an export of a base
 * revision holds).
 */
import * as path from 'node:path';
import { loadAllowlistStrict } from '../allowlist/parse.js';
import { ConfigurationError } from '../errors.js';
import { createBuildContext } from '../export/context.js';
import { resolveSafetySettings } from '../export/gates.js';
import { parseMapRules } from '../export/path-map.js';
import { BlobReader } from '../git/cat-file.js';
import { createGitAuth } from '../git/git-auth-helper.js';
import { GitCommandManager } from '../git/git-command-manager.js';
import { isLocalRemote, remoteLabel, resolveRemote } from '../git/remote.js';
import { addAlternates, createScratchRepo, localObjectsDir, type ScratchRepo } from '../git/scratch-repo.js';
import type { Logger } from '../logger.js';
import { settingName } from '../settings/surface.js';
import { importOne, type ImportJob } from './import-one.js';
import { assertOneToOne } from './inverse-map.js';
import type { ImportResult, ImportSettings, PullRequestHost } from './types.js';

export * from './types.js';

export async function runImport(
  s: ImportSettings,
  host: PullRequestHost,
  logger: Logger,
): Promise<ImportResult[]> {
  const rules = s.rules ?? (s.allowlistFile ? await loadAllowlistStrict(s.allowlistFile) : undefined);
  if (!rules)
    throw new ConfigurationError(
      `No allowlist given. Name the export's allowlist with ${settingName('allowlist')} (or its ferry.yml target).`,
    );
  const mapRules = parseMapRules(s.map ?? [], s.vars ?? {});
  assertOneToOne(mapRules);
  const safety = resolveSafetySettings(s.safety);
  const numbers = s.pullRequest !== undefined ? [s.pullRequest] : await host.listPublicByLabel(s.label);
  if (!numbers.length) {
    logger.info(`No open pull request of ${s.publicSlug} carries the label '${s.label}'.`);
    return [];
  }
  const serverUrl = s.auth?.serverUrl;
  const publicUrl = resolveRemote(s.publicRepo, serverUrl);
  const privateUrl = resolveRemote(s.privateRepo, serverUrl);
  const auth = await createGitAuth(s.auth ?? {});
  try {
    const source = new GitCommandManager(path.resolve(s.source), { env: auth.env, logger });
    // Independent set-up side by side (each git process costs a spawn): git's version, the
    // source's object directory (which also says whether it is a repository at all), the local
    // remotes' object directories (seen through alternates: nothing is fetched from them), and
    // the scratch repository itself. Failures are reported in that order.
    const scratchMade = createScratchRepo(source, { parent: s.workDir, name: 'import' });
    const lookups = Promise.allSettled([
      source.assertMinimumVersion(),
      sourceObjectsDir(source, s.source),
      ...[publicUrl, privateUrl]
        .filter(isLocalRemote)
        .map((url) => localObjectsDir(source.with({ cwd: url }))),
    ]);
    // The first pull request is asked for while git works on the set-up (an API round trip).
    // Its answer, or its error, is taken where the import of that pull request starts.
    const first = { n: numbers[0], pr: Promise.resolve().then(() => host.getPublic(numbers[0])) };
    first.pr.catch(() => undefined);
    const looked = await lookups;
    const made = await Promise.allSettled([scratchMade]);
    const failed = looked.find((r) => r.status === 'rejected') ?? made.find((r) => r.status === 'rejected');
    if (failed) {
      if (made[0].status === 'fulfilled') await made[0].value.dispose();
      throw failed.reason;
    }
    const scratch = (made[0] as PromiseFulfilledResult<ScratchRepo>).value;
    const alternates = looked.slice(1).map((r) => (r as PromiseFulfilledResult<string>).value);
    await addAlternates(scratch.dir, alternates).catch(async (e: unknown) => {
      await scratch.dispose();
      throw e;
    });
    const blobs = new BlobReader(scratch.git);
    try {
      const ctx = await createBuildContext({
        settings: {
          source: s.source,
          target: s.publicRepo,
          branch: 'main',
          rules,
          map: s.map,
          preserve: s.preserve,
          vars: s.vars,
          safety: s.safety,
        },
        logger,
        scratch: scratch.git,
        scratchDir: scratch.dir,
        sourceGit: source,
        // The import asks the context only what the selection says (select, preserve): no source
        // revision is exported, so HEAD is not read.
        sourceCommit: '',
        targetLabel: remoteLabel(publicUrl),
        rules,
        safety,
        sourceRepo: path.basename(path.resolve(s.source)),
        blobs,
        stats: { gatesMs: 0 },
      });
      const job: ImportJob = {
        settings: s,
        host,
        logger,
        git: scratch.git,
        scratchDir: scratch.dir,
        source,
        ctx,
        mapRules,
        safety,
        blobs,
        publicUrl,
        privateUrl,
        first,
      };
      const results: ImportResult[] = [];
      for (const n of numbers) results.push(await importOne(job, n));
      return results;
    } finally {
      await blobs.close();
      await scratch.dispose();
    }
  } finally {
    await auth.cleanup();
  }
}

/** The source's object directory; a source that is no git repository is the user's mistake. */
async function sourceObjectsDir(source: GitCommandManager, given: string): Promise<string> {
  const r = await source.execRaw(['rev-parse', '--git-path', 'objects'], { allowedExitCodes: [1, 128, 129] });
  if (r.exitCode !== 0)
    throw new ConfigurationError(`${given} is not a git repository. Check out the private repository first.`);
  return path.resolve(source.cwd, r.stdout.toString('utf8').trim());
}
