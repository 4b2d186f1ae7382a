import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { lsTree } from '../support/git-fixtures.js';
import { reportViolations } from '../support/report-schema.js';
import { runCli } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

afterAll(cleanupTmp);

/** The README's main-job command: `npm run demo` runs `node dist/cli/index.js demo`. */
test('ferry demo runs examples/ferry.yml against local repos: every target succeeds, then nothing changes', async () => {
  const dir = path.join(await tmpDir('ferry-demo-'), 'demo');
  const r = await runCli(['demo', '--dir', dir]);
  expect(r.stderr).not.toContain('internal error');
  expect(r.exitCode).toBe(0);
  const report = JSON.parse(await fs.readFile(path.join(dir, 'ferry-report.json'), 'utf8'));
  expect(report).toMatchObject({ total_targets: 6, successful: 6, failed: 0, success: true });
  // All six kinds in one report: it matches the published schema (snake_case keys throughout).
  expect(reportViolations(report)).toEqual([]);
  expect(report.results.map((t: { target: string; kind: string }) => `${t.target}:${t.kind}`)).toEqual([
    'apps_truth:command',
    'public:export',
    'customers:export',
    'public_twin:mirror',
    'wikis:wiki',
    'shared_drive:dirsync',
  ]);
  expect(report.results.every((t: { changed: boolean }) => t.changed)).toBe(true);
  expect(report.results[0]).toMatchObject({
    outputs_created: ['docs/runtime/apps_truth.json'],
    verification_passed: true,
  });

  const remotes = path.join(dir, 'remotes', 'acme');
  expect(lsTree(path.join(remotes, 'ferry-demo-public.git'))).toEqual([
    'LICENSE',
    'README.md',
    'docs/guide.md',
    'src/cli/main.py',
    'src/core/engine.py',
  ]);
  expect(lsTree(path.join(remotes, 'ferry-demo-public-twin.git'))).toEqual(
    lsTree(path.join(remotes, 'ferry-demo-public.git')),
  );
  expect(lsTree(path.join(remotes, 'ferry-demo-globex-sdk.git'))).toEqual([
    'README.md',
    'premium_globex/billing.py',
  ]);
  expect(lsTree(path.join(remotes, 'ferry-demo-public.wiki.git'))).not.toContain('Roadmap.md');

  // the second run in the demo changes nothing
  const second = r.stdout.slice(r.stdout.indexOf('# again'));
  expect(second).toContain('6/6 targets succeeded; run OK');
  expect(second.split('ferry workflows')[0]).not.toMatch(/\] CHANGED/);
  expect(r.stdout).toContain('wrote .github/workflows/ferry-public.yml');
});
