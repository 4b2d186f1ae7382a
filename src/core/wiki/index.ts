import { compileAllowlist } from '../allowlist/matcher.js';
import { isExpectedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { withGroup } from '../logger.js';
import { hasErrors, newResult, type Finding, type ResultOf } from '../report/result.js';
import { buildPageMap, isMarkdown } from './page-map.js';
import { planWiki, type WikiPlan } from './plan.js';
import { openSource, readTexts } from './source.js';
import { syncBack, type SyncBackOutcome, type WikiEditsFrom } from './sync-back.js';
import { DEFAULT_AUTHOR, type WikiAudience, type WikiSettings, type WikiTargetSettings } from './types.js';
import { syncWikiTarget, WIKI_MESSAGE_PLACEHOLDERS, type WikiTargetOutcome } from './wiki-target.js';
import { wikiGateFindings } from './gates.js';
import { checkTemplate } from '../util/placeholders.js';

export * from './types.js';

/**
 * Sync a wiki folder to the private wiki (every page) and the public wiki (allowlisted pages).
 * Returns one TargetResult per configured wiki, private first. A failing wiki never stops the
 * other: each is reported on its own. Settings errors (missing folder, bad revision) throw
 * ConfigurationError; page-name collisions fail every result with findings at the files.
 */
type WikiResult = ResultOf<'wiki'>;

export async function runWikiSync(settings: WikiSettings, logger: Logger): Promise<WikiResult[]> {
  const t0 = performance.now();
  const targets: [WikiAudience, WikiTargetSettings][] = [];
  if (settings.privateWiki?.repo) targets.push(['private', settings.privateWiki]);
  if (settings.publicWiki?.repo) targets.push(['public', settings.publicWiki]);
  const home = settings.home || 'README.md';
  checkTemplate(settings.commitMessage, WIKI_MESSAGE_PLACEHOLDERS, 'the wiki commit message');
  const source = await openSource(settings.source, settings.rev || 'HEAD', logger);
  const map = buildPageMap(source.files, { home, sourceLabel: source.prefix || undefined });
  logger.info(
    `${source.prefix || '.'} at ${source.rev.slice(0, 12)}: ${map.pages.length} pages, ${map.assets.length} assets`,
  );
  if (hasErrors(map.findings)) {
    return targets.map(([audience, t]) => {
      const r = newResult(t.repo, 'wiki', settings.dryRun);
      r.success = false;
      r.direction = settings.direction;
      r.message = `the wiki folder has ${map.findings.filter((f) => f.severity === 'error').length} page mapping error(s); nothing was pushed`;
      r.findings.push(...map.findings);
      r.details = { audience };
      return r;
    });
  }
  const texts = await readTexts(
    source.git,
    map.pages.filter((p) => isMarkdown(p.source)).map((p) => ({ key: p.source, oid: p.oid })),
  );
  const allowlist = settings.publicAllowlist ? compileAllowlist(settings.publicAllowlist) : undefined;
  const results: WikiResult[] = [];
  const outcomes: { audience: WikiAudience; outcome: WikiTargetOutcome }[] = [];
  try {
    for (const [audience, target] of targets) {
      const started = performance.now();
      const plan: WikiPlan = planWiki(map, texts, {
        audience,
        allowlist,
        unpublishedLinks: settings.unpublishedLinks,
        sourceLabel: source.prefix || undefined,
      });
      const result = await withGroup(logger, `${audience} wiki: ${target.repo}`, async () => {
        const findings: Finding[] = [...map.findings, ...plan.findings];
        // The public wiki is a public destination: its pages and assets pass the leak gates.
        if (audience === 'public') findings.push(...(await wikiGateFindings(plan, source, settings.safety)));
        if (hasErrors(findings)) {
          const r = newResult(target.repo, 'wiki', settings.dryRun);
          r.direction = settings.direction;
          r.success = false;
          r.findings.push(...findings);
          r.message = `${findings.filter((f) => f.severity === 'error').length} lint or leak-gate error(s): nothing was pushed to the ${audience} wiki`;
          r.counts = { pages: plan.pages.length, assets: plan.assets.length };
          r.details = { audience, pages: plan.pages, assets: plan.assets };
          return r;
        }
        const outcome = await syncWikiTarget(audience, target, plan, source, settings, logger);
        outcome.result.findings.unshift(...findings);
        outcomes.push({ audience, outcome });
        logger.info(outcome.result.message);
        return outcome.result;
      });
      result.durationMs = Math.round(performance.now() - started);
      results.push(result);
    }
    if (settings.direction === 'bidirectional') {
      const inputs: WikiEditsFrom[] = outcomes
        .filter((o) => o.outcome.result.success && o.outcome.edits.length && o.outcome.scratch)
        .map((o) => ({ audience: o.audience, edits: o.outcome.edits, git: o.outcome.scratch!.git }));
      if (inputs.length) {
        let back: SyncBackOutcome;
        try {
          back = await syncBack(source, map, home, inputs, {
            branch: settings.syncBackBranch,
            dryRun: settings.dryRun,
            author: settings.author ?? DEFAULT_AUTHOR,
          });
        } catch (e) {
          // The wikis were synced; only bringing their edits back failed. Say so on each result.
          if (!isExpectedError(e)) throw e;
          for (const { outcome } of outcomes.filter((o) => o.outcome.edits.length)) {
            outcome.result.success = false;
            outcome.result.message += `; wiki edits were not brought back: ${e.message}`;
          }
          return results;
        }
        for (const { audience, outcome } of outcomes) {
          const mine = back.files.filter((f) => f.from === audience);
          if (!mine.length && !back.findings.some((f) => f.from === audience)) continue;
          const r = outcome.result;
          r.details = {
            audience,
            ...r.details,
            syncBack: {
              branch: back.branch,
              commit: back.commit ?? null,
              updated: back.updated,
              files: mine,
            },
          };
          r.findings.push(...back.findings.filter((f) => f.from === audience).map((f) => f.finding));
          r.message += `; ${mine.length} wiki edit(s) ${settings.dryRun ? 'would be brought' : 'brought'} back on branch ${back.branch}`;
        }
        logger.info(
          `wiki edits ${back.updated ? 'committed' : settings.dryRun ? 'would be committed' : 'already'} on ${back.branch}: ${back.commit ?? '-'}`,
        );
      }
    }
  } finally {
    for (const { outcome } of outcomes) await outcome.scratch?.dispose();
  }
  logger.debug(`wiki sync took ${Math.round(performance.now() - t0)} ms`);
  return results;
}
export { pagesTable } from './summary.js';
export { resolveWikiSettings } from './settings.js';
