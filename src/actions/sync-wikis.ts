import * as core from '@actions/core';
import * as path from 'node:path';
import { toJsonReport, toMarkdown } from '../core/report/render.js';
import type { TargetResult } from '../core/report/result.js';
import { writeFileAtomic } from '../core/util/fs-atomic.js';
import { pagesTable, resolveWikiSettings, runWikiSync, type RawWikiSettings } from '../core/wiki/index.js';
import { annotate, boolInput, listInput, runActionMain, secretInput } from './action-runner.js';

/** The public wiki's leak-gate inputs (the same names as sync-to-public's). */
const GATE_INPUT = {
  forbiddenPaths: 'forbidden-paths',
  allowedSecretFingerprints: 'allowed-secret-fingerprints',
  secretScanExclude: 'secret-scan-exclude',
  secretBaseline: 'secret-baseline',
} as const;

/** sync-wikis: the wiki folder → the private wiki (every page) and the public wiki (allowlisted pages). */
const INPUT = {
  source: 'source',
  rev: 'rev',
  privateWiki: 'private-wiki',
  publicWiki: 'public-wiki',
  publicAllowlist: 'public-allowlist',
  token: 'token',
  privateToken: 'private-token',
  publicToken: 'public-token',
  home: 'home',
  direction: 'direction',
  unpublishedLinks: 'unpublished-links',
  dryRun: 'dry-run',
  syncBackBranch: 'sync-back-branch',
  commitMessage: 'commit-message',
  wikiBranch: 'wiki-branch',
  reportPath: 'report-path',
} as const;

const OUTPUT = {
  privateChanged: 'private-changed',
  publicChanged: 'public-changed',
  privatePages: 'private-pages',
  publicPages: 'public-pages',
  conflicts: 'conflicts',
  syncBackBranch: 'sync-back-branch',
  syncBackCommit: 'sync-back-commit',
  reportPath: 'report-path',
} as const;

const INPUT_NAMES: Record<keyof RawWikiSettings, string> = {
  source: `input '${INPUT.source}'`,
  rev: `input '${INPUT.rev}'`,
  privateWiki: `input '${INPUT.privateWiki}'`,
  publicWiki: `input '${INPUT.publicWiki}'`,
  privateToken: `input '${INPUT.privateToken}'`,
  publicToken: `input '${INPUT.publicToken}'`,
  publicAllowlist: `input '${INPUT.publicAllowlist}'`,
  home: `input '${INPUT.home}'`,
  direction: `input '${INPUT.direction}'`,
  unpublishedLinks: `input '${INPUT.unpublishedLinks}'`,
  dryRun: `input '${INPUT.dryRun}'`,
  syncBackBranch: `input '${INPUT.syncBackBranch}'`,
  commitMessage: `input '${INPUT.commitMessage}'`,
  wikiBranch: `input '${INPUT.wikiBranch}'`,
  serverUrl: 'GITHUB_SERVER_URL',
};

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const inWorkspace = (p: string) => (p ? path.resolve(workspace, p) : p);
    const token = secretInput(INPUT.token);
    const settings = await resolveWikiSettings(
      {
        source: inWorkspace(core.getInput(INPUT.source) || 'wiki'),
        rev: core.getInput(INPUT.rev),
        privateWiki: core.getInput(INPUT.privateWiki),
        publicWiki: core.getInput(INPUT.publicWiki),
        privateToken: secretInput(INPUT.privateToken) ?? token,
        publicToken: secretInput(INPUT.publicToken) ?? token,
        publicAllowlist: inWorkspace(core.getInput(INPUT.publicAllowlist)),
        home: core.getInput(INPUT.home),
        direction: core.getInput(INPUT.direction),
        unpublishedLinks: core.getInput(INPUT.unpublishedLinks),
        dryRun: boolInput(INPUT.dryRun),
        syncBackBranch: core.getInput(INPUT.syncBackBranch),
        commitMessage: core.getInput(INPUT.commitMessage),
        wikiBranch: core.getInput(INPUT.wikiBranch),
        serverUrl: process.env.GITHUB_SERVER_URL || undefined,
      },
      INPUT_NAMES,
    );
    // The public wiki's leak gates (secret scan, forbidden paths).
    settings.safety = {
      forbiddenPaths: listInput(GATE_INPUT.forbiddenPaths),
      allowedSecretFingerprints: listInput(GATE_INPUT.allowedSecretFingerprints),
      secretScanExclude: listInput(GATE_INPUT.secretScanExclude),
      secretBaseline: inWorkspace(core.getInput(GATE_INPUT.secretBaseline)) || undefined,
    };
    const results = await runWikiSync(settings, logger);
    const byAudience = (a: string): TargetResult | undefined =>
      results.find((r) => r.details?.audience === a);
    const priv = byAudience('private');
    const pub = byAudience('public');
    core.setOutput(OUTPUT.privateChanged, String(!!priv?.changed));
    core.setOutput(OUTPUT.publicChanged, String(!!pub?.changed));
    core.setOutput(OUTPUT.privatePages, String(priv?.counts.pages ?? 0));
    core.setOutput(OUTPUT.publicPages, String(pub?.counts.pages ?? 0));
    core.setOutput(OUTPUT.conflicts, String(results.reduce((n, r) => n + (r.counts.conflicts ?? 0), 0)));
    const back = results
      .map((r) => r.details?.syncBack as { branch: string; commit: string | null } | undefined)
      .find(Boolean);
    core.setOutput(OUTPUT.syncBackBranch, back ? back.branch : '');
    core.setOutput(OUTPUT.syncBackCommit, back?.commit ?? '');
    const reportPath = core.getInput(INPUT.reportPath)
      ? inWorkspace(core.getInput(INPUT.reportPath))
      : path.join(process.env.RUNNER_TEMP || workspace, 'ferry-wiki-report.json');
    await writeFileAtomic(
      reportPath,
      JSON.stringify(toJsonReport('sync-wikis', results, { dryRun: settings.dryRun }), null, 2) + '\n',
    );
    core.setOutput(OUTPUT.reportPath, reportPath);
    if (process.env.GITHUB_STEP_SUMMARY)
      await core.summary
        .addRaw(toMarkdown('Ferry: sync wikis', results) + '\n' + pagesTable(results))
        .write();
    const seen = new Set<string>();
    annotate(
      results
        .flatMap((r) => r.findings)
        .filter((f) => {
          const key = `${f.code}|${f.file ?? ''}|${f.line ?? ''}|${f.message}`;
          return !seen.has(key) && !!seen.add(key);
        }),
    );
    const failed = results.filter((r) => !r.success);
    if (failed.length)
      core.setFailed(
        failed.map((r) => `${String(r.details?.audience ?? '')} wiki ${r.target}: ${r.message}`).join('\n'),
      );
  });
}
