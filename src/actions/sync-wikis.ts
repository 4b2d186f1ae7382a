import { toJsonReport, toMarkdown } from '../core/report/render.js';
import { detailsOf } from '../core/report/result.js';
import { lookupToken } from '../core/settings/token.js';
import { pagesTable, resolveWikiSettings, runWikiSync } from '../core/wiki/index.js';
import { inWorkspace, runActionMain } from './action-runner.js';
import { SYNC_WIKIS } from './constants.js';
import { readInputs } from './input-helper.js';
import { publish } from './publish.js';

/** sync-wikis: the wiki folder → the private wiki (every page) and the public wiki (allowlisted pages). */
export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const i = readInputs(SYNC_WIKIS.inputs);
    const settings = await resolveWikiSettings({
      source: inWorkspace(i.source || 'wiki'),
      rev: i.rev,
      privateWiki: i.privateWiki,
      publicWiki: i.publicWiki,
      privateToken: lookupToken(process.env, { value: i.privateToken ?? i.token }),
      publicToken: lookupToken(process.env, { value: i.publicToken ?? i.token }),
      publicAllowlist: inWorkspace(i.publicAllowlist),
      home: i.home,
      direction: i.direction,
      unpublishedLinks: i.unpublishedLinks,
      dryRun: i.dryRun,
      syncBackBranch: i.syncBackBranch,
      commitMessage: i.commitMessage,
      wikiBranch: i.wikiBranch,
      serverUrl: process.env.GITHUB_SERVER_URL || undefined,
      forbiddenPaths: i.forbiddenPaths,
      allowedSecretFingerprints: i.allowedSecretFingerprints,
      secretScanExclude: i.secretScanExclude,
      secretBaseline: inWorkspace(i.secretBaseline) || undefined,
    });
    const results = await runWikiSync(settings, logger);
    const wiki = results.map((r) => ({ r, d: detailsOf(r, 'wiki') }));
    const priv = wiki.find((w) => w.d?.audience === 'private')?.r;
    const pub = wiki.find((w) => w.d?.audience === 'public')?.r;
    const back = wiki.map((w) => w.d?.syncBack).find(Boolean);
    const o = SYNC_WIKIS.outputs;
    const failed = wiki.filter((w) => !w.r.success);
    await publish({
      report: toJsonReport('sync-wikis', results, { dryRun: settings.dryRun }),
      reportPathInput: i.reportPath,
      defaultReportName: 'ferry-sync-wikis-report.json',
      outputs: {
        [o.privateChanged]: String(!!priv?.changed),
        [o.publicChanged]: String(!!pub?.changed),
        [o.privatePages]: String(priv?.counts.pages ?? 0),
        [o.publicPages]: String(pub?.counts.pages ?? 0),
        [o.conflicts]: String(results.reduce((n, r) => n + (r.counts.conflicts ?? 0), 0)),
        [o.syncBackBranch]: back ? back.branch : '',
        [o.syncBackCommit]: back?.commit ?? '',
      },
      summary: toMarkdown('Ferry: sync wikis', results) + '\n' + pagesTable(results),
      findings: results.flatMap((r) => r.findings),
      failure: failed.length
        ? failed.map((w) => `${w.d?.audience ?? ''} wiki ${w.r.target}: ${w.r.message}`).join('\n')
        : undefined,
    });
  });
}
