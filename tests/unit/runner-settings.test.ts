import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/core/config/load.js';
import { captureLogger } from '../../src/core/logger.js';
import { runConfig } from '../../src/core/runner/run.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { loadSchemaValidator } from '../../src/core/config/validate.js';

// parseConfig is synchronous: its schema validator is loaded first (loadConfig awaits it).
await loadSchemaValidator();

/**
 * ferry.yml targets go through the same resolvers as the actions and the CLI, and their messages
 * name ferry.yml keys; a renamed key still works, with a warning at its line.
 */
const config = (extra: string) =>
  [
    'version: "1"',
    'targets:',
    '  public:',
    '    kind: export',
    '    repo: acme/public',
    '    direction: push',
    extra,
    '',
  ].join('\n');

test('an export target is resolved like the action: a bad value is named by its ferry.yml key', async () => {
  const cfg = parseConfig(config('    max_retries: 51'), 'ferry.yml', { root: '/nonexistent' });
  const outcome = await runConfig(cfg, { logger: captureLogger(), env: {} });
  expect(outcome.results[0].success).toBe(false);
  expect(outcome.results[0].message).toBe(
    "targets.public.max_retries must be a whole number from 0 to 50, got '51'.",
  );
});

test('max_delete_share still works, renamed to max_delete_ratio, with a warning at its line', async () => {
  const cfg = parseConfig(config('    max_delete_share: 0.9'), 'ferry.yml', { root: '/nonexistent' });
  const t = cfg.targets[0];
  expect(t.kind === 'export' && t.options.max_delete_ratio).toBe(0.9);
  expect(cfg.warnings).toEqual([
    {
      message: 'targets.public.max_delete_share is deprecated: rename it to max_delete_ratio.',
      where: { file: 'ferry.yml', line: 7, column: 5 },
    },
  ]);
  const logger = captureLogger();
  await runConfig(cfg, { logger, env: {}, dryRun: true });
  expect(logger.text()).toContain('warning: targets.public.max_delete_share is deprecated');
  expect(() =>
    parseConfig(config('    max_delete_share: 0.9\n    max_delete_ratio: 0.8'), 'ferry.yml'),
  ).toThrow(/ferry.yml:7:5: target 'public' sets both max_delete_share and max_delete_ratio/);
});

describe('gate keys go through the resolvers, named by their ferry.yml key', () => {
  afterAll(cleanupTmp);

  test('export target: a missing secret_baseline is named as targets.public.secret_baseline', async () => {
    const root = await tmpDir('ferry-gate-keys-');
    await fs.writeFile(path.join(root, 'public_allowlist.txt'), 'src/**\n');
    const cfg = parseConfig(config('    secret_baseline: missing.json'), 'ferry.yml', { root });
    const outcome = await runConfig(cfg, { logger: captureLogger(), env: {} });
    expect(outcome.results[0].success).toBe(false);
    expect(outcome.results[0].message).toContain(
      `Secret baseline ${path.join(root, 'missing.json')} (targets.public.secret_baseline) does not exist`,
    );
  });

  test('wiki target: forbidden, secret_scan_exclude and secret_baseline reach the public wiki gates', async () => {
    const root = await tmpDir('ferry-gate-keys-');
    await fs.writeFile(path.join(root, 'wiki_public_allowlist.txt'), '*.md\n');
    const wiki = (extra: string) =>
      [
        'version: "1"',
        'targets:',
        '  docs:',
        '    kind: wiki',
        '    source: wiki',
        '    public_wiki: acme/public.wiki',
        '    public_allowlist: wiki_public_allowlist.txt',
        '    direction: push',
        extra,
        '',
      ].join('\n');
    const run = async (extra: string) =>
      (await runConfig(parseConfig(wiki(extra), 'ferry.yml', { root }), { logger: captureLogger(), env: {} }))
        .results[0];
    expect((await run('    secret_baseline: missing.json')).message).toContain(
      '(targets.docs.secret_baseline) does not exist',
    );
    expect((await run('    secret_scan_exclude: ["a/[b"]')).message).toMatch(
      /^Invalid targets\.docs\.secret_scan_exclude pattern 'a\/\[b'/,
    );
    expect((await run('    forbidden: ["a/[b"]')).message).toMatch(
      /^Invalid forbidden path pattern 'a\/\[b' \(targets\.docs\.forbidden\)/,
    );
  });
});
